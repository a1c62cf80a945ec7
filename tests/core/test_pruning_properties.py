"""The pruner audit against its definitions applied plainly to Optuna's own trials, on small
random campaigns (ties, NaN and ±inf at a step, trials without reports, multi-objective
studies, dense and sparse steps): every field of every pruned trial and of every study."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optuna.trial import FrozenTrial, TrialState

from hpo_tui.core.analysis.pruning import (
    MULTI_OBJECTIVE_NOTE,
    NAN_VALUE_NOTE,
    NO_INTERMEDIATE_NOTE,
    NO_PRUNED_NOTE,
    pruning_audit,
)
from tests.helpers.random_campaign import RandomCampaign, random_campaigns

REASONS = (NO_INTERMEDIATE_NOTE, NAN_VALUE_NOTE, "no COMPLETE trial reported its step")


def _pruned_row(
    trial: FrozenTrial,
    sign: float | None,
    reference: list[FrozenTrial],
    final_rank: dict[int, int],
    n_top: int,
    full: int | None,
) -> tuple[dict[str, Any], str | None]:
    """One pruned trial's fields, and why it was not assessed (None when it was)."""
    step = max(trial.intermediate_values) if trial.intermediate_values else None
    value = trial.intermediate_values[step] if step is not None else math.nan
    row: dict[str, Any] = {
        "pruning_step": step,
        "value_at_pruning": value,
        "n_complete_at_step": None,
        "rank_at_pruning": None,
        "best_final_rank_as_low": None,
        "possible_false_prune": None,
        "full_step": full,
        "steps_not_run": None if full is None or step is None else max(0, full - step),
        "note": "",
    }
    if sign is None:
        row["note"] = MULTI_OBJECTIVE_NOTE
        return row, MULTI_OBJECTIVE_NOTE
    if step is None:
        row["note"] = NO_INTERMEDIATE_NOTE
        return row, NO_INTERMEDIATE_NOTE
    if math.isnan(value):
        row["note"] = NAN_VALUE_NOTE
        return row, NAN_VALUE_NOTE
    pool = [
        (sign * c.intermediate_values[step], final_rank[c.number])
        for c in reference
        if step in c.intermediate_values and math.isfinite(c.intermediate_values[step])
    ]
    row["n_complete_at_step"] = len(pool)
    if not pool:
        row["note"] = f"no COMPLETE trial reported step {step}"
        return row, REASONS[2]
    query = sign * value
    row["rank_at_pruning"] = 1 + sum(v < query for v, _ in pool)
    as_low = [rank for v, rank in pool if v >= query]
    row["best_final_rank_as_low"] = min(as_low) if as_low else None
    row["possible_false_prune"] = bool(as_low) and min(as_low) <= n_top
    return row, None


def _reference(
    rc: RandomCampaign, fraction: float
) -> tuple[dict[tuple[str, int], dict[str, Any]], dict[str, dict[str, Any]]]:
    """Per (study, number) of each PRUNED trial and per study: the audit by its definitions."""
    per_trial: dict[tuple[str, int], dict[str, Any]] = {}
    per_study: dict[str, dict[str, Any]] = {}
    for name, trials in rc.trials.items():
        directions = rc.directions[name]
        sign = None if len(directions) > 1 else (1.0 if directions[0] == "minimize" else -1.0)
        complete = [t for t in trials if t.state == TrialState.COMPLETE]
        reference = [t for t in complete if sign is not None and math.isfinite(t.values[0])]
        ranked = sorted(reference, key=lambda t: (sign * t.values[0], t.number))  # type: ignore[operator]
        final_rank = {t.number: i + 1 for i, t in enumerate(ranked)}
        n_top = math.ceil(fraction * len(ranked))
        steps = [s for t in complete for s in t.intermediate_values]
        full = max(steps) if steps else None
        rows = []
        reasons: list[str] = []
        for trial in trials:
            if trial.state != TrialState.PRUNED:
                continue
            row, reason = _pruned_row(trial, sign, reference, final_rank, n_top, full)
            per_trial[(name, trial.number)] = row
            rows.append(row)
            if reason is not None:
                reasons.append(reason)
        flags = [r["possible_false_prune"] for r in rows if r["possible_false_prune"] is not None]
        known = [r["steps_not_run"] for r in rows if r["steps_not_run"] is not None]
        if not rows:
            note = NO_PRUNED_NOTE
        elif sign is None:
            note = MULTI_OBJECTIVE_NOTE
        elif not reasons:
            note = ""
        else:
            listed = ", ".join(f"{reasons.count(r)} {r}" for r in REASONS if reasons.count(r))
            note = f"{len(reasons)} of {len(rows)} pruned trials not assessed: {listed}"
        per_study[name] = {
            "direction": ",".join(directions),
            "n_complete": len(reference),
            "top_k_fraction": fraction,
            "n_top_k": n_top,
            "n_pruned": len(rows),
            "n_assessed": len(flags),
            "n_possible_false_prune": sum(flags),
            "false_prune_estimate": sum(flags) / len(flags) if flags else None,
            "full_step": full,
            "steps_not_run": sum(known) if known or not rows else None,
            "note": note,
        }
    return per_trial, per_study


def _same(got: Any, want: Any) -> bool:
    if want is None:
        return bool(pd.isna(got))
    if isinstance(want, float) and math.isnan(want):
        return isinstance(got, float) and math.isnan(got)
    return bool(got == want) and not pd.isna(got)


TRIAL_DTYPES = {
    "number": "int64",
    "pruning_step": "Int64",
    "value_at_pruning": "float64",
    "n_complete_at_step": "Int64",
    "rank_at_pruning": "Int64",
    "best_final_rank_as_low": "Int64",
    "possible_false_prune": "boolean",
    "full_step": "Int64",
    "steps_not_run": "Int64",
}
STUDY_DTYPES = {
    "n_complete": "int64",
    "top_k_fraction": "float64",
    "n_top_k": "int64",
    "n_pruned": "int64",
    "n_assessed": "int64",
    "n_possible_false_prune": "int64",
    "false_prune_estimate": "float64",
    "full_step": "Int64",
    "steps_not_run": "Int64",
}


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(random_campaigns(), st.sampled_from([0.1, 0.5, 1.0]))
def test_audit_matches_its_definitions_on_optunas_trials(rc: RandomCampaign, fraction) -> None:
    audit = pruning_audit(rc.campaign, fraction)
    want_trials, want_studies = _reference(rc, fraction)
    got = audit.trials
    assert {c: str(got[c].dtype) for c in TRIAL_DTYPES} == TRIAL_DTYPES
    assert len(got) == len(want_trials)
    for row in got.to_dict("records"):
        want = want_trials[(row["study"], row["number"])]
        for column, value in want.items():
            assert _same(row[column], value), (row["study"], row["number"], column, row[column])
    assert {c: str(audit.studies[c].dtype) for c in STUDY_DTYPES} == STUDY_DTYPES
    assert sorted(audit.studies["study"]) == sorted(want_studies)
    for row in audit.studies.to_dict("records"):
        for column, value in want_studies[row["study"]].items():
            assert _same(row[column], value), (row["study"], column, row[column], value)
