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
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hpo_tui.core.analysis.patterns import TOP_FRACTION
from hpo_tui.core.analysis.step_ranks import (
    Reports,
    Runs,
    compare_in_rows,
    intermediate_reports,
)
from hpo_tui.core.analysis.summary import study_order
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.model.curves import first_per_group

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
    study: np.ndarray, numbers: np.ndarray, signed: np.ndarray, reference: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """(final rank of each trial row, 0 off the reference trials; the number of reference
    trials of each of the ``n`` study codes)."""
    chosen = np.flatnonzero(reference)
    order = chosen[np.lexsort((numbers[chosen], signed[chosen], study[chosen]))]
    starts = first_per_group(study[order])
    sizes = np.diff(np.r_[starts, len(order)])
    rank = np.zeros(len(study), dtype=np.int64)
    rank[order] = np.arange(len(order)) - np.repeat(starts, sizes) + 1
    return rank, np.bincount(study[chosen], minlength=n).astype(np.int64)


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


@dataclass
class _Pruned:
    """The PRUNED trials (rows of ``campaign.trials``, in frame order) and what the audit
    finds for each; NaN (or -1 for ``step``) where unknown."""

    rows: np.ndarray
    study: np.ndarray  # study code
    step: np.ndarray  # int64 pruning step, -1 without one
    has_step: np.ndarray
    value: np.ndarray  # value at the pruning step
    assessed: np.ndarray  # single objective, a step, a value there, reference points there
    n_at: np.ndarray
    rank: np.ndarray
    best_as_low: np.ndarray
    reason: np.ndarray  # why not assessed: an index into _NOT_ASSESSED, -1 when assessed


_MULTI, _NO_REPORT, _NAN, _NO_COMPLETE = range(4)
_NOT_ASSESSED = (MULTI_OBJECTIVE_NOTE, *_REASONS.values())


