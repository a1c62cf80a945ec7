"""Long-format learning curves and their per-trial summary statistics, vectorized.

A *curve* is a named sequence of (step, value): ``intermediate`` holds what the objective
passed to ``trial.report``; every user attr holding a list of numbers (``train_losses``,
``val_losses``...) is a curve too, its steps being list positions 0, 1, 2, ...
NaN and ±inf are kept as they are.

:func:`build_curves` makes the campaign's long ``curves`` frame and its :class:`Segments`;
:func:`curve_stats` summarizes each trial's primary curve for the ``trials`` frame.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.storage.raw import EncodedList

INTERMEDIATE = "intermediate"
# What a step is, per kind of curve: the one wording of the chart's x axis and the export's
# data dictionary.
STEP_REPORT = "step (trial.report)"
STEP_LIST_POSITION = "list position (from 0)"
_STEP_SHORT = {STEP_REPORT: "report step", STEP_LIST_POSITION: "list position"}
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


def step_meaning(curve: str) -> str:
    """What the steps of curve ``curve`` are: the ``trial.report`` step for
    ``intermediate``, the list position for a list-valued user attr."""
    return STEP_REPORT if curve == INTERMEDIATE else STEP_LIST_POSITION


def step_axis_labels(curves: Iterable[str]) -> list[str]:
    """The x-axis label of a chart showing ``curves``, longest form first, for the chart
    to pick the longest that fits. The first names each meaning with the curves it applies
    to (``intermediate: step (trial.report) · train_losses: list position (from 0)``); the
    shorter ones keep both meanings when the curves mix them."""
    by_meaning: dict[str, list[str]] = {}
    for name in sorted(set(curves), key=lambda n: (n != INTERMEDIATE, n)):
        by_meaning.setdefault(step_meaning(name), []).append(name)
    if not by_meaning:
        return ["step"]
    if len(by_meaning) == 1:
        meaning = next(iter(by_meaning))
        return [meaning, _STEP_SHORT[meaning]]
    full = " · ".join(f"{', '.join(names)}: {meaning}" for meaning, names in by_meaning.items())
    return [
        full,
        f"{INTERMEDIATE}: {STEP_REPORT} · lists: {_STEP_SHORT[STEP_LIST_POSITION]}",
        f"{_STEP_SHORT[STEP_REPORT]} / {_STEP_SHORT[STEP_LIST_POSITION]}",
        "report / list pos",
    ]


def step_axis_label(curves: Iterable[str]) -> str:
    """The full x-axis label of a chart showing ``curves`` (see :func:`step_axis_labels`)."""
    return step_axis_labels(curves)[0]


def is_numeric_list(value: object) -> bool:
    """True for a non-empty list whose items are all int/float (bools excluded)."""
    return (
        isinstance(value, list) and len(value) > 0 and all(type(v) in (int, float) for v in value)
    )


@dataclass(frozen=True)
class Segments:
    """The runs of rows of a sorted curves frame, one per (trial, curve).

    ``curves`` is sorted by ``key``, then curve code (curve names in sorted order), then
    ``step``; segment ``i`` is rows ``start[i] : start[i] + length[i]``, its trial ``key[i]``
    and its curve ``code[i]`` (an index into ``names``). Every segment has at least one row.
    """

    key: np.ndarray
    code: np.ndarray
    start: np.ndarray
    length: np.ndarray
    names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.start)

    def segment_of_rows(self, rows: np.ndarray) -> np.ndarray:
        """The segment index of each row index in ``rows``."""
        return np.searchsorted(self.start, rows, side="right") - 1

    def code_of(self, name: str) -> int:
        """The code of curve ``name`` (-1 when no segment could have it)."""
        return self.names.index(name) if name in self.names else -1

    def names_matching(self, pattern: re.Pattern[str]) -> np.ndarray:
        """A boolean per curve code: does its name match ``pattern`` (at the start)."""
        return np.array([pattern.match(n) is not None for n in self.names], dtype=bool)

    def gather(self, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row indices, starts, ends) of the segments ``chosen``, one after the other: the
        rows to take from the curves, and where each segment lies among them."""
        lengths = self.length[chosen]
        ends = np.cumsum(lengths)
        starts = ends - lengths
        rows = np.arange(ends[-1] if len(ends) else 0) + np.repeat(
            self.start[chosen] - starts, lengths
        )
        return rows, starts, ends


