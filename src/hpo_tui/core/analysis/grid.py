"""The budget × horizon grid: one cell per study, a chosen metric per cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hpo_tui.core.analysis.dynamics import STUDY_DYNAMICS_LABELS, study_dynamics
from hpo_tui.core.analysis.metrics import DYNAMICS_METRICS, Metric
from hpo_tui.core.model.axes import ordered
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.model.constraints import infeasible_mask
from hpo_tui.core.model.frames import STATES

if TYPE_CHECKING:
    from hpo_tui.core.analysis.grid_ci import GridIntervals

METRIC_LABELS = {
    "best": "best value",
    "median": "median value (complete trials)",
    "top5_mean": "mean of the 5 best values",
    "n_diverged": "diverged trials",
    "best_epoch": "best epoch of the best trial",
    **{m: STUDY_DYNAMICS_LABELS[m] for m in DYNAMICS_METRICS},
}
# Metrics that rank cells by the objective, so that a "best cell" exists.
RANKED_METRICS = ("best", "median", "top5_mean")
# Metrics over the feasible trials only, in a constrained study (the best trial is feasible).
FEASIBLE_METRICS = (*RANKED_METRICS, "best_epoch")
CONSTRAINED_NOTE = "feasible trials only in constrained studies"


@dataclass
class Grid:
    """A grid of one metric over one sweep: ``values`` (rows × columns), the study ids behind
    each cell."""

    metric: Metric
    row_axis: str
    column_axis: str
    values: pd.DataFrame
    study_ids: pd.DataFrame
    direction: str | None  # common direction of the grid's studies, None if mixed
    best: tuple[str, str] | None  # (row, column) of the best cell for ranked metrics
    off_grid: list[int]  # study ids whose names fit no grid
    sweep: str | None = None  # the sweep shown (None: no study fits the grid)
    sweeps: list[str] = field(default_factory=list)  # every sweep of the campaign
    duplicates: list[int] = field(default_factory=list)  # same sweep and cell as a study shown
    constrained: list[int] = field(default_factory=list)  # cells' studies with constraints
    intervals: GridIntervals | None = None  # bootstrap intervals and ties (grid_ci)

    def marked(self) -> set[tuple[str, str]]:
        """The cells marked best (★, bold): with intervals, every cell tied with the best;
        else the best cell alone."""
        if self.intervals is not None:
            return set(self.intervals.tied)
        return {self.best} if self.best is not None else set()


def sweeps(campaign: Campaign) -> list[str]:
    """The campaign's sweeps (the parts of study names outside the axes), sorted."""
    return sorted({s for s in campaign.studies["sweep"] if isinstance(s, str)})


def default_sweep(campaign: Campaign) -> str | None:
    """The sweep with the most studies on its grid (the first such in :func:`sweeps`)."""
    counts = campaign.studies["sweep"].dropna().value_counts()
    if counts.empty:
        return None
    return min(counts.index[counts == counts.max()])


def grid_totals(campaign: Campaign, grid: Grid) -> dict[str, int]:
    """Studies, trials by state and diverged trials summed over the grid's cells: what the
    grid's header shows, so that it always equals the sum of what the cells show."""
    cells = [int(s) for s in grid.study_ids.stack().dropna()]
    studies = campaign.studies.set_index("study_id").loc[cells]
    columns = ["n_trials", *(f"n_{s.lower()}" for s in STATES), "n_diverged"]
    return {"n_studies": len(cells), **{c: int(studies[c].sum()) for c in columns}}


def study_metric(campaign: Campaign, metric: Metric) -> pd.Series:
    """The metric for every study (indexed by ``study_id``)."""
    studies = campaign.studies.set_index("study_id")
    trials = campaign.trials
    if metric == "best":
        return studies["best_value"].astype(float)
    if metric == "n_diverged":
        return studies["n_diverged"].astype(float)
    if metric in DYNAMICS_METRICS:
        return study_dynamics(campaign)[metric].astype(float).reindex(studies.index)
    if metric == "best_epoch":
        best = studies["best_trial"]
        out = {}
        for study_id, number in best.items():
            if pd.isna(number):
                out[study_id] = np.nan
                continue
            row = trials[(trials["study_id"] == study_id) & (trials["number"] == number)]
            step = row["curve_best_step"].iloc[0] if not row.empty else pd.NA
            out[study_id] = np.nan if pd.isna(step) else float(step)
        return pd.Series(out, dtype=float).reindex(studies.index)
    # Constrained studies: the feasible ones (and those without constraint values, which
    # Optuna counts feasible), as for the best value.
    eligible = (trials["state"] == "COMPLETE") & trials["value"].notna() & ~infeasible_mask(trials)
    complete = trials.loc[eligible, ["study_id", "value"]]  # not a copy of every column
    out = {}
    for study_id, group in complete.groupby("study_id"):
        direction = studies.loc[study_id, "direction"]
        values = group["value"].to_numpy(dtype=float)
        if direction not in ("minimize", "maximize"):
            out[study_id] = np.nan
        elif metric == "median":
            out[study_id] = float(np.median(values))
        else:
            ranked = np.sort(values) if direction == "minimize" else -np.sort(-values)
            out[study_id] = float(np.mean(ranked[:5]))
    return pd.Series(out, dtype=float).reindex(studies.index)