def _compare_sorted(
    ref: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    query: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`~hpo_tui.core.analysis.step_ranks.compare_in_rows` for any layout (``ref``:
    each point's study, rank, step, signed value; ``query``: study, step, signed value):
    the (study, step) pairs coded by :func:`_pair_codes`, every point sorted by
    :func:`_compare`."""
    ref_codes, query_codes = _pair_codes((ref[0], ref[2]), (query[0], query[1]))
    return _compare(ref_codes, ref[3], ref[1], query_codes, query[2])


def _assess(
    reports: Reports,
    state: np.ndarray,
    sign: np.ndarray,
    study: np.ndarray,
    rank: np.ndarray,
    reference: np.ndarray,
    width: np.ndarray,
) -> _Pruned:
    """Each PRUNED trial's last report, compared with the reference trials' points at the
    same (study, step) (``width``: the number of reference trials of each study code)."""
    run_of_row = np.full(len(state), -1, dtype=np.int64)
    run_of_row[reports.row] = np.arange(len(reports.row))
    rows = np.flatnonzero(state == "PRUNED")
    run = run_of_row[rows]
    has_step = run >= 0
    last = reports.end[run[has_step]] - 1
    step = np.full(len(rows), -1, dtype=np.int64)
    step[has_step] = reports.step[last]
    value = np.full(len(rows), np.nan)
    value[has_step] = reports.value[last]
    query = has_step & ~np.isnan(sign[rows]) & ~np.isnan(value)

    # Compared with the reference trials' points, in signed units (smaller is better).
    of_reference = reference[reports.row]
    ref_rows = reports.row[of_reference]
    runs = Runs(
        reports.start[of_reference],
        reports.end[of_reference],
        study[ref_rows],
        rank[ref_rows],
        sign[ref_rows],
    )
    queried = rows[query]
    asked = (study[queried], step[query], value[query] * sign[queried])
    found = compare_in_rows(reports, runs, *asked, width)
    if found is None:
        found = _compare_sorted(runs.points(reports), asked)
    n_at, n_better, best_low = found

    n_complete_at = np.full(len(rows), np.nan)
    rank_at = np.full(len(rows), np.nan)
    best_as_low = np.full(len(rows), np.nan)
    n_complete_at[query] = n_at
    rank_at[query] = np.where(n_at > 0, n_better + 1, np.nan)
    best_as_low[query] = np.where(best_low > 0, best_low, np.nan)
    assessed = query & (n_complete_at > 0)
    reason = np.select(
        [np.isnan(sign[rows]), ~has_step, ~query, ~assessed],
        [_MULTI, _NO_REPORT, _NAN, _NO_COMPLETE],
        -1,
    )
    return _Pruned(
        rows,
        study[rows],
        step,
        has_step,
        value,
        assessed,
        n_complete_at,
        rank_at,
        best_as_low,
        reason,
    )


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
    direction = studies["direction"].to_numpy(dtype=object)
    study_sign = np.where(
        direction == "minimize", 1.0, np.where(direction == "maximize", -1.0, np.nan)
    )
    trials = campaign.trials
    # Study codes are positions in ``studies``; -1 (a study it lacks) takes the appended NaN.
    study = studies.index.get_indexer(trials["study_id"].to_numpy(dtype=np.int64))
    sign = np.r_[study_sign, np.nan][study]
    state = trials["state"].to_numpy(dtype=object)
    values = (
        trials["value"].to_numpy(dtype=float)
        if "value" in trials.columns
        else np.full(len(trials), np.nan)
    )
    numbers = trials["number"].to_numpy(dtype=np.int64)
    reference = (state == "COMPLETE") & ~np.isnan(sign) & np.isfinite(values)
    rank, n_reference = _final_ranks(study, numbers, values * sign, reference, len(studies))
    reports = intermediate_reports(campaign)

    # The full step: the last step any COMPLETE trial of the study reported.
    full_step = np.full(len(studies), np.nan)
    complete = state[reports.row] == "COMPLETE"
    last_steps = reports.step[reports.end[complete] - 1].astype(float)
    np.fmax.at(full_step, study[reports.row[complete]], last_steps)

    pruned = _assess(reports, state, sign, study, rank, reference, n_reference)
    n_top = np.array([math.ceil(fraction * int(n)) for n in n_reference], dtype=np.int64)
    possible = pd.array(
        np.nan_to_num(pruned.best_as_low, nan=np.inf) <= n_top[pruned.study], dtype="boolean"
    )
    possible[~pruned.assessed] = pd.NA
    trial_full = full_step[pruned.study]
    steps_not_run = np.maximum(0.0, trial_full - np.where(pruned.has_step, pruned.step, np.nan))
    order = _ordered_ids(campaign)
    table = _trial_table(campaign, pruned, numbers, possible, trial_full, steps_not_run, order)

    def per_study(weights: np.ndarray) -> np.ndarray:
        return np.bincount(pruned.study, weights=weights, minlength=len(studies))

    counts = _Counts(
        n_reference=n_reference,
        n_top=n_top,
        full_step=full_step,
        n_pruned=per_study(np.ones(len(pruned.rows))),
        n_assessed=per_study(pruned.assessed),
        n_possible=per_study(np.asarray(possible.fillna(False), dtype=bool)),
        steps_not_run=per_study(np.nan_to_num(steps_not_run)),
        n_known_steps=per_study(~np.isnan(steps_not_run)),
        reasons=np.stack(
            [
                np.bincount(pruned.study[pruned.reason == reason], minlength=len(studies))
                for reason in range(len(_NOT_ASSESSED))
            ]
        ),
    )
    return PruningAudit(
        trials=table[pruned_trial_columns(campaign)],
        studies=_per_study(campaign, counts, fraction, order),
        top_fraction=fraction,
    )


def _trial_table(
    campaign: Campaign,
    pruned: _Pruned,
    numbers: np.ndarray,
    possible: pd.api.extensions.ExtensionArray,
    full_step: np.ndarray,
    steps_not_run: np.ndarray,
    order: list[int],
) -> pd.DataFrame:
    """One row per pruned trial, by study (``order``: study ids) then number."""
    notes = np.full(len(pruned.rows), "", dtype=object)
    for reason in (_MULTI, _NO_REPORT, _NAN):
        notes[pruned.reason == reason] = _NOT_ASSESSED[reason]
    unshared = np.flatnonzero(pruned.reason == _NO_COMPLETE)
    notes[unshared] = [f"no COMPLETE trial reported step {s}" for s in pruned.step[unshared]]
    table = _identity(campaign, campaign.trials["study_id"].to_numpy(dtype=np.int64)[pruned.rows])
    table["number"] = numbers[pruned.rows]
    table["pruning_step"] = pd.arrays.IntegerArray(pruned.step, ~pruned.has_step)
    table["value_at_pruning"] = pruned.value
    table["n_complete_at_step"] = pd.array(pruned.n_at, dtype="Int64")
    table["rank_at_pruning"] = pd.array(pruned.rank, dtype="Int64")
    table["best_final_rank_as_low"] = pd.array(pruned.best_as_low, dtype="Int64")
    table["possible_false_prune"] = possible
    table["full_step"] = pd.array(full_step, dtype="Int64")
    table["steps_not_run"] = pd.array(steps_not_run, dtype="Int64")
    table["note"] = notes
    position = {study_id: i for i, study_id in enumerate(order)}
    by = np.lexsort((table["number"].to_numpy(), table["study_id"].map(position).to_numpy()))
    return table.iloc[by].reset_index(drop=True)


@dataclass
class _Counts:
    """Per study code: what the study row of the audit is made of."""

    n_reference: np.ndarray
    n_top: np.ndarray
    full_step: np.ndarray
    n_pruned: np.ndarray
    n_assessed: np.ndarray
    n_possible: np.ndarray
    steps_not_run: np.ndarray  # the sum of the known ones
    n_known_steps: np.ndarray
    reasons: np.ndarray  # (reason, study): pruned trials not assessed, by why


def _ordered_ids(campaign: Campaign) -> list[int]:
    studies = campaign.studies
    return [int(studies.loc[i, "study_id"]) for i in study_order(campaign)]


def _study_note(counts: _Counts, code: int, multi: bool) -> str:
    n_pruned = int(counts.n_pruned[code])
    if n_pruned == 0:
        return NO_PRUNED_NOTE
    if multi:
        return MULTI_OBJECTIVE_NOTE
    reasons = counts.reasons[:, code]
    missing = int(reasons.sum())
    if missing == 0:
        return ""
    listed = ", ".join(
        f"{int(n)} {reason}" for reason, n in zip(_NOT_ASSESSED, reasons, strict=True) if n
    )
    return f"{missing} of {n_pruned} pruned trials not assessed: {listed}"


def _per_study(
    campaign: Campaign, counts: _Counts, fraction: float, order: list[int]
) -> pd.DataFrame:
    studies = campaign.studies.set_index("study_id")
    ids = np.asarray(order, dtype=np.int64)
    codes = studies.index.get_indexer(ids)
    direction = studies["direction"].to_numpy(dtype=object)[codes].astype(str)
    multi = ~np.isin(direction, ["minimize", "maximize"])
    n_assessed = counts.n_assessed[codes]
    # Pruned trials but none with a known step: unknown (NaN), not 0.
    steps = np.where(
        (counts.n_known_steps[codes] > 0) | (counts.n_pruned[codes] == 0),
        counts.steps_not_run[codes],
        np.nan,
    )
    frame = _identity(campaign, ids)
    frame["direction"] = direction
    frame["n_complete"] = counts.n_reference[codes].astype(np.int64)
    frame["top_k_fraction"] = fraction
    frame["n_top_k"] = counts.n_top[codes].astype(np.int64)
    frame["n_pruned"] = counts.n_pruned[codes].astype(np.int64)
    frame["n_assessed"] = n_assessed.astype(np.int64)
    frame["n_possible_false_prune"] = counts.n_possible[codes].astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["false_prune_estimate"] = np.where(
            n_assessed > 0, counts.n_possible[codes] / n_assessed, np.nan
        )
    frame["full_step"] = pd.array(counts.full_step[codes], dtype="Int64")
    frame["steps_not_run"] = pd.array(steps, dtype="Int64")
    notes = [_study_note(counts, int(c), bool(m)) for c, m in zip(codes, multi, strict=True)]
    frame["note"] = notes
    for column in ("direction", "note"):
        frame[column] = frame[column].astype(object)
    return frame[study_pruning_columns(campaign)]
