"""Terminal rendering for the CLI (Rich), with untrusted text kept literal."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from hpo_tui.core.analysis.grid import Grid
from hpo_tui.core.display import display_number, display_value, printable


def cell(value: object, digits: int = 4) -> Text:
    """A table cell; ``Text`` objects are never parsed for markup."""
    if isinstance(value, str):
        return Text(printable(value))
    return Text(display_number(value, digits), justify="right")


def _console() -> Console:
    # On a pipe or a file nothing is cut: the table takes the width it needs.
    width = None if sys.stdout.isatty() else 10_000
    return Console(file=sys.stdout, soft_wrap=False, width=width)


def print_table(frame: pd.DataFrame, title: str | None = None, digits: int = 4) -> None:
    """Print ``frame`` as a Rich table on stdout (the title literal: it may name a study)."""
    heading = None if title is None else Text(title)
    table = Table(title=heading, title_justify="left", header_style="bold")
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column].dtype)
        table.add_column(
            Text(printable(str(column))), justify="right" if numeric else "left", no_wrap=numeric
        )
    for row in frame.itertuples(index=False):
        table.add_row(*(cell(v, digits) for v in row))
    _console().print(table)


def print_grid(grid: Grid, title: str, digits: int = 4) -> None:
    """Print the grid under its title (never wrapped to the table's width); the best cell
    bold and marked with ``*`` (visible without colour); with intervals, each cell's interval
    and every cell tied with the best marked."""
    from hpo_tui.core.export.formats.grid import interval_note, interval_text

    _console().print(Text(printable(title), style="bold"), no_wrap=True, crop=False)
    table = Table(header_style="bold")
    table.add_column(Text(printable(grid.row_axis.capitalize())))
    for column in grid.values.columns:
        table.add_column(Text(printable(str(column))), justify="right")
    marked = grid.marked()
    for label, row in grid.values.iterrows():
        cells = [Text(printable(str(label)))]
        for column, value in row.items():
            if pd.isna(grid.study_ids.loc[label, column]):
                cells.append(Text(""))
                continue
            shown = display_number(value, digits)
            if grid.intervals is not None:
                low = grid.intervals.low.loc[label, column]
                high = grid.intervals.high.loc[label, column]
                shown += " " + interval_text(low, high, digits)
            if (label, column) in marked:
                cells.append(Text(f"*{shown}", style="bold", justify="right"))
            else:
                cells.append(Text(shown, justify="right"))
        table.add_row(*cells)
    _console().print(table)
    if grid.intervals is not None:
        print(interval_note(grid).replace("Bold:", "*", 1))
    elif grid.best is not None:
        print("* best")


def print_record(record: dict[str, object]) -> None:
    """One record (``hpo-tui trial``) as name/value lines, every value in full: numbers as
    their shortest round-trip text, nested values as strict JSON, curves by length only."""
    from hpo_tui.core.export.formats.json import dumps_strict

    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(no_wrap=True)

    def value_text(value: object, stored: bool) -> Text:
        # ``stored``: a param/attr value, where None is a value (a categorical choice).
        if isinstance(value, (list, tuple, dict)):
            return Text(printable(dumps_strict(value)))
        if isinstance(value, pd.Timestamp):
            return Text(value.isoformat())
        if value is None or value is pd.NA:
            return Text("None" if stored and value is None else "—")
        return Text(display_value(value, full=True))

    stored_fields = {"params", "user_attrs", "system_attrs"}
    objectives = record.get("objectives")
    for name, value in record.items():
        if name == "objectives" and isinstance(value, list):
            continue  # they name the values, below
        if name == "values" and isinstance(value, list) and isinstance(objectives, list):
            # One line per objective, by name (the study's metric names when stored).
            table.add_row(Text("values"), Text(""))
            for objective, item in zip(objectives, value, strict=True):
                label = f"  {objective['name']} ({objective['direction']})"
                table.add_row(Text(printable(label)), value_text(item, False))
        elif name == "curves" and isinstance(value, dict):
            table.add_row(Text("curves"), Text("" if value else "—"))
            for curve, points in value.items():
                steps = points["steps"]
                span = f"steps {steps[0]}…{steps[-1]}" if steps else "no points"
                table.add_row(Text(f"  {printable(curve)}"), Text(f"{len(steps)} points, {span}"))
        elif isinstance(value, dict):
            table.add_row(Text(printable(name)), Text("" if value else "—"))
            for inner, item in value.items():
                table.add_row(
                    Text(f"  {printable(str(inner))}"), value_text(item, name in stored_fields)
                )
        else:
            table.add_row(Text(printable(name)), value_text(value, False))
    _console().print(table)


@contextmanager
def export_progress(delay: float = 0.3) -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar on stderr, shown only on a terminal and only past ``delay`` seconds."""
    if not sys.stderr.isatty():
        yield lambda name, done, total: None
        return
    started = time.monotonic()
    progress = Progress(
        TextColumn("exporting {task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=Console(file=sys.stderr),
        transient=True,
    )
    task = None

    def update(name: str, done: int, total: int) -> None:
        nonlocal task
        if task is None and time.monotonic() - started >= delay:
            progress.start()
            task = progress.add_task(printable(name), total=total)
        if task is not None:
            progress.update(task, completed=done, description=printable(name))

    try:
        yield update
    finally:
        progress.stop()
