"""Contour, terminal-style: for two params of a study, the best objective value per cell of
a binned grid, and its picture in glyph density (it reads without colour).

Bins span each param's search space (the stored distributions' ``low`` to ``high``): equal
widths, on a log scale for a log param; an integer param with no more values than bins gets
one bin per value; a categorical param one bin per choice. A value on an inner edge falls in
the bin above it; ``high`` falls in the last bin.

The trials counted are the COMPLETE ones with the objective stored that sampled both params,
except the infeasible ones of a constrained study (never the best, as in Optuna). The best
value of a cell is the lowest (minimize) or highest (maximize), the lowest trial number
among equals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.analysis.bands import check_objective
from hpo_tui.core.analysis.defaults import DEFAULT_BINS
from hpo_tui.core.analysis.params import ParamInfo, numeric, param_infos, study_param_values
from hpo_tui.core.analysis.patterns import choice_label
from hpo_tui.core.display import display_number
from hpo_tui.core.errors import HpoTuiError
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.model.constraints import infeasible_mask
from hpo_tui.core.model.objectives import objective_values

MAX_BINS = 200
# Sparse to dense: the densest glyph is the best cell.
GLYPHS = ".:-=+*#%@"
EMPTY_GLYPH = " "
CELL_COLUMNS = [
    "x_bin",
    "x_label",
    "x_low",
    "x_high",
    "y_bin",
    "y_label",
    "y_low",
    "y_high",
    "n_trials",
    "best_value",
    "best_number",
]


@dataclass
class Axis:
    """One param's bins: ``edges`` (n + 1, numeric params) or ``labels`` (one per choice)."""

    info: ParamInfo
    edges: np.ndarray = field(default_factory=lambda: np.zeros(0))
    labels: list[str] = field(default_factory=list)
    per_value: bool = False  # an integer param with one bin per value (edges at ± 0.5)

    @property
    def n_bins(self) -> int:
        return len(self.labels) if self.info.categorical else len(self.edges) - 1

    @property
    def log(self) -> bool:
        return self.info.scale == "log"

    def bin_of(self, values: pd.Series) -> np.ndarray:
        """Each value's bin (-1: not a value of this axis, e.g. a choice no longer listed)."""
        if self.info.categorical:
            return np.array(
                [-1 if (i := self.info.choice_index(v)) is None else i for v in values.tolist()],
                dtype=np.int64,
            )
        x = numeric(values)
        inside = np.isfinite(x) & (x >= self.edges[0]) & (x <= self.edges[-1])
        if self.log:
            inside &= x > 0
        bins = np.full(len(x), -1, dtype=np.int64)
        if self.per_value:
            bins[inside] = np.rint(x[inside] - (self.edges[0] + 0.5)).astype(np.int64)
        else:
            low, high = _scaled(self.edges[0], self.log), _scaled(self.edges[-1], self.log)
            scaled = _scaled(x[inside], self.log)
            position = np.floor((scaled - low) / (high - low) * self.n_bins) if high > low else 0
            bins[inside] = np.minimum(position, self.n_bins - 1).astype(np.int64)
        return bins

    def label(self, index: int) -> str:
        """A bin's label: the choice, the integer, or ``low–high``."""
        if self.info.categorical:
            return self.labels[index]
        if self.per_value:
            return display_number(self.edges[index] + 0.5)
        return f"{tick_text(self.edges[index])}–{tick_text(self.edges[index + 1])}"


def _scaled(x: Any, log: bool) -> Any:
    return np.log10(x) if log else x


def make_axis(info: ParamInfo, n_bins: int) -> Axis:
    """The bins of one param (see the module docstring)."""
    if info.categorical:
        return Axis(info, labels=[choice_label(c) for c in info.choices])
    low, high = info.low, info.high
    if info.integer and high - low + 1 <= n_bins:
        return Axis(info, edges=np.arange(low - 0.5, high + 1.0, 1.0), per_value=True)
    if info.scale == "log" and low > 0:
        edges = np.logspace(math.log10(low), math.log10(high), n_bins + 1)
    else:
        edges = np.linspace(low, high, n_bins + 1)
    edges[0], edges[-1] = low, high  # exactly the bounds (10 ** log10(x) may differ from x)
    return Axis(info, edges=edges)


@dataclass
class Contour:
    """The binned best values of one study over two params.

    ``cells`` has one row per cell (y bins in the outer order, both from 0), with the
    columns of :data:`CELL_COLUMNS`: the bin labels and numeric edges (empty for a
    categorical param), the trials counted in the cell, the best value and its trial.
    """

    study: str
    x: Axis
    y: Axis
    objective: str
    direction: str
    cells: pd.DataFrame
    n_trials: int  # the trials counted, in any cell
    n_without: int  # ranked trials lacking one of the two params

    def best_grid(self) -> np.ndarray:
        """The best values as a (y bins × x bins) array, NaN where no trial fell."""
        grid = np.full((self.y.n_bins, self.x.n_bins), np.nan)
        cells = self.cells
        grid[cells["y_bin"].to_numpy(dtype=int), cells["x_bin"].to_numpy(dtype=int)] = cells[
            "best_value"
        ].to_numpy(dtype=float)
        return grid

    def best_cell(self) -> pd.Series | None:
        """The cell holding the best value (the lower trial number on a tie); None when no
        trial fell in any cell."""
        if not len(self.cells):
            return None
        ascending = [self.direction != "maximize", True]
        return self.cells.sort_values(["best_value", "best_number"], ascending=ascending).iloc[0]


