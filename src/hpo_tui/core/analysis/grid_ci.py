"""The noise-aware grid: bootstrap intervals for each cell, and the cells tied with the best.

Method (the README's *Noise-aware grid* says the same):

* A cell's **values** are what its metric is computed from: the study's COMPLETE trials with
  a value, feasible ones only in a constrained study (as the best value and Optuna's
  ``best_trial``), in trial-number order.
* **Resamples**: ``B`` (default :data:`DEFAULT_RESAMPLES`) samples of the same size, drawn
  with replacement, each giving the cell's metric (best, median or top-5 mean,
  direction-aware).
* **Interval**: the 2.5th and 97.5th percentiles of the ``B`` resampled metrics (a 95 %
  percentile interval), taken as order statistics (``numpy.quantile(...,
  method="inverted_cdf")``): each end is a value some resample gave, never an interpolation.
* **Seed**: each cell draws from ``numpy.random.default_rng([seed, crc32(study name)])``
  (default seed :data:`DEFAULT_SEED`), so a cell's interval is the same whichever other cells
  are shown, and the same on every run (for one numpy version).
* **Ties**: a cell is *tied with the best* when its interval and the best cell's share at
  least one point (closed intervals); the best cell is tied with itself.

Limits: the best of a resample is never better than the best of the sample, so the interval
of ``best`` always starts at the best value itself and only says how far a repeat of the sweep
might land on the worse side; trials of an adaptive sampler (TPE) are not independent draws;
with few trials the intervals are wide and rough; and overlapping 95 % intervals is a
cautious reading (two cells can differ even when theirs overlap a little). The intervals say
how much the ranking of cells rests on a few lucky trials, not what re-training one config
with another seed would give.

This module is part of the UI-free core: it must not import textual or rich.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hpo_tui.core.analysis.defaults import DEFAULT_RESAMPLES, DEFAULT_SEED
from hpo_tui.core.analysis.grid import RANKED_METRICS, Grid
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.model.constraints import infeasible_mask

LEVEL = 0.95
CI_METRICS = RANKED_METRICS  # best, median, top5_mean: the metrics a cell's trials resample
TOP_K = 5  # top5_mean
MAX_DRAWS = 1 << 22  # numbers drawn at once (32 MB of indices): memory stays bounded


@dataclass(frozen=True)
class Bootstrap:
    """How the intervals are drawn: ``resamples`` per cell, ``seed``, ``level``."""

    resamples: int = DEFAULT_RESAMPLES
    seed: int = DEFAULT_SEED
    level: float = LEVEL

    def __post_init__(self) -> None:
        if self.resamples < 1:
            raise ValueError(f"resamples must be at least 1, not {self.resamples}")
        if self.seed < 0:
            raise ValueError(f"the seed must be 0 or more, not {self.seed}")
        if not 0 < self.level < 1:
            raise ValueError(f"the level must be between 0 and 1, not {self.level}")

    def describe(self) -> str:
        """``95 % bootstrap intervals (1000 resamples, seed 0)``."""
        return (
            f"{self.level * 100:g} % bootstrap intervals "
            f"({self.resamples} resamples, seed {self.seed})"
        )


@dataclass
class GridIntervals:
    """Per cell of a grid: the interval's ends, the number of values resampled, and the
    cells tied with the best (``(row, column)`` labels, in grid order)."""

    low: pd.DataFrame
    high: pd.DataFrame
    n_values: pd.DataFrame
    tied: list[tuple[str, str]]
    bootstrap: Bootstrap


def eligible(trials: pd.DataFrame) -> np.ndarray:
    """The trials a cell's metric is over: COMPLETE, with a value, not known infeasible."""
    return (
        (trials["state"] == "COMPLETE").to_numpy(dtype=bool)
        & trials["value"].notna().to_numpy(dtype=bool)
        & ~np.asarray(infeasible_mask(trials), dtype=bool)
    )


def cell_values(campaign: Campaign, study_id: int) -> np.ndarray:
    """The values a cell's metric is computed from, in trial-number order."""
    return cells_values(campaign, [study_id])[study_id]


