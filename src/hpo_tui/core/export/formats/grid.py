"""Renderings of the grid and of summary tables for papers and pipes (no Rich)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from hpo_tui.core.analysis.grid import CONSTRAINED_NOTE, FEASIBLE_METRICS, METRIC_LABELS, Grid
from hpo_tui.core.export.formats.csv import frame_to_csv
from hpo_tui.core.export.formats.json import dumps_strict
from hpo_tui.core.export.formats.markup import (
    cell_display,
    latex_escape,
    latex_table,
    markdown_escape,
    markdown_table,
)


def grid_header(grid: Grid) -> list[str]:
    """``Budget | h1 | h3 | h5``: the row axis name capitalised, then the column values."""
    return [grid.row_axis.capitalize(), *map(str, grid.values.columns)]


def grid_cells(grid: Grid, digits: int = 4) -> tuple[list[list[str]], set[tuple[int, int]]]:
    """Display rows and the position of the best cell (row, column) in them."""
    rows = []
    bold: set[tuple[int, int]] = set()
    for i, (label, row) in enumerate(grid.values.iterrows()):
        cells = [str(label)]
        for j, (column, value) in enumerate(row.items(), start=1):
            if pd.isna(grid.study_ids.loc[label, column]):
                cells.append("")
                continue
            cells.append(cell_display(value, digits))
            if grid.best == (label, column):
                bold.add((i, j))
        rows.append(cells)
    return rows, bold


def grid_markdown(grid: Grid, digits: int = 4) -> str:
    """The grid as a Markdown table, the best cell in ``**bold**``."""
    rows, bold = grid_cells(grid, digits)
    return markdown_table(grid_header(grid), rows, bold)


def grid_latex(grid: Grid, digits: int = 4) -> str:
    """The grid as a booktabs LaTeX table, the best cell in ``\\textbf{}``."""
    rows, bold = grid_cells(grid, digits)
    return latex_table(grid_header(grid), rows, bold)


def grid_csv(grid: Grid) -> str:
    """The grid as CSV with exact floats (rows = first axis)."""
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
            cells.append(
                {
                    grid.row_axis: label,
                    grid.column_axis: column,
                    "value": float(grid.values.loc[label, column]),
                    "best": grid.best == (label, column),
                }
            )
    document = {
        "sweep": grid.sweep,
        "metric": grid.metric,
        "metric_label": METRIC_LABELS[grid.metric],
        "direction": grid.direction,
        "rows": [str(v) for v in grid.values.index],
        "columns": [str(v) for v in grid.values.columns],
        "cells": cells,
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
