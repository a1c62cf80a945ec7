"""The grid screen's text: its cells, title and legend, drawn from a :class:`Grid`.

Pure rendering (Rich ``Text`` from the grid and the studies table); the screen keeps the
state (metric, sweep, scale, intervals) and the widgets."""

from __future__ import annotations

import pandas as pd
from rich.text import Text

from hpo_tui.core.analysis.grid import (
    CONSTRAINED_NOTE,
    FEASIBLE_METRICS,
    METRIC_LABELS,
    Grid,
    grid_totals,
)
from hpo_tui.core.analysis.grid_ci import CI_METRICS, Bootstrap
from hpo_tui.core.display import display_number, plural, printable
from hpo_tui.core.model.campaign import Campaign

# Five steps from best to worst; the glyphs keep the scale readable without colour.
SCALE_STYLES = ("bold green", "green", "yellow", "dark_orange", "red")
SCALE_GLYPHS = ("▰▰▰▰▰", "▰▰▰▰▱", "▰▰▰▱▱", "▰▰▱▱▱", "▰▱▱▱▱")
# Width of a cell whose counts are spelled out (``48 complete · 1 pruned · 0 failed · …``).
WIDE_CELL = 52


def interval_line(low: float, high: float, digits: int) -> str:
    """``[0.7098, 0.7240]``, a cell's bootstrap interval."""
    return f"[{display_number(low, digits)}, {display_number(high, digits)}]"


def grid_rows(
    grid: Grid, studies: pd.DataFrame, ranks: pd.DataFrame, digits: int, wide: bool
) -> list[tuple[str, list[Text]]]:
    """One row per budget: its label (the row key) and its cells, ``·`` where no study is.

    Args:
        grid: The grid shown.
        studies: The campaign's studies, indexed by ``study_id``.
        ranks: The quality rank (0 best … 4 worst, NaN unranked) of each cell.
        digits: Significant digits of the values.
        wide: Counts spelled out and two more digits.
    """
    rows: list[tuple[str, list[Text]]] = []
    for label, row in grid.values.iterrows():
        cells: list[Text] = [Text(printable(str(label)), style="bold")]
        for column, value in row.items():
            study_id = grid.study_ids.loc[label, column]
            if pd.isna(study_id):
                cells.append(Text("·", style="dim", justify="center"))
                continue
            info = studies.loc[int(study_id)]
            best = (label, column) in grid.marked()
            interval = None
            if grid.intervals is not None:
                interval = (
                    float(grid.intervals.low.loc[label, column]),
                    float(grid.intervals.high.loc[label, column]),
                )
            cell = grid_cell(value, info, ranks.loc[label, column], best, interval, digits, wide)
            if int(study_id) in grid.constrained and grid.metric in FEASIBLE_METRICS:
                cell = Text.assemble(("⊘ ", "dim"), cell, justify="right")
            cells.append(cell)
        rows.append((str(label), cells))
    return rows


def grid_cell(
    value: float,
    info: pd.Series,
    rank: float,
    best: bool,
    interval: tuple[float, float] | None,
    digits: int,
    wide: bool,
) -> Text:
    """A study's cell, three lines: the value with its quality bar, the counts by state,
    then the interval (when drawn) and the diverged count."""
    digits = digits + (2 if wide else 0)
    shown = display_number(value, digits)
    style = SCALE_STYLES[int(rank)] if pd.notna(rank) else ""
    text = Text(justify="right")
    text.append(("★ " if best else "") + shown, style=("bold " + style).strip())
    if pd.notna(rank):
        text.append(" " + SCALE_GLYPHS[int(rank)], style=style)
    states = [
        ("n_complete", "C", "complete"),
        ("n_pruned", "P", "pruned"),
        ("n_fail", "F", "failed"),
        ("n_running", "R", "running"),
    ]
    if info["n_waiting"]:
        states.append(("n_waiting", "W", "waiting"))
    if wide:
        counts = " · ".join(f"{info[c]} {word}" for c, _, word in states)
    else:
        counts = " ".join(f"{letter}{info[c]}" for c, letter, _ in states)
    text.append("\n" + counts, style="dim")
    diverged = int(info["n_diverged"])
    text.append("\n")
    if interval is not None:  # the third line: the interval, then the diverged count
        text.append(interval_line(*interval, digits), style="bold" if best else "")
        text.append(" ")
    if diverged:
        text.append(f"⚠ {diverged} diverged" if wide else f"⚠ {diverged}", style="bold red")
    else:
        text.append("·", style="dim")
    return text