def check_bins(n_bins: int) -> int:
    """``n_bins`` when it is from 1 to :data:`MAX_BINS`.

    Raises:
        HpoTuiError: otherwise.
    """
    if not 1 <= n_bins <= MAX_BINS:
        raise HpoTuiError(f"{n_bins} bins: the number of bins must be from 1 to {MAX_BINS}")
    return n_bins


def contour(
    campaign: Campaign,
    study_id: int,
    x_param: str,
    y_param: str,
    bins: tuple[int, int] = (DEFAULT_BINS, DEFAULT_BINS),
    objective: int = 0,
) -> Contour:
    """The best objective value per cell of ``x_param`` × ``y_param`` (module docstring).

    Raises:
        HpoTuiError: a param the study lacks, the same param twice, a bad bin count or an
            objective index the study does not have.
    """
    for n in bins:
        check_bins(n)
    info = check_objective(campaign, study_id, objective)
    study_name = str(campaign.studies.set_index("study_id").loc[study_id, "study"])
    values = study_param_values(campaign, study_id)
    infos = param_infos(values)
    for param in (x_param, y_param):
        if param not in infos:
            known = ", ".join(infos) or "none"
            raise HpoTuiError(f"study {study_name!r} has no param {param!r} (params: {known})")
    if x_param == y_param:
        raise HpoTuiError(f"the contour needs two different params (both are {x_param!r})")
    x_axis, y_axis = make_axis(infos[x_param], bins[0]), make_axis(infos[y_param], bins[1])
    column, direction = info.columns[objective], info.directions[objective]

    trials = campaign.study_trials(study_id)
    scores = objective_values(trials, [column])[:, 0]
    ranked = (trials["state"].to_numpy(dtype=object) == "COMPLETE") & ~np.isnan(scores)
    ranked &= ~infeasible_mask(trials)
    chosen = trials[ranked]
    keys = chosen["key"].to_numpy(dtype=np.int64)
    names = values["param_name"].to_numpy(dtype=object)
    position = {}
    for axis_name, axis in (("x", x_axis), ("y", y_axis)):
        mine = values[names == axis.info.name]
        found = pd.Series(mine["value"].to_numpy(dtype=object), index=mine["key"].to_numpy())
        has = np.isin(keys, found.index.to_numpy())
        bins_of = np.full(len(keys), -1, dtype=np.int64)
        bins_of[has] = axis.bin_of(found.reindex(keys[has]))
        position[axis_name] = bins_of
    both = (position["x"] >= 0) & (position["y"] >= 0)
    frame = pd.DataFrame(
        {
            "x_bin": position["x"][both],
            "y_bin": position["y"][both],
            "value": scores[ranked][both],
            "number": chosen["number"].to_numpy(dtype=np.int64)[both],
        }
    )
    frame = frame.sort_values(
        ["value", "number"], ascending=[direction != "maximize", True], kind="stable"
    )
    grouped = frame.groupby(["y_bin", "x_bin"], sort=True)
    best = grouped.first()
    counts = grouped.size()
    cells = pd.DataFrame(
        {
            "x_bin": best.index.get_level_values("x_bin").to_numpy(dtype=np.int64),
            "y_bin": best.index.get_level_values("y_bin").to_numpy(dtype=np.int64),
            "n_trials": counts.to_numpy(dtype=np.int64),
            "best_value": best["value"].to_numpy(dtype=float),
            "best_number": best["number"].to_numpy(dtype=np.int64),
        }
    )
    for prefix, axis in (("x", x_axis), ("y", y_axis)):
        index = cells[f"{prefix}_bin"].to_numpy(dtype=np.int64)
        cells[f"{prefix}_label"] = pd.Series([axis.label(i) for i in index], dtype=object)
        if axis.info.categorical:
            cells[f"{prefix}_low"] = np.nan
            cells[f"{prefix}_high"] = np.nan
        else:
            cells[f"{prefix}_low"] = axis.edges[index]
            cells[f"{prefix}_high"] = axis.edges[index + 1]
    return Contour(
        study=study_name,
        x=x_axis,
        y=y_axis,
        objective=info.names[objective],
        direction=direction,
        cells=cells[CELL_COLUMNS].reset_index(drop=True),
        n_trials=int(both.sum()),
        n_without=int((~both).sum()),
    )