def cells_values(campaign: Campaign, study_ids: Iterable[int]) -> dict[int, np.ndarray]:
    """:func:`cell_values` of each of ``study_ids``, from one pass over the trials."""
    wanted = [int(s) for s in study_ids]
    trials = campaign.trials
    if "value" not in trials.columns:
        return {s: np.zeros(0, dtype=float) for s in wanted}
    ids = trials["study_id"].to_numpy(dtype=np.int64)
    chosen = np.flatnonzero(eligible(trials) & np.isin(ids, wanted))
    # By study, then by number (stable: a stable sort by number within each study).
    chosen = chosen[np.lexsort((trials["number"].to_numpy()[chosen], ids[chosen]))]
    values = trials["value"].to_numpy(dtype=float)[chosen]
    found, starts = np.unique(ids[chosen], return_index=True)
    parts = np.split(values, starts[1:]) if len(found) else []
    by_study = {int(s): part for s, part in zip(found, parts, strict=True)}
    return {s: by_study.get(s, np.zeros(0, dtype=float)) for s in wanted}


def statistic(samples: np.ndarray, metric: str, direction: str) -> np.ndarray:
    """The metric of each row of ``samples`` (resamples × values)."""
    return _statistics(samples, (metric,), direction)[metric]


def _statistics(
    samples: np.ndarray, metrics: Sequence[str], direction: str, scratch: bool = False
) -> dict[str, np.ndarray]:
    """:func:`statistic` of each of ``metrics``, the signed copy of ``samples`` made once.

    ``scratch``: ``samples`` may be reordered within its rows (the resamples drawn for this
    call). The median and the best value are taken before any row is reordered: which of two
    equal zeros (0.0, -0.0) they return depends on the order.
    """
    for metric in metrics:
        if metric not in CI_METRICS:
            raise ValueError(
                f"no bootstrap interval for metric {metric!r} (only {', '.join(CI_METRICS)})"
            )
    out = {}
    if "median" in metrics:
        out["median"] = np.median(samples, axis=1)
    sign = 1.0 if direction == "minimize" else -1.0
    if "best" in metrics or "top5_mean" in metrics:
        # Smaller is better; times 1.0 changes no value, so a scratch array serves as it is.
        signed = samples if scratch and sign == 1.0 else samples * sign
        if "best" in metrics:
            out["best"] = signed.min(axis=1) * sign
        if "top5_mean" in metrics:
            k = min(TOP_K, samples.shape[1])
            if k < samples.shape[1]:
                signed.partition(k - 1, axis=1)  # in place: what np.partition does to a copy
            out["top5_mean"] = signed[:, :k].mean(axis=1) * sign
    return {metric: out[metric] for metric in metrics}


def stream_of(name: str) -> int:
    """A cell's random stream: the CRC-32 of its study's name (UTF-8)."""
    return zlib.crc32(name.encode("utf-8"))


