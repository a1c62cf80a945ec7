"""Where a value stands among the reference trials' values at one (study, step): the pruner
audit's comparisons (:mod:`hpo_tui.core.analysis.pruning`) for the usual layout of curves.

The audit asks, for each pruned trial (a *query*: a group, the (study, step) it was pruned
at, and a value, smaller is better), how many reference points its group holds, how many are
strictly better, and the best final rank among those no better. The general answer sorts
every reference point by (group, value). Most campaigns allow a cheaper one: their reference
trials report most steps, and the queried steps lie close together (epochs, not sample
counts). Then each study's points are laid out as a matrix, a row per step and a column
per final rank, filled by arithmetic on (study, step, rank) with no sort and no hashing (a
trial's points lie in one run of the curves, sorted by step: the queried ones are found by a
binary search per trial, and taken without a copy of the other curves): the
best rank among the points no better than a value is the first column where the row's running
maximum reaches that value, and the number of better points a position in the row sorted;
every answer is a binary search over one row (:func:`compare_in_rows`). It returns ``None``
when the layout does not suit it (rows mostly empty), and the caller takes the general path;
both give the same answers.

This module is part of the UI-free core: it must not import textual or rich.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.model.curves import INTERMEDIATE

# The matrices may hold this many cells per reference point, plus this slack, before the
# general path is the cheaper one.
CELLS_PER_POINT = 4
CELL_SLACK = 1 << 16


@dataclass
class Reports:
    """The ``intermediate`` curve points, in runs of one trial each: ``step`` and ``value``
    are the curves' own columns, a run is rows ``start .. end - 1`` of them (the curves are
    sorted by key, then curve, then step: a run's last point is the trial's last report)."""

    row: np.ndarray  # per run: the trial's row in ``campaign.trials``
    start: np.ndarray
    end: np.ndarray
    step: np.ndarray
    value: np.ndarray


def intermediate_reports(campaign: Campaign) -> Reports:
    """The campaign's :class:`Reports` (no copy of the points)."""
    curves = campaign.curves
    none = np.zeros(0, dtype=np.int64)
    if curves.empty or INTERMEDIATE not in curves["curve"].cat.categories:
        return Reports(none, none, none, none, np.zeros(0))
    code = curves["curve"].cat.categories.get_loc(INTERMEDIATE)
    chosen = np.concatenate([[False], curves["curve"].cat.codes.to_numpy() == code, [False]])
    edges = np.flatnonzero(chosen[1:] != chosen[:-1])  # where stretches of points begin, end
    starts, ends = edges[0::2], edges[1::2]
    keys = curves["key"].to_numpy(dtype=np.int64)
    # A stretch holds several trials when none has another curve between them: split it.
    several = np.flatnonzero(keys[starts] != keys[ends - 1])
    if len(several):
        inner = gather_ranges(starts[several] + 1, ends[several])
        splits = inner[keys[inner] != keys[inner - 1]]
        starts, ends = np.sort(np.r_[starts, splits]), np.sort(np.r_[ends, splits])
    rows = campaign.trials.index.get_indexer(keys[starts])
    known = rows >= 0  # points of a trial the trials frame does not hold are left out
    return Reports(
        rows[known].astype(np.int64),
        starts[known],
        ends[known],
        curves["step"].to_numpy(dtype=np.int64),
        curves["value"].to_numpy(dtype=float),
    )


def gather_ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The indices ``start .. end - 1`` of each range, one range after the other."""
    lengths = ends - starts
    total = np.cumsum(lengths)
    shift = np.repeat(starts - (total - lengths), lengths)
    return np.arange(int(total[-1]) if len(total) else 0) + shift


def first_at_least(
    array: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    needles: np.ndarray,
    strictly: bool = False,
) -> np.ndarray:
    """Per needle, the first index ``i`` in ``[start, end)`` with ``array[i] >= needle``
    (``> needle`` when ``strictly``), ``end`` when there is none; ``array`` is
    non-decreasing within each range. One binary search per needle, all of them together."""
    low, high = starts.astype(np.int64), ends.astype(np.int64)
    last = max(len(array) - 1, 0)
    while True:
        active = low < high
        if not active.any():
            return low
        middle = (low + high) // 2
        probe = array[np.minimum(middle, last)]
        below = active & ((probe <= needles) if strictly else (probe < needles))
        low = np.where(below, middle + 1, low)
        high = np.where(active & ~below, middle, high)


@dataclass
class Runs:
    """The reference trials' runs of points (a subset of :class:`Reports`' runs) and what
    each point of a run shares: its study code, its final rank, the sign that makes smaller
    better (1 when minimized, -1 when maximized)."""

    start: np.ndarray
    end: np.ndarray
    study: np.ndarray
    rank: np.ndarray
    sign: np.ndarray

    def points(self, reports: Reports) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every finite point: ``(study, rank, step, signed value)``."""
        at = gather_ranges(self.start, self.end)
        run = np.repeat(np.arange(len(self.start)), self.end - self.start)
        value = reports.value[at] * self.sign[run]
        finite = np.flatnonzero(np.isfinite(value))
        run = run[finite]
        return self.study[run], self.rank[run], reports.step[at[finite]], value[finite]


