"""The budget × horizon grid: one cell per study, a chosen metric per cell."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from hpo_tui.core.axes import ordered
from hpo_tui.core.campaign import Campaign
from hpo_tui.core.dynamics import STUDY_DYNAMICS_LABELS, study_dynamics

Metric = Literal[
    "best",
    "median",
    "top5_mean",
    "n_diverged",
    "best_epoch",
    "best_epoch_q25",
    "best_epoch_median",
    "best_epoch_q75",
    "final_gap_median",
    "train_val_gap_median",
    "frac_still_improving",
]
# Training-dynamics statistics (hpo_tui.core.dynamics) that are metrics of a cell.
DYNAMICS_METRICS: tuple[Metric, ...] = (
    "best_epoch_q25",
    "best_epoch_median",
    "best_epoch_q75",
    "final_gap_median",
    "train_val_gap_median",
    "frac_still_improving",
)
METRICS: tuple[Metric, ...] = (
    "best",
    "median",
    "top5_mean",
    "n_diverged",
    "best_epoch",
    *DYNAMICS_METRICS,
)
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


@dataclass
class Grid:
    """A grid of one metric: ``values`` (rows × columns), the study ids behind each cell."""

    metric: Metric
    row_axis: str
    column_axis: str
    values: pd.DataFrame
    study_ids: pd.DataFrame
    direction: str | None  # common direction of the grid's studies, None if mixed
    best: tuple[str, str] | None  # (row, column) of the best cell for ranked metrics
    off_grid: list[int]  # study ids whose names fit no grid


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
    complete = trials[(trials["state"] == "COMPLETE") & trials["value"].notna()]
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


def build_grid(campaign: Campaign, metric: Metric = "best") -> Grid:
    """The grid of ``metric``: rows are the first axis, columns the second, in magnitude order.

    Raises:
        ValueError: if the axis pattern has fewer than two axes.
    """
    if len(campaign.axis_names) < 2:
        raise ValueError("the grid needs an axis pattern with two named groups")
    row_axis, column_axis = campaign.axis_names[:2]
    studies = campaign.studies
    on_grid = studies[studies[row_axis].notna() & studies[column_axis].notna()]
    rows = ordered(on_grid[row_axis])
    columns = ordered(on_grid[column_axis])
    metric_values = study_metric(campaign, metric)
    values = pd.DataFrame(np.nan, index=rows, columns=columns, dtype=float)
    ids = pd.DataFrame(pd.NA, index=rows, columns=columns, dtype="Int64")
    for row in on_grid.itertuples(index=False):
        r, c = getattr(row, row_axis), getattr(row, column_axis)
        if pd.isna(ids.loc[r, c]):  # the first study of a cell wins; duplicates are listed
            ids.loc[r, c] = row.study_id
            values.loc[r, c] = metric_values.loc[row.study_id]
    directions = set(on_grid["direction"])
    direction = directions.pop() if len(directions) == 1 else None
    best = None
    if metric in RANKED_METRICS and direction in ("minimize", "maximize"):
        stacked = values.stack().dropna()
        if not stacked.empty:
            best = stacked.idxmin() if direction == "minimize" else stacked.idxmax()
    placed = set(ids.stack().dropna().astype(int))
    off = [int(s) for s in studies["study_id"] if int(s) not in placed]
    values.index.name = row_axis
    ids.index.name = row_axis
    return Grid(metric, row_axis, column_axis, values, ids, direction, best, off)