def bootstrap_intervals(
    values: np.ndarray,
    metrics: Sequence[str],
    direction: str,
    bootstrap: Bootstrap = Bootstrap(),
    stream: int = 0,
) -> dict[str, tuple[float, float]]:
    """The percentile interval of each of ``metrics`` over ``values``, from one set of
    resamples: each is bit for bit what :func:`bootstrap_interval` draws for that metric
    alone (the same random stream), for the cost of one draw. ``(nan, nan)`` each without
    values or without a direction."""
    n = len(values)
    if n == 0 or direction not in ("minimize", "maximize"):
        return {metric: (np.nan, np.nan) for metric in metrics}
    rng = np.random.default_rng([bootstrap.seed, stream])
    per_block = max(1, MAX_DRAWS // n)
    stats = {metric: np.empty(bootstrap.resamples, dtype=float) for metric in metrics}
    for start in range(0, bootstrap.resamples, per_block):
        count = min(per_block, bootstrap.resamples - start)
        picks = rng.integers(0, n, size=(count, n))
        found_by_metric = _statistics(values[picks], metrics, direction, scratch=True)
        for metric, found in found_by_metric.items():
            stats[metric][start : start + count] = found
    alpha = (1.0 - bootstrap.level) / 2
    intervals = {}
    for metric in metrics:
        low, high = np.quantile(stats[metric], [alpha, 1.0 - alpha], method="inverted_cdf")
        intervals[metric] = (float(low), float(high))
    return intervals


def bootstrap_interval(
    values: np.ndarray,
    metric: str,
    direction: str,
    bootstrap: Bootstrap = Bootstrap(),
    stream: int = 0,
) -> tuple[float, float]:
    """The percentile interval of ``metric`` over ``values`` (see the module docstring);
    ``(nan, nan)`` without values or without a direction."""
    return bootstrap_intervals(values, (metric,), direction, bootstrap, stream)[metric]


def overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether two closed intervals share a point (False when either is missing)."""
    if any(np.isnan(v) for v in (*a, *b)):
        return False
    return bool(a[0] <= b[1] and b[0] <= a[1])


@dataclass
class IntervalCache:
    """Intervals kept per cell until its values change (the TUI recomputes the grid on every
    refresh; a refresh that adds trials to one study redraws only that cell). Thread-safe.

    ``together``: metrics drawn at once; asked for one of them, a cell's intervals of all of
    them come from one set of resamples (the export wants the best value's and the top-5
    mean's of every cell: one draw instead of two, the same numbers).
    """

    together: tuple[str, ...] = ()
    _entries: dict[tuple[object, ...], tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def interval(
        self, values: np.ndarray, metric: str, direction: str, bootstrap: Bootstrap, name: str
    ) -> tuple[float, float]:
        digest = hashlib.blake2b(values.tobytes(), digest_size=16).hexdigest()

        def key(metric: str) -> tuple[object, ...]:
            return (metric, direction, bootstrap, name, digest)

        with self._lock:
            found = self._entries.get(key(metric))
        if found is None:
            metrics = self.together if metric in self.together else (metric,)
            drawn = bootstrap_intervals(values, metrics, direction, bootstrap, stream_of(name))
            with self._lock:
                for each, interval in drawn.items():
                    self._entries[key(each)] = interval
            found = drawn[metric]
        return found


def grid_intervals(
    campaign: Campaign,
    grid: Grid,
    bootstrap: Bootstrap = Bootstrap(),
    cache: IntervalCache | None = None,
) -> GridIntervals:
    """Every cell's interval and the cells tied with the best.

    Raises:
        ValueError: the grid's metric is not one of :data:`CI_METRICS`.
    """
    if grid.metric not in CI_METRICS:
        raise ValueError(
            f"bootstrap intervals are for the metrics {', '.join(CI_METRICS)}, not {grid.metric}"
        )
    cache = cache or IntervalCache()
    studies = campaign.studies.set_index("study_id")
    rows, columns = grid.values.index, grid.values.columns
    missing = grid.study_ids.isna().to_numpy()
    ids = grid.study_ids.to_numpy(dtype=object, na_value=None)
    # Filled as arrays (a .loc write per cell costs milliseconds in pandas).
    low = np.full(ids.shape, np.nan)
    high = np.full(ids.shape, np.nan)
    counts = np.zeros(ids.shape, dtype=np.int64)
    values_of = cells_values(campaign, [int(s) for s in ids[~missing]])
    for (i, j), study_id in np.ndenumerate(ids):
        if missing[i, j]:
            continue
        info = studies.loc[int(study_id)]
        values = values_of[int(study_id)]
        low[i, j], high[i, j] = cache.interval(
            values, grid.metric, str(info["direction"]), bootstrap, str(info["study"])
        )
        counts[i, j] = len(values)
    tied: list[tuple[str, str]] = []
    if grid.best is not None:
        at = (rows.get_loc(grid.best[0]), columns.get_loc(grid.best[1]))
        best = (float(low[at]), float(high[at]))
        for (i, j), _ in np.ndenumerate(low):
            if overlaps((float(low[i, j]), float(high[i, j])), best):
                tied.append((rows[i], columns[j]))
    counted = pd.DataFrame(pd.NA, index=rows, columns=columns, dtype="Int64")
    for j, column in enumerate(columns):
        counted[column] = pd.arrays.IntegerArray(counts[:, j], missing[:, j])
    return GridIntervals(
        pd.DataFrame(low, index=rows, columns=columns),
        pd.DataFrame(high, index=rows, columns=columns),
        counted,
        tied,
        bootstrap,
    )


def with_intervals(
    campaign: Campaign,
    grid: Grid,
    bootstrap: Bootstrap = Bootstrap(),
    cache: IntervalCache | None = None,
) -> Grid:
    """``grid`` with its :attr:`~hpo_tui.core.analysis.grid.Grid.intervals` filled in."""
    return dataclasses.replace(grid, intervals=grid_intervals(campaign, grid, bootstrap, cache))
