"""Divergence rules: each gives a reason, the curve and the step where it happened.

Optuna never stores a NaN objective (the trial becomes FAIL with no value), so the curves are
the evidence. The rules, applied to every trial whatever its state:

``nan`` / ``inf`` / ``-inf``
    A non-finite value in any curve; the step is the first such point.
``exploded``
    A loss curve (``intermediate`` of a minimized single-objective study, or a list-valued
    user attr whose name contains ``loss_curve_pattern``) whose first finite value is positive
    rises above ``explode_factor`` x that value and whose last finite value stays above
    ``recover_factor`` x it. The step is the first point above the threshold. This also covers
    a FAIL trial whose curve ends exploded. A loss that rose above the threshold and came back
    at or below ``recover_factor`` x is a *spike*, not a divergence (``spike_step``).
``user_attr``
    A truthy user attr named ``user_attr`` (default ``diverged``); the step is the user attr
    ``diverged_step`` when it holds an integer.

Steps are in the units of their curve (``intermediate``: the step passed to ``trial.report``;
list curves: the position in the list), so evidence is compared within one curve only: the
``intermediate`` curve is preferred, then list curves by name; within the chosen curve the
earliest step wins (non-finite before exploded at the same step). ``user_attr`` applies when
no curve shows divergence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hpo_tui.core.config import DivergenceRules
from hpo_tui.core.model.curves import INTERMEDIATE, Segments, first_last_finite, first_per_group

DIVERGENCE_COLUMNS = [
    "diverged",
    "diverged_reason",
    "diverged_curve",
    "diverged_step",
    "spike_step",
]
_PRIORITY = {"nan": 0, "inf": 0, "-inf": 0, "exploded": 1, "user_attr": 2}


def _loss_segments(segments: Segments, minimize_keys: set[int], pattern: str) -> np.ndarray:
    """Which segments are loss curves (see the module docstring)."""
    is_intermediate = segments.code == segments.code_of(INTERMEDIATE)
    minimize = np.fromiter(minimize_keys, np.int64, len(minimize_keys))
    in_minimize = np.isin(segments.key, minimize)
    name_has = np.array([pattern in name for name in segments.names], dtype=bool)
    is_loss_list = ~is_intermediate & (name_has[segments.code] if len(segments) else False)
    return (is_intermediate & in_minimize) | is_loss_list


def _candidates(
    segments: Segments, chosen: np.ndarray, rows: np.ndarray, steps: np.ndarray, reason: object
) -> pd.DataFrame:
    names = np.array(segments.names, dtype=object)
    return pd.DataFrame(
        {
            "key": segments.key[chosen],
            "reason": reason,
            "curve": names[segments.code[chosen]] if len(chosen) else np.array([], dtype=object),
            "step": steps[rows].astype(float),
        }
    )


def _nonfinite_candidates(
    values: np.ndarray, steps: np.ndarray, segments: Segments
) -> pd.DataFrame:
    """The first non-finite point of every curve that has one."""
    bad = np.flatnonzero(~np.isfinite(values))
    of = segments.segment_of_rows(bad)
    first = first_per_group(of)  # rows are ascending, so segments are too
    rows, chosen = bad[first], of[first]
    v = values[rows]
    reason = np.where(np.isnan(v), "nan", np.where(v > 0, "inf", "-inf")).astype(object)
    return _candidates(segments, chosen, rows, steps, reason)


def _explosions(
    values: np.ndarray,
    steps: np.ndarray,
    segments: Segments,
    loss: np.ndarray,
    rules: DivergenceRules,
) -> tuple[pd.DataFrame, pd.Series]:
    """(exploded candidates, spike step per key) over the loss segments."""
    n = len(values)
    if n == 0 or not loss.any():
        return pd.DataFrame(columns=["key", "reason", "curve", "step"]), pd.Series(dtype=float)
    finite = np.isfinite(values)
    first_idx, last_idx = first_last_finite(
        finite, segments.start, segments.start + segments.length
    )
    has = (last_idx >= 0) & (first_idx >= 0) & loss
    first_v = np.where(has, values[np.maximum(first_idx, 0)], np.nan)
    last_v = np.where(has, values[np.maximum(last_idx, 0)], np.nan)
    with np.errstate(invalid="ignore"):
        # per segment, then repeated over its rows: the same products as repeating first
        over = np.flatnonzero(
            finite
            & np.repeat(first_v > 0, segments.length)
            & (values > np.repeat(rules.explode_factor * first_v, segments.length))
        )
    of = segments.segment_of_rows(over)
    first = first_per_group(of)  # the first step above the threshold per curve
    rows, chosen = over[first], of[first]
    stays = last_v[chosen] > rules.recover_factor * first_v[chosen]
    exploded = _candidates(segments, chosen[stays], rows[stays], steps, "exploded")
    spikes = _candidates(segments, chosen[~stays], rows[~stays], steps, "spike")
    spikes = spikes.assign(rank=(spikes["curve"] != INTERMEDIATE).astype(int))
    spikes = spikes.sort_values(["key", "rank", "step"], kind="stable").drop_duplicates("key")
    return exploded, pd.Series(spikes["step"].to_numpy(dtype=float), index=spikes["key"])


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y", "diverged")
    if isinstance(value, float) and np.isnan(value):
        return False
    return bool(value) if value is not None else False


def _user_attr_candidates(user_attrs: pd.DataFrame, rules: DivergenceRules) -> pd.DataFrame:
    flagged = user_attrs[user_attrs["attr"] == rules.user_attr]
    flagged = flagged[np.array([_truthy(v) for v in flagged["value"]], dtype=bool)]
    steps = user_attrs[user_attrs["attr"] == "diverged_step"]
    step_of = {
        k: float(v)
        for k, v in zip(steps["key"], steps["value"], strict=True)
        if (type(v) is int or (type(v) is float and float(v).is_integer())) and abs(v) < 2**53
    }
    return pd.DataFrame(
        {
            "key": flagged["key"].to_numpy(),
            "reason": "user_attr",
            "curve": None,
            "step": [step_of.get(k, np.nan) for k in flagged["key"]],
        }
    )


def detect_divergence(
    keys: pd.Index,
    curves: pd.DataFrame,
    segments: Segments,
    user_attrs: pd.DataFrame,
    minimize_keys: set[int],
    rules: DivergenceRules,
) -> pd.DataFrame:
    """Apply the divergence rules to every trial.

    Args:
        keys: All trial keys.
        curves: Long frame ``key, curve, step, value``, sorted (see :class:`Segments`).
        segments: Its segments.
        user_attrs: Long frame ``key, attr, value`` of scalar user attrs.
        minimize_keys: Trials of minimized single-objective studies (their intermediate curve
            is a loss).
        rules: Thresholds.

    Returns:
        A frame indexed by ``key`` with :data:`DIVERGENCE_COLUMNS`.
    """
    values = curves["value"].to_numpy(dtype=float)
    steps = curves["step"].to_numpy(dtype=np.int64)
    loss = _loss_segments(segments, minimize_keys, rules.loss_curve_pattern)
    exploded, spikes = _explosions(values, steps, segments, loss, rules)
    candidates = pd.concat(
        [
            frame
            for frame in (
                _nonfinite_candidates(values, steps, segments),
                exploded,
                _user_attr_candidates(user_attrs, rules),
            )
            if not frame.empty
        ]
        or [pd.DataFrame(columns=["key", "reason", "curve", "step"])],
        ignore_index=True,
    )
    candidates["priority"] = candidates["reason"].map(_PRIORITY)
    candidates["curve_rank"] = np.where(
        candidates["curve"].isna(), 2, np.where(candidates["curve"] == INTERMEDIATE, 0, 1)
    )
    candidates["curve_name"] = candidates["curve"].fillna("")
    chosen = (
        candidates.sort_values(
            ["key", "curve_rank", "curve_name", "step", "priority"],
            kind="stable",
            na_position="last",
        )
        .drop_duplicates("key")
        .set_index("key")
    )
    out = pd.DataFrame(index=keys)
    out["diverged"] = out.index.isin(chosen.index)
    out["diverged_reason"] = chosen["reason"].reindex(out.index).astype(object)
    out["diverged_curve"] = chosen["curve"].reindex(out.index).astype(object)
    out["diverged_step"] = pd.array(chosen["step"].reindex(out.index), dtype="Int64")
    out["spike_step"] = pd.array(spikes.reindex(out.index), dtype="Int64")
    out = out.replace({"diverged_reason": {np.nan: None}, "diverged_curve": {np.nan: None}})
    return out