def build_grid(campaign: Campaign, metric: Metric = "best", sweep: str | None = None) -> Grid:
    """The grid of ``metric`` for one sweep (:func:`default_sweep` when ``None``): rows are the
    first axis, columns the second, in magnitude order.

    Raises:
        ValueError: if the axis pattern has fewer than two axes, or ``sweep`` is unknown.
    """
    if len(campaign.axis_names) < 2:
        raise ValueError("the grid needs an axis pattern with two named groups")
    row_axis, column_axis = campaign.axis_names[:2]
    studies = campaign.studies
    names = sweeps(campaign)
    if sweep is None:
        sweep = default_sweep(campaign)
    elif sweep not in names:
        known = ", ".join(names) if names else "none: no study name fits the grid"
        raise ValueError(f"no sweep {sweep!r} (sweeps: {known})")
    on_grid = studies[(studies["sweep"] == sweep) & studies[row_axis].notna()]
    on_grid = on_grid[on_grid[column_axis].notna()]
    rows = ordered(on_grid[row_axis])
    columns = ordered(on_grid[column_axis])
    metric_values = study_metric(campaign, metric)
    # Filled as arrays (a .loc write per cell costs milliseconds in pandas).
    cell_ids = np.zeros((len(rows), len(columns)), dtype=np.int64)
    cell_values = np.full((len(rows), len(columns)), np.nan, dtype=float)
    filled = np.zeros((len(rows), len(columns)), dtype=bool)
    duplicates = []
    positions = zip(
        pd.Index(rows).get_indexer(on_grid[row_axis]),
        pd.Index(columns).get_indexer(on_grid[column_axis]),
        on_grid["study_id"].tolist(),
        metric_values.reindex(on_grid["study_id"]).to_numpy(dtype=float).tolist(),
        strict=True,
    )
    for r, c, study_id, value in positions:
        if not filled[r, c]:  # the first study of a cell wins; duplicates are listed
            filled[r, c] = True
            cell_ids[r, c] = study_id
            cell_values[r, c] = value
        else:
            duplicates.append(int(study_id))
    values = pd.DataFrame(cell_values, index=rows, columns=columns, dtype=float)
    ids = pd.DataFrame(pd.NA, index=rows, columns=columns, dtype="Int64")
    for j, column in enumerate(columns):
        ids[column] = pd.arrays.IntegerArray(cell_ids[:, j], ~filled[:, j])
    directions = set(on_grid["direction"])
    direction = directions.pop() if len(directions) == 1 else None
    best = None
    if metric in RANKED_METRICS and direction in ("minimize", "maximize"):
        stacked = values.stack().dropna()
        if not stacked.empty:
            best = stacked.idxmin() if direction == "minimize" else stacked.idxmax()
    off = [int(s) for s in studies.loc[studies["sweep"].isna(), "study_id"]]
    values.index.name = row_axis
    ids.index.name = row_axis
    shown = {int(s) for s in ids.stack().dropna()}
    constrained = [
        int(s) for s, c in zip(on_grid["study_id"], on_grid["constrained"], strict=True) if c
    ]
    return Grid(
        metric,
        row_axis,
        column_axis,
        values,
        ids,
        direction,
        best,
        off,
        sweep,
        names,
        duplicates,
        [s for s in constrained if s in shown],
    )


QUALITY_STEPS = 5  # the grid's quality bar: 0 = best … 4 = worst


def quality_rank(grid: Grid, per_column: bool = True) -> pd.DataFrame:
    """0 (best) … 4 (worst) per cell, by the metric and the direction; NaN when unranked.

    ``per_column``: cells are ranked within their column (researchers compare budgets within
    a horizon, whose losses differ in scale); else over the whole grid. A cell's step is its
    position from best (0) to worst (1) in five equal bins (ties take the better position);
    a column (or grid) of a single
    ranked cell has nothing to compare with and stays unranked.
    """
    values = grid.values
    ranks = pd.DataFrame(np.nan, index=values.index, columns=values.columns)
    if grid.metric not in RANKED_METRICS or grid.direction not in ("minimize", "maximize"):
        return ranks
    groups = [[c] for c in values.columns] if per_column else [list(values.columns)]
    for columns in groups:
        flat = values[columns].stack().dropna()
        flat = flat[np.isfinite(flat.to_numpy(dtype=float))]
        if len(flat) < 2:
            continue
        # Ties share the better step: cells as good as the best are all best.
        order = flat.rank(method="min", ascending=grid.direction == "minimize")
        position = (order - 1) / (len(flat) - 1)
        for (row, column), where in position.items():
            ranks.loc[row, column] = min(QUALITY_STEPS - 1, int(where * QUALITY_STEPS))
    return ranks
