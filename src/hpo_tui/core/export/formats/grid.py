"""Renderings of the grid and of summary tables for papers and pipes (no Rich)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from hpo_tui.core.analysis.grid import (
    CONSTRAINED_NOTE,
    FEASIBLE_METRICS,
    METRIC_LABELS,
    Grid,
    Metric,
    build_grid,
    sweeps,
)
from hpo_tui.core.display import display_number
from hpo_tui.core.export.formats.csv import frame_to_csv
from hpo_tui.core.export.formats.json import dumps_strict
from hpo_tui.core.export.formats.markup import (
    cell_display,
    latex_escape,
    latex_table,
    markdown_escape,
    markdown_table,
)

if TYPE_CHECKING:
    from hpo_tui.core.analysis.grid_ci import Bootstrap
    from hpo_tui.core.model.campaign import Campaign

# The metrics of ``hpo_grid_intervals.csv``: a cell's best value and its top-5 mean.
EXPORT_INTERVAL_METRICS: tuple[Metric, ...] = ("best", "top5_mean")


def grid_header(grid: Grid) -> list[str]:
    """``Budget | h1 | h3 | h5``: the row axis name capitalised, then the column values."""
    return [grid.row_axis.capitalize(), *map(str, grid.values.columns)]


def interval_text(low: float, high: float, digits: int = 4) -> str:
    """``[0.2630, 0.2801]``: a bootstrap interval for reading."""
    return f"[{display_number(low, digits)}, {display_number(high, digits)}]"


def grid_cells(grid: Grid, digits: int = 4) -> tuple[list[list[str]], set[tuple[int, int]]]:
    """Display rows and the positions (row, column) of the bold cells in them: the best
    cell, or with intervals every cell tied with it (each cell then shows its interval)."""
    rows = []
    bold: set[tuple[int, int]] = set()
    marked = grid.marked()
    intervals = grid.intervals
    for i, (label, row) in enumerate(grid.values.iterrows()):
        cells = [str(label)]
        for j, (column, value) in enumerate(row.items(), start=1):
            if pd.isna(grid.study_ids.loc[label, column]):
                cells.append("")
                continue
            text = cell_display(value, digits)
            if intervals is not None:
                low, high = intervals.low.loc[label, column], intervals.high.loc[label, column]
                text += " " + interval_text(low, high, digits)
            cells.append(text)
            if (label, column) in marked:
                bold.add((i, j))
        rows.append(cells)
    return rows, bold


def interval_note(grid: Grid) -> str:
    """What the bold cells of a grid with intervals mean (one line under the table)."""
    assert grid.intervals is not None
    bootstrap = grid.intervals.bootstrap
    if grid.best is None:
        return (
            f"{bootstrap.describe()}; no best cell (mixed directions or no values): no ties marked."
        )
    return (
        f"Bold: the best cell and every cell whose {bootstrap.level * 100:g} % bootstrap "
        f"interval overlaps the best cell's ({bootstrap.resamples} resamples of each cell's "
        f"complete trials, seed {bootstrap.seed})."
    )


def grid_markdown(grid: Grid, digits: int = 4) -> str:
    """The grid as a Markdown table, the best cell in ``**bold**`` (with intervals: every
    cell tied with it, and a line saying so under the table)."""
    rows, bold = grid_cells(grid, digits)
    table = markdown_table(grid_header(grid), rows, bold)
    if grid.intervals is not None:
        table += "\n" + markdown_escape(interval_note(grid)) + "\n"
    return table


def grid_latex(grid: Grid, digits: int = 4) -> str:
    """The grid as a booktabs LaTeX table, the best cell in ``\\textbf{}`` (with intervals:
    every cell tied with it, and a comment saying so)."""
    rows, bold = grid_cells(grid, digits)
    table = latex_table(grid_header(grid), rows, bold)
    if grid.intervals is not None:
        table += "% " + interval_note(grid) + "\n"
    return table


def interval_frame(grid: Grid) -> pd.DataFrame:
    """One row per cell of a grid with intervals: ``<row axis>, <column axis>, value, ci_low,
    ci_high, n_values, best, tied_with_best``."""
    assert grid.intervals is not None
    intervals = grid.intervals
    marked = grid.marked()
    records = []
    for label in grid.values.index:
        for column in grid.values.columns:
            study_id = grid.study_ids.loc[label, column]
            if pd.isna(study_id):
                continue
            records.append(
                {
                    grid.row_axis: label,
                    grid.column_axis: column,
                    "value": float(grid.values.loc[label, column]),
                    "ci_low": float(intervals.low.loc[label, column]),
                    "ci_high": float(intervals.high.loc[label, column]),
                    "n_values": int(intervals.n_values.loc[label, column]),
                    "best": grid.best == (label, column),
                    "tied_with_best": (label, column) in marked,
                }
            )
    columns = [grid.row_axis, grid.column_axis, "value", "ci_low", "ci_high", "n_values"]
    return pd.DataFrame(records, columns=[*columns, "best", "tied_with_best"])


def interval_export_frame(campaign: Campaign, bootstrap: Bootstrap | None = None) -> pd.DataFrame:
    """``hpo_grid_intervals.csv``: for every sweep and each of :data:`EXPORT_INTERVAL_METRICS`,
    :func:`interval_frame` of its grid (what ``hpo-tui grid --ci --format csv`` prints) with
    the cell's ``sweep``, ``study`` and ``metric`` and the method's ``confidence``,
    ``resamples`` and ``seed`` on each row; sweep by sweep, then metric by metric, cells in
    grid order. Long rather than one column set per metric: the columns are the CLI's, and
    ``frame[frame.metric == "best"]`` or a ``pivot`` gives either shape in pandas.

    A campaign without a grid (fewer than two axes, or no study name fits) gives no rows.
    """
    from hpo_tui.core.analysis.grid_ci import Bootstrap, IntervalCache, with_intervals

    bootstrap = bootstrap or Bootstrap()
    axes = list(campaign.axis_names[:2])
    columns = [
        "sweep",
        "study",
        *axes,
        "metric",
        "value",
        "ci_low",
        "ci_high",
        "n_values",
        "best",
        "tied_with_best",
        "confidence",
        "resamples",
        "seed",
    ]
    frames = []
    names = campaign.studies.set_index("study_id")["study"]
    cache = IntervalCache(together=EXPORT_INTERVAL_METRICS)  # one draw per cell for both
    for sweep in sweeps(campaign) if len(axes) == 2 else []:
        for metric in EXPORT_INTERVAL_METRICS:
            grid = with_intervals(campaign, build_grid(campaign, metric, sweep), bootstrap, cache)
            cells = interval_frame(grid)
            ids = [
                int(grid.study_ids.loc[row, column])
                for row, column in zip(cells[grid.row_axis], cells[grid.column_axis], strict=True)
            ]
            frames.append(
                cells.assign(
                    sweep=grid.sweep,
                    study=names.loc[ids].to_list(),
                    metric=metric,
                    confidence=bootstrap.level,
                    resamples=bootstrap.resamples,
                    seed=bootstrap.seed,
                )
            )
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def grid_csv(grid: Grid) -> str:
    """The grid as CSV with exact floats (rows = first axis); with intervals, one row per
    cell (:func:`interval_frame`)."""
    if grid.intervals is not None:
        return frame_to_csv(interval_frame(grid))
    frame = grid.values.reset_index()
    return frame_to_csv(frame)


def grid_json(grid: Grid) -> str:
    """The grid as strict JSON: metric, axes, and one record per cell."""
    cells: list[dict[str, Any]] = []
    for label in grid.values.index:
        for column in grid.values.columns:
            study_id = grid.study_ids.loc[label, column]
            if pd.isna(study_id):
                continue
            cell = {
                grid.row_axis: label,
                grid.column_axis: column,
                "value": float(grid.values.loc[label, column]),
                "best": grid.best == (label, column),
            }
            if grid.intervals is not None:
                cell["ci_low"] = float(grid.intervals.low.loc[label, column])
                cell["ci_high"] = float(grid.intervals.high.loc[label, column])
                cell["n_values"] = int(grid.intervals.n_values.loc[label, column])
                cell["tied_with_best"] = (label, column) in grid.marked()
            cells.append(cell)
    document: dict[str, Any] = {
        "sweep": grid.sweep,
        "metric": grid.metric,
        "metric_label": METRIC_LABELS[grid.metric],
        "direction": grid.direction,
        "rows": [str(v) for v in grid.values.index],
        "columns": [str(v) for v in grid.values.columns],
        "cells": cells,
    }
    if grid.intervals is not None:
        bootstrap = grid.intervals.bootstrap
        document["interval"] = {
            "method": "percentile bootstrap of the cell's complete (feasible) trial values",
            "level": bootstrap.level,
            "resamples": bootstrap.resamples,
            "seed": bootstrap.seed,
            "generator": "numpy.random.default_rng([seed, crc32(study name, UTF-8)])",
            "tied_with_best": "the cell's interval overlaps the best cell's (closed)",
        }
    return dumps_strict(document, indent=1) + "\n"


def grid_title(grid: Grid, n_grids: int = 1) -> str:
    """``best value, minimize`` plus ``· sweep phase6a`` when the campaign has several, and
    a note when a cell's metric is over feasible trials only (a constrained study)."""
    title = METRIC_LABELS[grid.metric] + (f", {grid.direction}" if grid.direction else "")
    if n_grids > 1 or len(grid.sweeps) > 1:
        title += f" · sweep {grid.sweep}"
    if grid.constrained and grid.metric in FEASIBLE_METRICS:
        title += f" · {CONSTRAINED_NOTE}"
    return title


