"""Optimization history: each trial's objective value, in trial order or completion order,
with the running best.

One row per trial of each single-objective study (:data:`HISTORY_COLUMNS`), as Optuna's
``plot_optimization_history`` reads a study:

- ``value``: the objective of a COMPLETE trial; empty for every other state (a pruned
  trial's stored value is its last intermediate value, not an objective, and Optuna's plot
  leaves it out too);
- ``best_value``: the best ``value`` so far (lowest when minimized, highest when maximized)
  over the COMPLETE trials that are not known to be infeasible (a trial without constraint
  values counts as feasible, as in Optuna's ``best_trial``): **an infeasible trial is never
  the best**. Empty until the first such trial; a running trial, a failed one, an infeasible
  one carry the best of the trials before them;
- ``new_best``: this trial set a new ``best_value`` (strictly better than every earlier one);
- ``elapsed_s``: seconds from the study's first trial start to this trial's completion.

``by="number"`` orders each study's trials by number (every trial, as Optuna's plot);
``by="time"`` by completion time (then number), so the running best is the best known at
each moment even when parallel workers finish trials out of order; trials that have not
finished (RUNNING, WAITING) have no place on that axis and are left out.

Multi-objective studies have no single best; they are left out (:func:`multi_objective`
names them).

This module is part of the UI-free core: it must not import textual or rich.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd

from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.model.constraints import infeasible_mask

HistoryOrder = Literal["number", "time"]
HISTORY_ORDERS: tuple[HistoryOrder, ...] = ("number", "time")
HISTORY_COLUMNS = [
    "study_id",
    "study",
    "number",
    "state",
    "datetime_complete",
    "elapsed_s",
    "value",
    "feasible",
    "best_value",
    "new_best",
]


def single_objective(campaign: Campaign, study_ids: Iterable[int] | None = None) -> list[int]:
    """The single-objective studies among ``study_ids`` (all when ``None``), in the order
    given (campaign order when ``None``)."""
    studies = campaign.studies.set_index("study_id")
    wanted = list(studies.index) if study_ids is None else [int(s) for s in study_ids]
    return [s for s in wanted if s in studies.index and int(studies.at[s, "n_objectives"]) == 1]


def multi_objective(campaign: Campaign, study_ids: Iterable[int] | None = None) -> list[int]:
    """The multi-objective studies among ``study_ids`` (all when ``None``)."""
    single = set(single_objective(campaign, study_ids))
    studies = campaign.studies.set_index("study_id")
    wanted = list(studies.index) if study_ids is None else [int(s) for s in study_ids]
    return [s for s in wanted if s in studies.index and s not in single]


def optimization_history(
    campaign: Campaign,
    study_ids: Iterable[int] | None = None,
    by: HistoryOrder = "number",
) -> pd.DataFrame:
    """The history of the single-objective studies among ``study_ids`` (all when ``None``),
    study after study in the order given; see the module docstring.

    Raises:
        ValueError: on an unknown ``by``.
    """
    if by not in HISTORY_ORDERS:
        raise ValueError(f"unknown order {by!r} (one of {', '.join(HISTORY_ORDERS)})")
    ids = single_objective(campaign, study_ids)
    trials = campaign.trials
    rows = trials[trials["study_id"].isin(ids).to_numpy()]
    position = {study_id: index for index, study_id in enumerate(ids)}
    order = rows["study_id"].map(position).to_numpy(dtype=np.int64)
    if by == "time":
        finished = rows["datetime_complete"].notna().to_numpy()
        rows, order = rows[finished], order[finished]
        sort = np.lexsort(
            (
                rows["number"].to_numpy(dtype=np.int64),
                rows["datetime_complete"].to_numpy(dtype="datetime64[ns]"),
                order,
            )
        )
    else:
        sort = np.lexsort((rows["number"].to_numpy(dtype=np.int64), order))
    rows = rows.iloc[sort]
    group = order[sort]

    direction = rows["study_id"].map(campaign.studies.set_index("study_id")["direction"])
    sign = np.where(direction.to_numpy(dtype=object) == "maximize", -1.0, 1.0)
    complete = rows["state"].to_numpy(dtype=object) == "COMPLETE"
    value = np.where(complete, rows["value"].to_numpy(dtype=float), np.nan)
    candidate = complete & ~np.isnan(value) & ~infeasible_mask(rows)

    # Running minimum of sign × value per study; "seen" counts the candidates so far, so
    # that a best of ±inf (a trial that returned inf) is told from "no best yet".
    signed = pd.Series(np.where(candidate, sign * value, np.inf))
    running = signed.groupby(group, sort=False).cummin().to_numpy(dtype=float)
    seen = pd.Series(candidate.astype(np.int64)).groupby(group, sort=False).cumsum().to_numpy()
    best = np.where(seen > 0, sign * running, np.nan)
    # The running best and count just before each row (nothing before a study's first row).
    first_row = np.r_[True, group[1:] != group[:-1]] if len(group) else np.zeros(0, bool)
    before = np.where(first_row, np.inf, np.r_[np.inf, running[:-1]])
    before_seen = np.where(first_row, 0, np.r_[0, seen[:-1]])
    new_best = candidate & ((before_seen == 0) | (sign * value < before))

    starts = trials.groupby("study_id")["datetime_start"].min()
    first_start = rows["study_id"].map(starts)
    elapsed = (rows["datetime_complete"] - first_start).dt.total_seconds()
    out = pd.DataFrame(
        {
            "study_id": rows["study_id"].to_numpy(dtype=np.int64),
            "study": rows["study"].to_numpy(dtype=object),
            "number": rows["number"].to_numpy(dtype=np.int64),
            "state": rows["state"].to_numpy(dtype=object),
            "datetime_complete": rows["datetime_complete"].to_numpy(),
            "elapsed_s": elapsed.to_numpy(dtype=float),
            "value": value,
            "feasible": rows["feasible"].array,
            "best_value": best,
            "new_best": new_best,
        }
    )
    out["datetime_complete"] = out["datetime_complete"].astype("datetime64[ns, UTC]")
    return out[HISTORY_COLUMNS]
