"""Pruner audit: did the pruner stop trials that might have finished among the best?

Definitions (the export's README and ``hpo-tui pruning`` say the same):

* **Reference trials** of a study: its COMPLETE trials with a finite objective value. Their
  **final rank** orders them by value, best first (lowest when minimized, highest when
  maximized), ties broken by trial number; the **top k** are the first
  ``ceil(top_fraction × n)`` of them (default 10 %: the top set of the slice view and of
  PED-ANOVA, :data:`hpo_tui.core.analysis.patterns.TOP_FRACTION`). Constraints are not
  applied (as in that top set).
* A PRUNED trial's **pruning step** is the last step it passed to ``trial.report`` (a pruner
  decides right after a report), and its **value at pruning** the value reported there.
* Its **rank at pruning** is ``1 +`` the number of reference trials whose intermediate value
  at that same step is strictly better: 1 is best, and a tie takes the better rank (as good
  as a reference trial means ranked with it). Only reference trials that reported a finite
  value at exactly that step take part (``n_complete_at_step``).
* A reference trial **ranked as low (or lower)** at that step when its value there was no
  better than the pruned trial's (ties included); ``best_final_rank_as_low`` is the best
  final rank among them, and the pruned trial is a **possible false prune** when that rank is
  within the top k: some trial that looked no better at that step went on to finish among
  the best.
* **Steps not run** of a pruned trial: the study's **full step** (the last step any of its
  COMPLETE trials reported) minus the pruning step, at least 0; in ``trial.report`` step
  units (epochs when steps are epochs).

Per study: ``n_pruned`` PRUNED trials, ``n_assessed`` of them assessed (single-objective
study, a pruning step, a value there that is not NaN, and at least one reference trial
reporting that step), ``n_possible_false_prune`` of those, and the **false-prune estimate**
``n_possible_false_prune / n_assessed`` (NaN when nothing could be assessed, never 0);
``steps_not_run`` sums the pruned trials' steps not run (those with a pruning step; 0 when
nothing was pruned). The estimate is an upper bound on mistakes, not a count of them: a
trial that looked as good as an eventual winner at one step need not have become one.

This module is part of the UI-free core: it must not import textual or rich.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hpo_tui.core.analysis.patterns import TOP_FRACTION
from hpo_tui.core.analysis.summary import study_order
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.model.curves import INTERMEDIATE

MULTI_OBJECTIVE_NOTE = "multi-objective study: no single ranking"
NO_INTERMEDIATE_NOTE = "no intermediate values reported"
NAN_VALUE_NOTE = "value at the pruning step is NaN"
NO_PRUNED_NOTE = "no pruned trials"
# Why a pruned trial was not assessed, as the study's note counts it.
_REASONS = {
    NO_INTERMEDIATE_NOTE: NO_INTERMEDIATE_NOTE,
    NAN_VALUE_NOTE: NAN_VALUE_NOTE,
    "no COMPLETE trial": "no COMPLETE trial reported its step",
}

PRUNED_TRIAL_FIELDS = [
    "number",
    "pruning_step",
    "value_at_pruning",
    "n_complete_at_step",
    "rank_at_pruning",
    "best_final_rank_as_low",
    "possible_false_prune",
    "full_step",
    "steps_not_run",
    "note",
]
STUDY_PRUNING_FIELDS = [
    "direction",
    "n_complete",
    "top_k_fraction",
    "n_top_k",
    "n_pruned",
    "n_assessed",
    "n_possible_false_prune",
    "false_prune_estimate",
    "full_step",
    "steps_not_run",
    "note",
]


def pruned_trial_columns(campaign: Campaign) -> list[str]:
    """Columns of :attr:`PruningAudit.trials` (``hpo_pruning_trials.csv`` without
    ``study_id``): identity, then :data:`PRUNED_TRIAL_FIELDS`."""
    return ["study_id", "study", "source", *campaign.axis_names, "sweep", *PRUNED_TRIAL_FIELDS]


def study_pruning_columns(campaign: Campaign) -> list[str]:
    """Columns of :attr:`PruningAudit.studies` (``hpo_pruning.csv`` without ``study_id``)."""
    return ["study_id", "study", "source", *campaign.axis_names, "sweep", *STUDY_PRUNING_FIELDS]


@dataclass
class PruningAudit:
    """The audit of every study: one row per PRUNED trial, one row per study."""

    trials: pd.DataFrame  # pruned_trial_columns, by study (summary order) then number
    studies: pd.DataFrame  # study_pruning_columns, in summary order
    top_fraction: float


def check_fraction(top_fraction: float) -> float:
    """``top_fraction`` as a float in (0, 1].

    Raises:
        ValueError: naming the top-k fraction and what is wrong.
    """
    value = float(top_fraction)
    if not (0.0 < value <= 1.0):
        raise ValueError(f"top-k fraction must be in (0, 1], not {top_fraction!r}")
    return value


def _identity(campaign: Campaign, study_ids: np.ndarray) -> pd.DataFrame:
    studies = campaign.studies.set_index("study_id")
    columns = ["study", "source", *campaign.axis_names, "sweep"]
    frame = studies.loc[study_ids, columns].reset_index()
    for column in columns:
        series = frame[column].astype(object)
        frame[column] = series.where(series.notna(), None)
    return frame


def _final_ranks(
    trials: pd.DataFrame, signed_values: np.ndarray, reference: np.ndarray
) -> tuple[pd.Series, pd.Series]:
    """(final rank of each reference trial by key, number of reference trials per study)."""
    chosen = trials[reference]
    signed = signed_values[reference]
    order = np.lexsort((chosen["number"].to_numpy(), signed, chosen["study_id"].to_numpy()))
    ordered = chosen.iloc[order]
    rank = ordered.groupby("study_id", sort=False).cumcount().to_numpy() + 1
    return (
        pd.Series(rank, index=ordered["key"].to_numpy(), dtype=np.int64),
        ordered.groupby("study_id").size(),
    )


def _intermediate(campaign: Campaign) -> pd.DataFrame:
    """The ``intermediate`` curve points: ``key, step, value`` (sorted by key, then step)."""
    curves = campaign.curves
    if curves.empty:
        return pd.DataFrame({"key": [], "step": [], "value": []}).astype(
            {"key": np.int64, "step": np.int64, "value": float}
        )
    names = curves["curve"].cat.categories
    if INTERMEDIATE not in names:
        return curves.iloc[0:0][["key", "step", "value"]]
    code = names.get_loc(INTERMEDIATE)
    mask = curves["curve"].cat.codes.to_numpy() == code
    return curves.loc[mask, ["key", "step", "value"]]


def _pair_codes(
    ref: tuple[np.ndarray, np.ndarray], query: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """One integer per distinct (study, step) pair of ``ref`` and ``query`` (each two int
    arrays): equal pairs get equal codes. Each array is factorized alone and the two codes
    combined into one int64 (a MultiIndex's factorize builds a tuple per point: seconds at
    millions of points)."""
    n_ref = len(ref[0])
    studies, _ = pd.factorize(np.concatenate([ref[0], query[0]]))
    steps, step_values = pd.factorize(np.concatenate([ref[1], query[1]]))
    pairs = studies.astype(np.int64) * np.int64(max(len(step_values), 1)) + steps
    # Dense again (0, 1, ... in order of first appearance, as a factorize of the pairs),
    # which keeps _compare's group x value keys small.
    codes, _ = pd.factorize(pairs)
    codes = codes.astype(np.int64)
    return codes[:n_ref], codes[n_ref:]


def _compare(
    ref_group: np.ndarray,
    ref_value: np.ndarray,
    ref_rank: np.ndarray,
    query_group: np.ndarray,
    query_value: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per query (a group and a signed value, smaller is better): the reference points of its
    group, those strictly better, and the best (smallest) rank among those no better.

    One sort of the reference points by (group, value); values are replaced by their position
    among every value, so that (group, value) becomes one sortable integer and one
    ``searchsorted`` answers every query. Returns ``(n_in_group, n_better, best_rank_as_low)``,
    the last -1 where no point of the group is as low.
    """
    every = np.unique(np.concatenate([ref_value, query_value]))
    width = np.int64(len(every))
    ref_key = ref_group * width + np.searchsorted(every, ref_value)
    query_key = query_group * width + np.searchsorted(every, query_value)
    order = np.argsort(ref_key, kind="stable")
    ref_key, ref_group, ref_rank = ref_key[order], ref_group[order], ref_rank[order]
    starts = np.searchsorted(ref_group, query_group, side="left")
    ends = np.searchsorted(ref_group, query_group, side="right")
    below = np.searchsorted(ref_key, query_key, side="left")  # first point no better
    # Best rank from each point to the end of its group: a reversed running minimum.
    suffix = (
        pd.Series(ref_rank[::-1]).groupby(ref_group[::-1], sort=False).cummin().to_numpy()[::-1]
        if len(ref_rank)
        else ref_rank
    )
    has_low = below < ends
    best = np.full(len(query_group), -1, dtype=np.int64)
    best[has_low] = suffix[below[has_low]]
    return ends - starts, below - starts, best