def grids_text(grids: list[Grid], fmt: str, digits: int = 4) -> str:
    """Markdown or LaTeX: one table per grid, each under its sweep's name when several."""
    render = grid_markdown if fmt == "markdown" else grid_latex
    if len(grids) == 1:
        return render(grids[0], digits)
    parts = []
    for grid in grids:
        name = str(grid.sweep)
        caption = (
            f"**Sweep {markdown_escape(name)}**"
            if fmt == "markdown"
            else f"% sweep: {latex_escape(name)}"
        )
        parts.append(f"{caption}\n\n{render(grid, digits)}")
    return "\n".join(parts)


def grids_csv(grids: list[Grid]) -> str:
    """CSV of one grid as :func:`grid_csv`; of several, one table with a leading ``sweep``
    column (the union of their columns, empty where a sweep has no such column)."""
    if len(grids) == 1:
        return grid_csv(grids[0])
    if all(g.intervals is not None for g in grids):
        long = pd.concat(
            [interval_frame(g).assign(sweep=g.sweep) for g in grids], ignore_index=True
        )
        return frame_to_csv(long, ["sweep", *(c for c in long.columns if c != "sweep")])
    frames = [g.values.reset_index().assign(sweep=g.sweep) for g in grids]
    frame = pd.concat(frames, ignore_index=True)
    columns = ["sweep", grids[0].row_axis]
    for grid in grids:
        columns += [str(c) for c in grid.values.columns if str(c) not in columns]
    from hpo_tui.core.model.axes import axis_sort_key

    columns = columns[:2] + sorted(columns[2:], key=axis_sort_key)
    return frame_to_csv(frame, columns)


def grids_json(grids: list[Grid]) -> str:
    """Strict JSON of one grid as :func:`grid_json`; of several, an array of such documents."""
    if len(grids) == 1:
        return grid_json(grids[0])
    documents = [grid_json(g).rstrip("\n") for g in grids]
    return "[\n" + ",\n".join(documents) + "\n]\n"


def frame_json(frame: pd.DataFrame) -> str:
    """Records of ``frame`` as strict JSON."""
    return dumps_strict(frame.to_dict("records"), indent=1) + "\n"