def grid_title(campaign: Campaign, grid: Grid, pending: bool = False) -> Text:
    """Metric, sweep, and the counts of this grid's cells (their sums, nothing else)."""
    totals = grid_totals(campaign, grid)
    direction = f" ({grid.direction})" if grid.direction else ""
    title = Text.assemble((METRIC_LABELS[grid.metric], "bold"), direction)
    if grid.sweep is not None and (len(grid.sweeps) > 1 or grid.sweep):
        where = grid.sweeps.index(grid.sweep) + 1
        title.append("   sweep ")
        title.append(printable(grid.sweep) or "(axes only)", style="bold")
        if len(grid.sweeps) > 1:
            title.append(f" ({where} of {len(grid.sweeps)}, [ ] to switch)", style="dim")
    title.append(
        f"\n{plural(totals['n_studies'], 'study')} · {plural(totals['n_trials'], 'trial')} · "
    )
    title.append(f"{totals['n_diverged']} diverged", style="bold red")
    if grid.intervals is not None and grid.best is None:
        title.append(" · intervals; no best cell (mixed directions): no ties", style="dim")
    elif grid.intervals is not None:
        title.append(f" · {len(grid.intervals.tied)} tied with the best", style="bold")
    elif pending:
        title.append(" · drawing intervals…", style="dim")
    return title


def star_legend(grid: Grid, show_intervals: bool, pending: bool, bootstrap: Bootstrap) -> str:
    """What ★ marks: the best cell, and with intervals shown, the cells tied with it."""
    if not show_intervals:
        return "★ best"
    if grid.metric not in CI_METRICS:
        return "★ best (intervals: best, median, top-5 mean only; b hides)"
    if pending:
        return "★ best (drawing intervals…)"
    return (
        f"★ best and every cell tied with it: {bootstrap.level * 100:g} % bootstrap "
        f"intervals [low, high] overlap ({bootstrap.resamples} resamples, seed "
        f"{bootstrap.seed}; b hides)"
    )


def grid_legend(
    grid: Grid, studies: pd.DataFrame, ranks: pd.DataFrame, star: str, wide: bool, per_column: bool
) -> Text:
    """The line under the grid: ★, the counts' letters, ⚠, ⊘ and the quality scale."""
    legend = star + "   "
    legend += "counts by state" if wide else "C complete · P pruned · F failed · R running"
    cells = [int(s) for s in grid.study_ids.stack().dropna()]
    if not wide and studies.loc[cells, "n_waiting"].any():
        legend += " · W waiting"
    legend += "   ⚠ diverged"
    if grid.constrained and grid.metric in FEASIBLE_METRICS:
        legend += f"   ⊘ constrained study: {CONSTRAINED_NOTE}"
    if ranks.notna().any().any():
        scope = f"per {grid.column_axis}" if per_column else "over the grid"
        legend += f"   {SCALE_GLYPHS[0]} best … {SCALE_GLYPHS[-1]} worst, {scope} (c)"
    return Text(legend, style="dim")


def cell_study(grid: Grid, info: pd.Series) -> int | None:
    """The study shown in the cell of ``info``'s axes values, if any."""
    row, column = info[grid.row_axis], info[grid.column_axis]
    if row in grid.study_ids.index and column in grid.study_ids.columns:
        study_id = grid.study_ids.loc[row, column]
        return None if pd.isna(study_id) else int(study_id)
    return None


def other_study_text(studies: pd.DataFrame, study_id: int, why: str) -> Text:
    """A study the grid does not show: its name, trials, why, and its source when several."""
    name = printable(str(studies.loc[study_id, "study"]))
    trials = plural(int(studies.loc[study_id, "n_trials"]), "trial")
    text = Text.assemble((name, "bold"), f" · {trials} · ", (why, "dim"))
    if studies["source"].nunique() > 1:
        text.append(f" · {printable(str(studies.loc[study_id, 'source']))}", style="dim")
    return text