def pruning_audit(campaign: Campaign, top_fraction: float = TOP_FRACTION) -> PruningAudit:
    """The pruner audit of every study (definitions in the module docstring).

    Args:
        campaign: The loaded campaign.
        top_fraction: The top k as a fraction of a study's reference trials, in (0, 1].

    Raises:
        ValueError: ``top_fraction`` is outside (0, 1].
    """
    fraction = check_fraction(top_fraction)
    studies = campaign.studies.set_index("study_id")
    direction = studies["direction"]
    sign = pd.Series(
        np.where(direction == "minimize", 1.0, np.where(direction == "maximize", -1.0, np.nan)),
        index=studies.index,
    )
    trials = campaign.trials
    state = trials["state"].to_numpy(dtype=object)
    trial_sign = trials["study_id"].map(sign).to_numpy(dtype=float)
    single = ~np.isnan(trial_sign)
    values = (
        trials["value"].to_numpy(dtype=float)
        if "value" in trials.columns
        else np.full(len(trials), np.nan)
    )
    reference = (state == "COMPLETE") & single & np.isfinite(values)
    final_rank, n_reference = _final_ranks(trials, values * trial_sign, reference)

    points = _intermediate(campaign)
    point_keys = points["key"].to_numpy(dtype=np.int64)
    row_of_point = trials.index.get_indexer(point_keys)
    known = row_of_point >= 0
    points, row_of_point = points[known], row_of_point[known]
    point_keys = point_keys[known]
    point_state = state[row_of_point]
    point_study = trials["study_id"].to_numpy(dtype=np.int64)[row_of_point]
    point_step = points["step"].to_numpy(dtype=np.int64)
    point_value = points["value"].to_numpy(dtype=float)

    # The full step: the last step any COMPLETE trial of the study reported.
    complete_points = point_state == "COMPLETE"
    full_step = (
        pd.Series(point_step[complete_points])
        .groupby(point_study[complete_points])
        .max()
        .reindex(studies.index)
    )

    # Each pruned trial's last report: points are sorted by key then step.
    pruned_points = np.flatnonzero(point_state == "PRUNED")
    last = (
        pruned_points[np.r_[point_keys[pruned_points][1:] != point_keys[pruned_points][:-1], True]]
        if len(pruned_points)
        else pruned_points
    )
    pruned = trials[state == "PRUNED"]
    pruning_step = pd.Series(point_step[last], index=point_keys[last]).reindex(pruned.index)
    value_at = pd.Series(point_value[last], index=point_keys[last]).reindex(pruned.index)

    # Reference points: reference trials' finite values, in signed units (smaller is better).
    is_ref = reference[row_of_point] & np.isfinite(point_value)
    pruned_sign = pruned["study_id"].map(sign).to_numpy(dtype=float)
    has_step = pruning_step.notna().to_numpy()
    query = has_step & ~np.isnan(pruned_sign) & value_at.notna().to_numpy()
    ref_group, query_group = _pair_codes(
        (point_study[is_ref], point_step[is_ref]),
        (
            pruned["study_id"].to_numpy(dtype=np.int64)[query],
            pruning_step.to_numpy(dtype=float)[query].astype(np.int64),
        ),
    )
    ref_value = point_value[is_ref] * trial_sign[row_of_point[is_ref]]
    ref_rank = final_rank.reindex(point_keys[is_ref]).to_numpy(dtype=np.int64)
    query_value = value_at.to_numpy(dtype=float)[query] * pruned_sign[query]
    n_at, n_better, best_low = _compare(ref_group, ref_value, ref_rank, query_group, query_value)

    n_pruned = len(pruned)
    n_complete_at = np.full(n_pruned, np.nan)
    rank_at = np.full(n_pruned, np.nan)
    best_as_low = np.full(n_pruned, np.nan)
    n_complete_at[query] = n_at
    assessed = np.zeros(n_pruned, dtype=bool)
    assessed[query] = n_at > 0
    rank_at[query] = np.where(n_at > 0, n_better + 1, np.nan)
    best_as_low[query] = np.where(best_low > 0, best_low, np.nan)
    n_top = (
        n_reference.reindex(studies.index)
        .fillna(0)
        .map(lambda n: math.ceil(fraction * n))
        .astype(np.int64)
    )
    top_of_trial = pruned["study_id"].map(n_top).to_numpy(dtype=float)
    possible = pd.array(np.nan_to_num(best_as_low, nan=np.inf) <= top_of_trial, dtype="boolean")
    possible[~assessed] = pd.NA

    trial_full = pruned["study_id"].map(full_step).to_numpy(dtype=float)
    steps_not_run = np.maximum(0.0, trial_full - pruning_step.to_numpy(dtype=float))
    notes = np.full(n_pruned, "", dtype=object)
    step_text = pruning_step.to_numpy(dtype=float)
    for row in range(n_pruned):
        if np.isnan(pruned_sign[row]):
            notes[row] = MULTI_OBJECTIVE_NOTE
        elif not has_step[row]:
            notes[row] = NO_INTERMEDIATE_NOTE
        elif not query[row]:
            notes[row] = NAN_VALUE_NOTE
        elif not assessed[row]:
            notes[row] = f"no COMPLETE trial reported step {int(step_text[row])}"

    ids = pruned["study_id"].to_numpy(dtype=np.int64)
    table = _identity(campaign, ids)
    table["number"] = pruned["number"].to_numpy(dtype=np.int64)
    table["pruning_step"] = pd.array(pruning_step.to_numpy(), dtype="Int64")
    table["value_at_pruning"] = value_at.to_numpy(dtype=float)
    table["n_complete_at_step"] = pd.array(n_complete_at, dtype="Int64")
    table["rank_at_pruning"] = pd.array(rank_at, dtype="Int64")
    table["best_final_rank_as_low"] = pd.array(best_as_low, dtype="Int64")
    table["possible_false_prune"] = possible
    table["full_step"] = pd.array(trial_full, dtype="Int64")
    table["steps_not_run"] = pd.array(steps_not_run, dtype="Int64")
    table["note"] = notes
    order = {study_id: i for i, study_id in enumerate(_ordered_ids(campaign))}
    table = table.iloc[
        np.lexsort((table["number"].to_numpy(), table["study_id"].map(order).to_numpy()))
    ].reset_index(drop=True)
    return PruningAudit(
        trials=table[pruned_trial_columns(campaign)],
        studies=_per_study(campaign, table, n_reference, n_top, full_step, fraction),
        top_fraction=fraction,
    )