def first_last_finite(
    finite: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per segment ``[start, end)`` of ``finite``, the first and the last row whose value is
    finite: ``(first, last)``, -1 where a segment has none.

    Almost every curve starts and ends finite, so those segments are answered from their
    bounds; only the others (diverged curves, empty ones aside) are scanned, over their own
    rows: no index array as long as all the curves is made (fresh memory is what a load of
    millions of points waits for, see docs/performance.md).
    """
    first = np.full(len(starts), -1, dtype=np.int64)
    last = np.full(len(starts), -1, dtype=np.int64)
    n = len(finite)
    if n == 0 or len(starts) == 0:
        return first, last
    nonempty = ends > starts
    head = nonempty & finite[np.minimum(starts, n - 1)]
    tail = nonempty & finite[np.clip(ends - 1, 0, n - 1)]
    first[head] = starts[head]
    last[tail] = ends[tail] - 1
    todo = np.flatnonzero(nonempty & ~(head & tail))
    if len(todo):
        lengths = (ends - starts)[todo]
        local_ends = np.cumsum(lengths)
        local_starts = local_ends - lengths
        rows = np.arange(local_ends[-1]) + np.repeat(starts[todo] - local_starts, lengths)
        fin = finite[rows]
        index = np.arange(len(rows))
        lo = np.minimum.reduceat(np.where(fin, index, len(rows)), local_starts)
        hi = np.maximum.reduceat(np.where(fin, index, -1), local_starts)
        found = lo < local_ends  # then hi >= local_starts as well
        set_first = found & ~head[todo]
        set_last = found & ~tail[todo]
        first[todo[set_first]] = rows[lo[set_first]]
        last[todo[set_last]] = rows[hi[set_last]]
    return first, last


def first_equal(
    values: np.ndarray, finite: np.ndarray, target: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(groups, rows): per group of ``values`` (groups start at ``starts``) with a finite
    value equal to its ``target``, the first such row."""
    lengths = np.diff(np.r_[starts, len(values)])
    group_of_row = np.repeat(np.arange(len(starts)), lengths)
    hits = np.flatnonzero(finite & (values == target[group_of_row]))
    first_hits = hits[first_per_group(group_of_row[hits])]
    return group_of_row[first_hits], first_hits


def first_per_group(groups: np.ndarray) -> np.ndarray:
    """Positions of the first occurrence of each value in a sorted ``groups`` array."""
    if len(groups) == 0:
        return np.zeros(0, dtype=np.int64)
    change = np.empty(len(groups), dtype=bool)
    change[0] = True
    np.not_equal(groups[1:], groups[:-1], out=change[1:])
    return np.flatnonzero(change)


def primary_segments(segments: Segments) -> np.ndarray:
    """Per trial, the segment summarised: ``intermediate`` if reported, else the first
    ``val*`` curve by name. Indices into ``segments``, in key order."""
    if len(segments) == 0:
        return np.zeros(0, dtype=np.int64)
    is_val = segments.names_matching(_VAL)
    rank = np.where(
        segments.code == segments.code_of(INTERMEDIATE), 0, np.where(is_val[segments.code], 1, 9)
    )
    candidates = np.flatnonzero(rank < 9)
    # Segments are in (key, code) order: the lowest (rank, code) per key wins.
    order = candidates[
        np.lexsort((segments.code[candidates], rank[candidates], segments.key[candidates]))
    ]
    return order[first_per_group(segments.key[order])]


def curve_stats(
    curves: pd.DataFrame, segments: Segments, maximize_keys: set[int] | None = None
) -> pd.DataFrame:
    """Per-trial statistics of each trial's primary curve (see :data:`STAT_COLUMNS`).

    Args:
        curves: Long frame with ``key, curve, step, value``, sorted (see :class:`Segments`).
        segments: Its segments.
        maximize_keys: Trials whose objective is maximized (best = max, not min).

    Returns:
        A frame indexed by ``key`` with the :data:`STAT_COLUMNS`.
    """
    maximize_keys = maximize_keys or set()
    chosen = primary_segments(segments)
    if len(chosen) == 0:
        empty = {c: pd.Series([], dtype=float) for c in STAT_COLUMNS}
        empty["curve"] = pd.Series([], dtype=object)
        empty["curve_n_steps"] = pd.Series([], dtype=np.int64)
        empty["curve_best_step"] = pd.Series([], dtype="Int64")
        return pd.DataFrame(empty, index=pd.Index([], name="key"))
    rows, starts, ends = segments.gather(chosen)
    steps = curves["step"].to_numpy(dtype=np.int64)[rows]
    vals = curves["value"].to_numpy(dtype=float)[rows]
    group_keys = segments.key[chosen]
    finite = np.isfinite(vals)

    first_finite_idx, last_finite_idx = first_last_finite(finite, starts, ends)
    has_first = first_finite_idx >= 0
    has_last = last_finite_idx >= 0
    safe = np.where(finite, vals, np.nan)
    gmin = np.minimum.reduceat(np.where(finite, vals, np.inf), starts)
    gmax = np.maximum.reduceat(np.where(finite, vals, -np.inf), starts)
    any_finite = np.add.reduceat(finite.astype(np.int64), starts) > 0
    gmin = np.where(any_finite, gmin, np.nan)
    gmax = np.where(any_finite, gmax, np.nan)

    is_max = np.isin(group_keys, np.fromiter(maximize_keys, np.int64, len(maximize_keys)))
    best = np.where(is_max, gmax, gmin)
    groups, first_rows = first_equal(vals, finite, best, starts)
    best_step = np.full(len(starts), np.nan)
    best_step[groups] = steps[first_rows]

    first_finite = np.where(has_first, safe[np.maximum(first_finite_idx, 0)], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = np.where(is_max, best - first_finite, first_finite - best)
        rel = np.where(first_finite != 0, gain / np.abs(first_finite), np.nan)

    names = np.array(segments.names, dtype=object)
    out = pd.DataFrame(
        {
            "curve": names[segments.code[chosen]],
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
    out["curve_train_val_gap"] = train_val_gap(curves, segments, maximize_keys).reindex(out.index)
    return out


def train_val_gap(
    curves: pd.DataFrame, segments: Segments, maximize_keys: set[int] | None = None
) -> pd.Series:
    """``val - train`` at the step where the ``val*`` list curve is best (first such step):
    lowest, or highest for trials in ``maximize_keys``.

    The ``val*`` curve is the trial's first by name that has a finite point; the ``train*``
    value is that of the first ``train*`` curve by name holding that step. Only trials with
    both a ``train*`` and a ``val*`` curve get a value.
    """
    maximize = np.fromiter(maximize_keys or (), np.int64)
    values = curves["value"].to_numpy(dtype=float)
    steps = curves["step"].to_numpy(dtype=np.int64)
    is_val = segments.names_matching(_VAL)[segments.code] if len(segments) else np.zeros(0, bool)
    is_train = segments.names_matching(_TRAIN)[segments.code] if len(segments) else is_val
    if not is_val.any() or not is_train.any():
        return pd.Series(dtype=float, name="curve_train_val_gap")
    val_segments = np.flatnonzero(is_val)
    rows, starts, ends = segments.gather(val_segments)
    # Maximized trials: negate, so that "lowest" is their best.
    sign = np.where(np.isin(segments.key[val_segments], maximize), -1.0, 1.0)
    vals = values[rows] * np.repeat(sign, ends - starts)
    finite = np.isfinite(vals)
    lowest = np.minimum.reduceat(np.where(finite, vals, np.inf), starts)
    has_finite = np.add.reduceat(finite.astype(np.int64), starts) > 0
    groups, first_rows = first_equal(vals, finite, lowest, starts)
    low_step = np.full(len(starts), -1, dtype=np.int64)
    low_step[groups] = steps[rows[first_rows]]
    low_value = np.full(len(starts), np.nan)
    low_value[groups] = values[rows[first_rows]]
    # The first val* curve per trial among those with a finite point.
    usable = np.flatnonzero(has_finite)
    first_val = usable[first_per_group(segments.key[val_segments[usable]])]
    val_table = pd.DataFrame(
        {
            "key": segments.key[val_segments[first_val]],
            "step": low_step[first_val],
            "value_val": low_value[first_val],
        }
    )
    train_segments = np.flatnonzero(is_train)
    train_table = pd.DataFrame(
        {
            "key": segments.key[train_segments],
            "code": segments.code[train_segments],
            "start": segments.start[train_segments],
            "length": segments.length[train_segments],
        }
    )
    merged = val_table.merge(train_table, on="key")
    # train* curves are list curves: they hold steps 0..n-1, step s at row start + s.
    starts_m = merged["start"].to_numpy(dtype=np.int64)
    lengths_m = merged["length"].to_numpy(dtype=np.int64)
    wanted = merged["step"].to_numpy(dtype=np.int64)
    position = np.where((wanted >= 0) & (wanted < lengths_m), wanted, lengths_m)
    row = starts_m + np.minimum(position, lengths_m - 1)
    present = (position < lengths_m) & (steps[row] == wanted)
    merged = merged[present].assign(value_train=values[row[present]])
    merged = merged.sort_values(["key", "code"], kind="stable").drop_duplicates("key")
    gap = merged["value_val"].to_numpy(dtype=float) - merged["value_train"].to_numpy(dtype=float)
    return pd.Series(gap, index=merged["key"].to_numpy(), name="curve_train_val_gap")


def build_curves(inter: pd.DataFrame, users: pd.DataFrame) -> tuple[pd.DataFrame, Segments]:
    """The long curves frame ``key, curve, step, value``, sorted by key, curve name and step,
    and its segments; from the intermediate values and the number-list user attrs.

    Work is per segment (one per trial and curve) wherever possible: the rows of each
    segment are contiguous in the inputs, so one gather puts millions of points in order.
    """
    inter_keys = inter["key"].to_numpy(dtype=np.int64)
    inter_steps = inter["step"].to_numpy(dtype=np.int64)
    inter_values = inter["value"].to_numpy(dtype=float)
    if len(inter_keys) > 1:
        d_key, d_step = np.diff(inter_keys), np.diff(inter_steps)
        if not bool(np.all((d_key > 0) | ((d_key == 0) & (d_step > 0)))):
            order = np.lexsort((inter_steps, inter_keys))  # parallel workers interleave rows
            inter_keys, inter_steps = inter_keys[order], inter_steps[order]
            inter_values = inter_values[order]
    inter_starts = first_per_group(inter_keys)
    inter_lengths = np.diff(np.r_[inter_starts, len(inter_keys)]).astype(np.int64)

    list_rows, list_lengths, list_values = _numeric_lists(users["value"].tolist())
    lists = users.iloc[list_rows]
    list_names = lists["attr"].astype(str).to_numpy(dtype=object)
    categories = sorted({*([INTERMEDIATE] if len(inter_keys) else []), *list_names.tolist()})
    code_of = {name: code for code, name in enumerate(categories)}

    n_inter = len(inter_keys)
    seg_key = np.concatenate([inter_keys[inter_starts], lists["key"].to_numpy(dtype=np.int64)])
    seg_code = np.concatenate(
        [
            np.full(len(inter_starts), code_of.get(INTERMEDIATE, 0), dtype=np.int64),
            np.array([code_of[n] for n in list_names], dtype=np.int64),
        ]
    )
    seg_length = np.concatenate([inter_lengths, list_lengths])
    seg_source = np.concatenate([inter_starts, n_inter + np.cumsum(list_lengths) - list_lengths])
    list_total = int(list_lengths.sum())
    # Millions of rows: every temporary array is fresh memory, so none is made needlessly.
    if list_total:
        all_values = np.concatenate([inter_values, list_values])
        list_steps = np.repeat(np.cumsum(list_lengths) - list_lengths, list_lengths)
        np.subtract(np.arange(list_total, dtype=np.int64), list_steps, out=list_steps)
        all_steps = np.concatenate([inter_steps, list_steps])
        del list_steps
    else:  # intermediate values only: already in place
        all_values, all_steps = inter_values, inter_steps

    order = np.lexsort((seg_code, seg_key))  # a few segments per trial: cheap
    seg_key, seg_code = seg_key[order], seg_code[order]
    seg_length, seg_source = seg_length[order], seg_source[order]
    seg_start = np.cumsum(seg_length) - seg_length
    if np.array_equal(seg_source, seg_start):  # the sources are in curve order: no gather
        steps, values = all_steps, all_values
    else:
        rows = np.repeat(seg_source - seg_start, seg_length)
        rows += np.arange(len(all_values), dtype=np.int64)
        steps, values = all_steps[rows], all_values[rows]
        del rows
    curves = pd.DataFrame(  # copy=False: no consolidation copy of millions of rows
        {
            "key": np.repeat(seg_key, seg_length),
            "curve": pd.Categorical.from_codes(
                np.repeat(seg_code.astype(np.int16), seg_length),
                categories=pd.Index(categories, dtype=object),
            ),
            "step": steps,
            "value": values,
        },
        copy=False,
    )
    segments = Segments(seg_key, seg_code, seg_start, seg_length, tuple(categories))
    return curves, segments


def _numeric_lists(values: list[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, lengths, all numbers) of the user attr values that are non-empty flat lists of
    numbers: :class:`EncodedList` (already parsed by the reader) and decoded lists.

    For decoded lists numpy does the type check: a list of int/float becomes a 1-d int or
    float array; bools, None, strings or nesting give another dtype or shape.
    """
    rows: list[int] = []
    arrays: list[np.ndarray] = []
    for row, value in enumerate(values):
        kind = type(value)
        if kind is EncodedList:
            arrays.append(value.numbers)
            rows.append(row)
            continue
        if kind is not list or not value or not set(map(type, value)) <= {int, float}:
            continue  # bools, None, strings, nesting: not a curve
        try:
            array = np.asarray(value)
        except (ValueError, TypeError):
            continue
        if array.ndim == 1 and array.dtype.kind in "fi":
            arrays.append(array.astype(float, copy=False))
            rows.append(row)
    lengths = np.fromiter((len(a) for a in arrays), np.int64, len(arrays))
    numbers = np.concatenate(arrays) if arrays else np.zeros(0, dtype=float)
    return np.asarray(rows, dtype=np.int64), lengths, numbers
