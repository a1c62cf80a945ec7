"""The pruner audit's two ways of placing a value among the reference points at its (study,
step), the matrix by rank and the general sort, against a plain count over every point, on
random points: ties, ±inf queries, steps close together or far apart, trials missing steps."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hpo_tui.core.analysis.pruning import _compare_sorted
from hpo_tui.core.analysis.step_ranks import (
    Reports,
    Runs,
    compare_in_rows,
    first_at_least,
    gather_ranges,
)

RAW_VALUES = (-1.0, 0.0, -0.0, 0.5, 1.0, 1.0, 2.0, math.nan, math.inf, -math.inf)
QUERY_VALUES = st.sampled_from([-math.inf, -1.0, 0.0, 0.5, 1.0, 3.0, math.inf])


@st.composite
def _points(draw: st.DrawFn) -> tuple[Reports, Runs, tuple[np.ndarray, ...], np.ndarray]:
    """The reference trials' runs of points (one run per study and rank, sorted by step;
    NaN and ±inf among the values; studies minimized or maximized), and queries (study,
    step, signed value)."""
    n_studies = draw(st.integers(1, 3))
    width = np.array([draw(st.integers(0, 6)) for _ in range(n_studies)], dtype=np.int64)
    signs = [draw(st.sampled_from([1.0, -1.0])) for _ in range(n_studies)]
    steps = draw(st.sampled_from([(0, 1, 2, 3), (-7, 0, 5, 10**9, 2**50)]))
    step_list: list[int] = []
    value_list: list[float] = []
    runs: list[tuple[int, int, int, int, float]] = []
    for study, size in enumerate(width):
        for rank in range(1, int(size) + 1):
            reported = sorted(draw(st.lists(st.sampled_from(steps), unique=True)))
            start = len(step_list)
            step_list += reported
            value_list += [draw(st.sampled_from(RAW_VALUES)) for _ in reported]
            runs.append((start, len(step_list), study, rank, signs[study]))
    queries = draw(
        st.lists(
            st.tuples(st.integers(0, n_studies - 1), st.sampled_from(steps), QUERY_VALUES),
            max_size=8,
        )
    )
    reports = Reports(
        np.arange(len(runs), dtype=np.int64),
        np.array([r[0] for r in runs], dtype=np.int64),
        np.array([r[1] for r in runs], dtype=np.int64),
        np.array(step_list, dtype=np.int64),
        np.array(value_list, dtype=float),
    )
    columns = [np.array([r[i] for r in runs], dtype=t) for i, t in enumerate((int, int, int, int))]
    run_table = Runs(*columns, np.array([r[4] for r in runs], dtype=float))
    query = tuple(
        np.array([q[i] for q in queries], dtype=t)
        for i, t in enumerate((np.int64, np.int64, float))
    )
    return reports, run_table, query, width


def _by_hand(
    reports: Reports, runs: Runs, query: tuple[np.ndarray, ...]
) -> list[tuple[int, int, int]]:
    """A plain count over every finite point, in signed units."""
    points = [
        (int(study), int(rank), int(reports.step[i]), float(reports.value[i]) * float(sign))
        for start, end, study, rank, sign in zip(
            runs.start, runs.end, runs.study, runs.rank, runs.sign, strict=True
        )
        for i in range(start, end)
        if math.isfinite(reports.value[i])
    ]
    answers = []
    for study, step, value in zip(*query, strict=True):
        here = [(rank, v) for s, rank, t, v in points if s == study and t == step]
        as_low = [rank for rank, v in here if v >= value]
        best = min(as_low) if as_low else -1
        answers.append((len(here), sum(v < value for _, v in here), best))
    return answers


def _answers(found: tuple[np.ndarray, ...]) -> list[tuple]:
    return [tuple(int(v) for v in row) for row in zip(*found, strict=True)]


@settings(max_examples=300)
@given(_points())
def test_both_ways_count_like_a_plain_loop(case) -> None:
    reports, runs, query, width = case
    want = _by_hand(reports, runs, query)
    assert _answers(_compare_sorted(runs.points(reports), query)) == want
    in_rows = compare_in_rows(reports, runs, *query, width)
    if in_rows is not None:
        assert _answers(in_rows) == want
    if query[1].size and int(query[1].max()) - int(query[1].min()) < 4:
        assert in_rows is not None  # close steps: the matrices are small, never refused


def test_a_step_reported_twice_leaves_the_matrix_way() -> None:
    # The run of rank 1 in study 0 holds two points at step 2: the general sort counts both.
    reports = Reports(
        np.array([0]), np.array([0]), np.array([2]), np.array([2, 2]), np.array([0.5, 1.5])
    )
    runs = Runs(np.array([0]), np.array([2]), np.array([0]), np.array([1]), np.array([1.0]))
    query = (np.array([0]), np.array([2]), np.array([1.0]))
    assert compare_in_rows(reports, runs, *query, np.array([1])) is None
    assert _answers(_compare_sorted(runs.points(reports), query)) == [(2, 1, 1)]


@given(st.lists(st.lists(st.sampled_from([-np.inf, 0.0, 1.0, 2.0]), max_size=6), max_size=5))
def test_first_at_least_is_searchsorted_per_range(rows: list[list[float]]) -> None:
    flat = np.array([v for row in rows for v in sorted(row)], dtype=float)
    ends = np.cumsum([len(row) for row in rows]).astype(np.int64)
    starts = ends - [len(row) for row in rows]
    for needle in (-np.inf, 0.5, 1.0, np.inf):
        got = first_at_least(flat, starts, ends, np.full(len(rows), needle))
        want = [s + np.searchsorted(flat[s:e], needle) for s, e in zip(starts, ends, strict=True)]
        assert got.tolist() == want


def test_gather_ranges() -> None:
    assert gather_ranges(np.array([3, 0, 7]), np.array([5, 0, 9])).tolist() == [3, 4, 7, 8]
    assert gather_ranges(np.array([], dtype=np.int64), np.array([], dtype=np.int64)).size == 0