def _ordered_ids(campaign: Campaign) -> list[int]:
    studies = campaign.studies
    return [int(studies.loc[i, "study_id"]) for i in study_order(campaign)]


def _study_note(group: pd.DataFrame, multi: bool) -> str:
    if group.empty:
        return NO_PRUNED_NOTE
    if multi:
        return MULTI_OBJECTIVE_NOTE
    missing = group[group["possible_false_prune"].isna()]
    if missing.empty:
        return ""
    reasons = Counter(
        next(text for start, text in _REASONS.items() if str(note).startswith(start))
        for note in missing["note"]
    )
    listed = ", ".join(
        f"{reasons[reason]} {reason}" for reason in _REASONS.values() if reasons[reason]
    )
    return f"{len(missing)} of {len(group)} pruned trials not assessed: {listed}"


def _per_study(
    campaign: Campaign,
    table: pd.DataFrame,
    n_reference: pd.Series,
    n_top: pd.Series,
    full_step: pd.Series,
    fraction: float,
) -> pd.DataFrame:
    studies = campaign.studies.set_index("study_id")
    ids = np.asarray(_ordered_ids(campaign), dtype=np.int64)
    rows = []
    by_study = dict(iter(table.groupby("study_id", sort=False)))
    for study_id in ids.tolist():
        group = by_study.get(study_id, table.iloc[0:0])
        direction = str(studies.loc[study_id, "direction"])
        multi = direction not in ("minimize", "maximize")
        flags = group["possible_false_prune"].dropna()
        known_steps = group["steps_not_run"].dropna()
        # Pruned trials but none with a known step: unknown (NaN), not 0.
        steps = float(known_steps.sum()) if len(known_steps) or group.empty else math.nan
        rows.append(
            {
                "direction": direction,
                "n_complete": int(n_reference.get(study_id, 0)),
                "top_k_fraction": fraction,
                "n_top_k": int(n_top.loc[study_id]),
                "n_pruned": len(group),
                "n_assessed": len(flags),
                "n_possible_false_prune": int(flags.sum()),
                "false_prune_estimate": float(flags.mean()) if len(flags) else math.nan,
                "full_step": float(full_step.loc[study_id]),
                "steps_not_run": steps,
                "note": _study_note(group, multi),
            }
        )
    frame = _identity(campaign, ids)
    fields = pd.DataFrame(rows, columns=STUDY_PRUNING_FIELDS)
    for column in fields.columns:
        frame[column] = fields[column].to_numpy()
    for column in ("n_complete", "n_top_k", "n_pruned", "n_assessed", "n_possible_false_prune"):
        frame[column] = frame[column].astype(np.int64)
    frame["top_k_fraction"] = frame["top_k_fraction"].astype(float)
    frame["false_prune_estimate"] = frame["false_prune_estimate"].astype(float)
    frame["full_step"] = pd.array(frame["full_step"].to_numpy(dtype=float), dtype="Int64")
    frame["steps_not_run"] = pd.array(frame["steps_not_run"].to_numpy(dtype=float), dtype="Int64")
    frame["direction"] = frame["direction"].astype(object)
    frame["note"] = frame["note"].astype(object)
    return frame[study_pruning_columns(campaign)]