@dataclass
class GlyphLegend:
    """Which glyph stands for which values: ``(glyph, lowest, highest)``, best first."""

    entries: list[tuple[str, float, float]]


def glyph_levels(grid: np.ndarray, direction: str) -> tuple[np.ndarray, GlyphLegend]:
    """Each cell's glyph level (0 … len(GLYPHS) - 1, the best cells the densest; -1 for an
    empty cell) and the legend.

    Levels follow the rank of the distinct cell values, so that one extreme value does not
    flatten the others into one glyph; the legend gives each glyph's value range.
    """
    levels = np.full(grid.shape, -1, dtype=np.int64)
    present = ~np.isnan(grid)
    if not present.any():
        return levels, GlyphLegend([])
    unique = np.unique(grid[present])  # ascending
    if direction == "maximize":
        unique = unique[::-1]
    count = len(GLYPHS)
    # Distinct value i of n (best first) gets level count-1 - floor(i * count / n).
    rank = {float(v): i for i, v in enumerate(unique)}
    ranks = np.vectorize(lambda v: rank[float(v)])(grid[present])
    levels[present] = count - 1 - (ranks * count // len(unique))
    entries: list[tuple[str, float, float]] = []
    for level in range(count - 1, -1, -1):
        chosen = grid[present][levels[present] == level]
        if len(chosen):
            entries.append((GLYPHS[level], float(chosen.min()), float(chosen.max())))
    return levels, GlyphLegend(entries)


def x_cell_width(axis: Axis, cell_width: int) -> int:
    """The width of one x cell: ``cell_width``, wider for choices (up to 10 columns) so that
    each choice's name can stand under its cell."""
    if axis.info.categorical or axis.per_value:
        longest = max((len(axis.label(i)) for i in range(axis.n_bins)), default=1)
        return max(cell_width, min(longest + 1, 10))
    return cell_width


def contour_lines(result: Contour, cell_width: int = 2, label_width: int = 12) -> list[str]:
    """The picture as plain lines: a title, the y param's bins top (high) to bottom with
    the cells in glyphs, the x axis, then the legend (one glyph a line)."""
    grid = result.best_grid()
    levels, legend = glyph_levels(grid, result.direction)
    width = x_cell_width(result.x, cell_width)
    lines = [
        f"{result.objective} ({result.direction}): best per cell of "
        f"{result.x.info.name} × {result.y.info.name}",
        f"{axis_title(result.y)} ↑",
    ]
    for row in range(result.y.n_bins - 1, -1, -1):
        label = short(result.y.label(row), label_width).rjust(label_width)
        cells = "".join(
            (EMPTY_GLYPH if level < 0 else GLYPHS[level]) * width for level in levels[row]
        )
        lines.append(f"{label} │{cells}│")
    lines.append(" " * label_width + " └" + "─" * (result.x.n_bins * width) + "┘")
    lines.append(" " * (label_width + 2) + x_ticks(result.x, width))
    lines.append(" " * (label_width + 2) + f"{axis_title(result.x)} →")
    lines.extend(legend_lines(legend))
    return lines


def axis_title(axis: Axis) -> str:
    """The param's name, with ``(log)`` for a log axis."""
    return axis.info.name + (" (log)" if axis.log else "")


def short(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns, with ``…`` where it was cut."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def tick_text(x: float) -> str:
    """An axis position, short (``1e-05``, ``0.001``, ``232``): a place on the axis, not a
    value of the data, which the cells' labels and the legend give in full."""
    return f"{x:.3g}"


def x_ticks(axis: Axis, cell_width: int) -> str:
    """The x axis labels under the cells: each choice (or integer) under its cell, cut to
    the cell; or the bin edges that fit, the first and the last always."""
    n = axis.n_bins
    if axis.info.categorical or axis.per_value:
        return "".join(short(axis.label(i), cell_width - 1).ljust(cell_width) for i in range(n))
    width = n * cell_width + 1
    line = [" "] * (width + 8)
    texts = [tick_text(float(e)) for e in axis.edges]
    last = texts[-1]
    last_start = max(width - len(last), len(texts[0]) + 1)
    line[last_start : last_start + len(last)] = list(last)
    line[0 : len(texts[0])] = list(texts[0])
    taken_until = len(texts[0])
    for index in range(1, n):
        text = texts[index]
        start = index * cell_width
        if start <= taken_until or start + len(text) >= last_start:
            continue
        line[start : start + len(text)] = list(text)
        taken_until = start + len(text)
    return "".join(line).rstrip()


def legend_lines(legend: GlyphLegend) -> list[str]:
    """One line a glyph, best first: ``@  0.012 … 0.015  (best)``; then the blank."""
    lines = []
    for position, (glyph, low, high) in enumerate(legend.entries):
        span = (
            display_number(low)
            if low == high
            else f"{display_number(low)} … {display_number(high)}"
        )
        lines.append(f"{glyph}  {span}" + ("  (best)" if position == 0 else ""))
    lines.append("   blank: no trial")
    return lines
