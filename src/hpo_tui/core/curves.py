"""Long-format learning curves and their per-trial summary statistics, vectorized.

A *curve* is a named sequence of (step, value): ``intermediate`` holds what the objective
passed to ``trial.report``; every user attr holding a list of numbers (``train_losses``,
``val_losses``...) is a curve too, its steps being list positions 0, 1, 2, ...
NaN and ±inf are kept as they are.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

INTERMEDIATE = "intermediate"
_VAL = re.compile(r"^val", re.IGNORECASE)
_TRAIN = re.compile(r"^train", re.IGNORECASE)

STAT_COLUMNS = [
    "curve",
    "curve_n_steps",
    "curve_first",
    "curve_last",
    "curve_last_finite",
    "curve_min",
    "curve_max",
    "curve_best",
    "curve_best_step",
    "curve_rel_improvement",
    "curve_train_val_gap",
]


def is_numeric_list(value: object) -> bool:
    """True for a non-empty list whose items are all int/float (bools excluded)."""
    return (
        isinstance(value, list) and len(value) > 0 and all(type(v) in (int, float) for v in value)
    )


def _group_bounds(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(keys)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if n else np.array([], int)
    ends = np.r_[starts[1:], n].astype(int) if n else np.array([], int)
    return starts, ends


def _first_hit(keys: np.ndarray, hits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each key with at least one hit row, the index of its first hit row."""
    rows = np.flatnonzero(hits)
    uniq, first = np.unique(keys[rows], return_index=True)
    return uniq, rows[first]


def primary_curve_names(curves: pd.DataFrame) -> pd.Series:
    """The curve summarised per trial: ``intermediate`` if reported, else the first ``val*``."""
    names = curves[["key", "curve"]].drop_duplicates()
    names = names.assign(
        rank=np.where(
            names["curve"] == INTERMEDIATE,
            0,
            np.where(names["curve"].astype(str).str.match(_VAL), 1, 9),
        )
    )
    names = names[names["rank"] < 9].sort_values(["key", "rank", "curve"], kind="stable")
    return names.drop_duplicates("key").set_index("key")["curve"].astype(str)


def curve_stats(curves: pd.DataFrame, maximize_keys: set[int] | None = None) -> pd.DataFrame:
    """Per-trial statistics of each trial's primary curve (see :data:`STAT_COLUMNS`).

    Args:
        curves: Long frame with ``key, curve, step, value``.
        maximize_keys: Trials whose objective is maximized (best = max, not min).

    Returns:
        A frame indexed by ``key`` with the :data:`STAT_COLUMNS`.
    """
    maximize_keys = maximize_keys or set()
    primary = primary_curve_names(curves)
    if primary.empty:
        empty = {c: pd.Series([], dtype=float) for c in STAT_COLUMNS}
        empty["curve"] = pd.Series([], dtype=object)
        empty["curve_n_steps"] = pd.Series([], dtype=np.int64)
        empty["curve_best_step"] = pd.Series([], dtype="Int64")
        return pd.DataFrame(empty, index=pd.Index([], name="key"))
    # Rows of each trial's primary curve, by comparing names per row (categorical codes).
    row_primary = primary.reindex(curves["key"].to_numpy()).to_numpy()
    mask = curves["curve"].astype(object).to_numpy() == row_primary
    chosen = curves[mask]  # already sorted by key, curve, step
    keys = chosen["key"].to_numpy()
    steps = chosen["step"].to_numpy(dtype=np.int64)
    vals = chosen["value"].to_numpy(dtype=float)
    n = len(vals)
    starts, ends = _group_bounds(keys)
    group_keys = keys[starts]
    finite = np.isfinite(vals)
    idx = np.arange(n)

    last_finite_idx = np.maximum.accumulate(np.where(finite, idx, -1))[ends - 1]
    has_last = last_finite_idx >= starts
    first_finite_idx = np.minimum.accumulate(np.where(finite, idx, n)[::-1])[::-1][starts]
    has_first = first_finite_idx < ends
    safe = np.where(finite, vals, np.nan)
    mins = np.where(finite, vals, np.inf)
    maxs = np.where(finite, vals, -np.inf)
    gmin = np.minimum.reduceat(mins, starts) if n else np.array([])
    gmax = np.maximum.reduceat(maxs, starts) if n else np.array([])
    any_finite = np.add.reduceat(finite.astype(int), starts) > 0 if n else np.array([], bool)
    gmin = np.where(any_finite, gmin, np.nan)
    gmax = np.where(any_finite, gmax, np.nan)

    is_max = np.isin(group_keys, list(maximize_keys))
    best = np.where(is_max, gmax, gmin)
    group_of_row = np.repeat(np.arange(len(starts)), ends - starts)
    hits = finite & (vals == best[group_of_row])
    hit_groups, hit_rows = _first_hit(group_of_row, hits)
    best_step = np.full(len(starts), np.nan)
    best_step[hit_groups] = steps[hit_rows]

    first_finite = np.where(has_first, safe[np.minimum(first_finite_idx, n - 1)], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = np.where(is_max, best - first_finite, first_finite - best)
        rel = np.where(first_finite != 0, gain / np.abs(first_finite), np.nan)

    out = pd.DataFrame(
        {
            "curve": primary.reindex(group_keys).to_numpy(),
            "curve_n_steps": (ends - starts).astype(np.int64),
            "curve_first": vals[starts],
            "curve_last": vals[ends - 1],
            "curve_last_finite": np.where(has_last, safe[np.maximum(last_finite_idx, 0)], np.nan),
            "curve_min": gmin,
            "curve_max": gmax,
            "curve_best": best,
            "curve_best_step": pd.array(best_step, dtype="Int64"),
            "curve_rel_improvement": rel,
        },
        index=pd.Index(group_keys, name="key"),
    )
    out["curve_train_val_gap"] = train_val_gap(curves).reindex(out.index)
    return out


def train_val_gap(curves: pd.DataFrame) -> pd.Series:
    """``val - train`` at the step where the ``val*`` list curve is lowest (first such step).

    Only trials holding both a ``train*`` and a ``val*`` list-valued curve get a value.
    """
    names = curves["curve"]
    val = curves[names.str.match(_VAL).to_numpy(dtype=bool)]
    train = curves[names.str.match(_TRAIN).to_numpy(dtype=bool)]
    if val.empty or train.empty:
        return pd.Series(dtype=float, name="curve_train_val_gap")
    val = val[np.isfinite(val["value"].to_numpy(dtype=float))]
    val = val.sort_values(["key", "curve", "value", "step"], kind="stable")
    val = val.drop_duplicates("key")  # first val* curve by name, its lowest finite point
    train = train.sort_values(["key", "curve"], kind="stable").drop_duplicates(["key", "step"])
    merged = val.merge(train, on=["key", "step"], suffixes=("_val", "_train"))
    gap = merged["value_val"].to_numpy(dtype=float) - merged["value_train"].to_numpy(dtype=float)
    return pd.Series(gap, index=merged["key"].to_numpy(), name="curve_train_val_gap")