def compare_in_rows(
    reports: Reports,
    runs: Runs,
    query_study: np.ndarray,
    query_step: np.ndarray,
    query_value: np.ndarray,
    width: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Per query, among the reference points of its study at its step: how many there are,
    how many are strictly better (smaller, in signed units), and the best (smallest) final
    rank among those no better, -1 when none is: ``(n_at_step, n_better, best_rank_as_low)``.

    Studies are codes ``0 .. len(width) - 1``; a run's rank runs from 1 to ``width[study]``
    (the study's reference trials); NaN and ±inf points take no part. Each study's points
    from its lowest to its highest queried step are laid out as a matrix, one row per step,
    one column per rank. ``None`` when those matrices would be mostly empty (steps far apart,
    trials that report few of them) or a trial reports a step twice.
    """
    n_studies = len(width)
    queried = np.zeros(n_studies, dtype=bool)
    queried[query_study] = True
    low = np.zeros(n_studies, dtype=np.int64)
    high = np.full(n_studies, -1, dtype=np.int64)
    if len(query_step):
        low[queried] = np.iinfo(np.int64).max
        high[queried] = np.iinfo(np.int64).min
        np.minimum.at(low, query_study, query_step)
        np.maximum.at(high, query_study, query_step)
    # In floats first: a span of steps far apart could overflow int64. A study without
    # reference trials has no matrix (its queries find no point).
    queried &= width > 0
    spans = np.where(queried, high.astype(float) - low.astype(float) + 1, 0.0)
    n_points = int((runs.end - runs.start).sum())
    if float((spans * width).sum()) > CELLS_PER_POINT * n_points + CELL_SLACK:
        return None
    span = spans.astype(np.int64)
    sizes = span * width
    base = np.cumsum(sizes) - sizes  # each study's matrix in ``cells``
    first_row = np.cumsum(span) - span  # its first row among all rows

    # Each run's points within its study's queried steps (a run is sorted by step), placed
    # at (step - lowest step) * width + rank - 1 in the study's matrix.
    in_study = queried[runs.study]
    run_low, run_high = low[runs.study], high[runs.study]
    begin = first_at_least(reports.step, runs.start, runs.end, run_low)
    finish = first_at_least(reports.step, begin, runs.end, run_high, strictly=True)
    finish = np.where(in_study, finish, begin)
    at = gather_ranges(begin, finish)
    counts = finish - begin
    offset = reports.step[at] - np.repeat(run_low, counts)
    cell = offset * np.repeat(width[runs.study], counts) + np.repeat(
        base[runs.study] + runs.rank - 1, counts
    )
    value = reports.value[at]
    finite = np.isfinite(value)
    if not finite.all():
        cell, value = cell[finite], value[finite]
    cells = np.full(int(sizes.sum()), np.nan)
    cells[cell] = value
    if np.count_nonzero(~np.isnan(cells)) != len(value):
        return None  # one trial with two points at one step: the general path counts both
    # Per row: how many points, the first rank holding one, the running maximum in rank
    # order (-inf before that rank), and the values sorted (missing ranks last); in signed
    # units (a maximized study's matrix is negated: smaller is better).
    count = np.zeros(int(span.sum()), dtype=np.int64)
    first = np.zeros(int(span.sum()), dtype=np.int64)
    running = np.empty(len(cells))
    sign = np.ones(n_studies)
    sign[runs.study] = runs.sign
    for study in np.flatnonzero(sizes):
        rows = slice(first_row[study], first_row[study] + span[study])
        block = cells[base[study] : base[study] + sizes[study]].reshape(span[study], width[study])
        if sign[study] < 0:
            np.negative(block, out=block)
        present = ~np.isnan(block)
        count[rows] = present.sum(axis=1)
        first[rows] = present.argmax(axis=1)
        maximum = np.fmax.accumulate(block, axis=1)
        maximum[np.isnan(maximum)] = -np.inf
        running[base[study] : base[study] + sizes[study]] = maximum.ravel()
        block.sort(axis=1)  # in place: ``cells`` holds the sorted rows from here on
    n_at = np.zeros(len(query_step), dtype=np.int64)
    better = np.zeros(len(query_step), dtype=np.int64)
    best = np.full(len(query_step), -1, dtype=np.int64)
    asked = np.flatnonzero(queried[query_study])
    where = query_study[asked]
    offset = query_step[asked] - low[where]
    row = first_row[where] + offset
    start = base[where] + offset * width[where]
    n_at[asked] = count[row]
    better[asked] = first_at_least(cells, start, start + count[row], query_value[asked]) - start
    ends = start + np.where(count[row] > 0, width[where], 0)
    reach = first_at_least(running, start, ends, query_value[asked]) - start
    position = np.maximum(reach, first[row])
    best[asked] = np.where((count[row] > 0) & (position < width[where]), position + 1, -1)
    return n_at, better, best
