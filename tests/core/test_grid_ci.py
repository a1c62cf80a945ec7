"""Bootstrap intervals of the grid's cells: hand-worked cells, ties, properties that hold."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.grid import build_grid
from hpo_tui.core.analysis.grid_ci import (
    Bootstrap,
    IntervalCache,
    bootstrap_interval,
    cell_values,
    grid_intervals,
    overlaps,
    statistic,
    stream_of,
    with_intervals,
)
from hpo_tui.core.export.formats.grid import grid_latex, grid_markdown
from tests.helpers import grid_ci_campaign as gc
from tests.helpers.constrained import write_constrained
from tests.helpers.sqlite_file import written_sqlite


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory):
    return load_campaign([written_sqlite(tmp_path_factory, "grid_ci/ci.db", gc.populate_grid_ci)])


@pytest.fixture(scope="module")
def maximized(tmp_path_factory: pytest.TempPathFactory):
    return load_campaign(
        [
            written_sqlite(
                tmp_path_factory, "grid_ci_max/ci.db", gc.populate_grid_ci, direction="maximize"
            )
        ]
    )


# ----------------------------------------------------------------- cells worked out by hand


@pytest.mark.parametrize("metric", ["best", "median", "top5_mean"])
def test_one_value_gives_a_point(metric: str) -> None:
    # Every resample of one value is that value.
    for direction in ("minimize", "maximize"):
        assert bootstrap_interval(np.array([0.7]), metric, direction) == (0.7, 0.7)


def test_two_values_by_hand() -> None:
    a, b = 0.2, 0.4
    values = np.array([a, b])
    # best, minimize: the resample's min is a unless both draws are b (1/4): ~750 of 1000
    # resamples give a, ~250 give b; the 25th and the 975th smallest are a and b.
    assert bootstrap_interval(values, "best", "minimize") == (a, b)
    # maximize: the max is b with probability 3/4, a with 1/4: the same interval.
    assert bootstrap_interval(values, "best", "maximize") == (a, b)
    # top5_mean of two values = their mean: (a+a)/2, (a+b)/2, (b+b)/2 with 1/4, 1/2, 1/4;
    # the median of two values is their mean too.
    for metric in ("top5_mean", "median"):
        assert bootstrap_interval(values, metric, "minimize") == (a, b)
    # No values, or no direction (multi-objective): no interval.
    assert all(math.isnan(v) for v in bootstrap_interval(np.array([]), "best", "minimize"))
    assert all(math.isnan(v) for v in bootstrap_interval(values, "best", "minimize,maximize"))


def test_statistic_matches_the_grid_metrics() -> None:
    values = np.array([[0.5, 0.1, 0.9, 0.3, 0.7, 0.2, 0.8]])
    assert statistic(values, "best", "minimize")[0] == 0.1
    assert statistic(values, "best", "maximize")[0] == 0.9
    assert statistic(values, "median", "minimize")[0] == 0.5
    # The 5 lowest: 0.1, 0.2, 0.3, 0.5, 0.7 -> 1.8 / 5 = 0.36; the 5 highest: 0.9, 0.8, 0.7,
    # 0.5, 0.3 -> 3.2 / 5 = 0.64.
    assert statistic(values, "top5_mean", "minimize")[0] == pytest.approx(0.36)
    assert statistic(values, "top5_mean", "maximize")[0] == pytest.approx(0.64)


def test_the_grid_cells_worked_out_by_hand(campaign) -> None:
    grid = build_grid(campaign, "best")
    intervals = grid_intervals(campaign, grid)
    for name, values in gc.VALUES.items():
        budget, horizon = name.split("_")[1:]
        want = (min(values), max(values))  # see tests/helpers/grid_ci_campaign.py
        assert (intervals.low.loc[budget, horizon], intervals.high.loc[budget, horizon]) == want
        assert intervals.n_values.loc[budget, horizon] == len(values)  # PRUNED/FAIL left out
    assert grid.best == gc.BEST
    assert set(intervals.tied) == gc.TIED
    assert with_intervals(campaign, grid).marked() == gc.TIED
    assert grid.marked() == {gc.BEST}  # without intervals: the best cell alone


def test_maximized_grid_ties(maximized) -> None:
    # Maximized, the best cell is ci_2M_h3 (0.90), interval [0.35, 0.90]: every other cell
    # overlaps it ([0.30, 0.40], [0.45, 0.50], [0.41, 0.41]).
    grid = with_intervals(maximized, build_grid(maximized, "best"))
    assert grid.best == ("2M", "h3")
    assert grid.intervals is not None
    assert set(grid.intervals.tied) == {("2M", "h1"), ("2M", "h3"), ("20M", "h1"), ("20M", "h3")}


def test_a_tie_makes_two_cells_bold(campaign) -> None:
    plain = build_grid(campaign, "best")
    tied = with_intervals(campaign, plain)
    assert grid_markdown(plain).count("**") == 2  # the best cell only
    markdown = grid_markdown(tied)
    assert markdown.count("**") == 4  # two bold cells
    assert "| 2M | **0.3000 \\[0.3000, 0.4000\\]** | **0.3500 \\[0.3500, 0.9000\\]** |" in markdown
    assert "| 20M | 0.4500 \\[0.4500, 0.5000\\] | 0.4100 \\[0.4100, 0.4100\\] |" in markdown
    assert "overlaps the best cell's" in markdown  # the note under the table
    latex = grid_latex(tied)
    assert latex.count("\\textbf{") == 2
    assert "\\textbf{0.3500 [0.3500, 0.9000]}" in latex


def test_overlap_is_closed() -> None:
    assert overlaps((0.3, 0.4), (0.4, 0.4))  # a shared end is a tie
    assert not overlaps((0.3, 0.4), (0.41, 0.5))
    assert not overlaps((0.3, 0.4), (math.nan, math.nan))


def test_a_cell_does_not_depend_on_the_others(campaign) -> None:
    grid = build_grid(campaign, "best")
    intervals = grid_intervals(campaign, grid, Bootstrap(resamples=50, seed=7))
    study_id = int(grid.study_ids.loc["2M", "h3"])
    alone = bootstrap_interval(
        cell_values(campaign, study_id),
        "best",
        "minimize",
        Bootstrap(resamples=50, seed=7),
        stream_of("ci_2M_h3"),
    )
    assert (intervals.low.loc["2M", "h3"], intervals.high.loc["2M", "h3"]) == alone


def test_cell_values_are_the_grid_metric_population(tmp_path: Path) -> None:
    # Constrained studies: the feasible COMPLETE trials, as the grid's best and top-5 mean.
    write_constrained(f"sqlite:///{tmp_path / 'c.db'}")
    campaign = load_campaign([str(tmp_path / "c.db")])
    for metric in ("best", "median", "top5_mean"):
        grid = build_grid(campaign, metric)
        for (row, column), study_id in grid.study_ids.stack().dropna().items():
            info = campaign.studies.set_index("study_id").loc[int(study_id)]
            if info["direction"] not in ("minimize", "maximize"):
                continue
            values = cell_values(campaign, int(study_id))
            point = statistic(values[None, :], metric, str(info["direction"]))[0]
            assert point == pytest.approx(grid.values.loc[row, column], rel=1e-12)


def test_cache_gives_the_same_interval(campaign) -> None:
    cache = IntervalCache()
    grid = build_grid(campaign, "top5_mean")
    first = grid_intervals(campaign, grid, cache=cache)
    second = grid_intervals(campaign, grid, cache=cache)
    assert first.low.equals(second.low) and first.high.equals(second.high)
    assert first.low.equals(grid_intervals(campaign, grid).low)


def test_bad_settings_and_metrics(campaign) -> None:
    with pytest.raises(ValueError, match="resamples"):
        Bootstrap(resamples=0)
    with pytest.raises(ValueError, match="seed"):
        Bootstrap(seed=-1)
    with pytest.raises(ValueError, match="bootstrap intervals are for the metrics"):
        grid_intervals(campaign, build_grid(campaign, "n_diverged"))


# ----------------------------------------------------------------- properties

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
samples = st.lists(finite, min_size=1, max_size=40).map(np.array)
settings = st.builds(Bootstrap, resamples=st.integers(1, 300), seed=st.integers(0, 2**32 - 1))
metrics = st.sampled_from(["best", "median", "top5_mean"])
directions = st.sampled_from(["minimize", "maximize"])


@given(samples, metrics, directions, settings, st.integers(0, 2**32 - 1))
def test_deterministic_for_a_seed(values, metric, direction, bootstrap, stream) -> None:
    first = bootstrap_interval(values, metric, direction, bootstrap, stream)
    assert bootstrap_interval(values.copy(), metric, direction, bootstrap, stream) == first


@given(samples, metrics, directions, settings)
def test_interval_lies_within_the_values(values, metric, direction, bootstrap) -> None:
    # Every resample draws from the values: its best, median and top-5 mean lie within them
    # (a mean of up to 5 floats up to its rounding: 8 ulps of the largest magnitude).
    low, high = bootstrap_interval(values, metric, direction, bootstrap)
    slack = 0.0 if metric == "best" else 8 * np.finfo(float).eps * np.abs(values).max()
    assert values.min() - slack <= low <= high <= values.max() + slack


@given(samples, settings)
def test_best_never_beats_the_observed_best(values, bootstrap) -> None:
    # The best of a resample is never better than the best of the sample: the interval lies
    # on the worse side of it, whatever the number of resamples.
    low, _ = bootstrap_interval(values, "best", "minimize", bootstrap)
    assert low >= values.min()
    _, high = bootstrap_interval(values, "best", "maximize", bootstrap)
    assert high <= values.max()


@given(samples, st.integers(0, 2**32 - 1))
def test_best_interval_starts_at_the_best_value(values, seed) -> None:
    # A resample keeps the best value with probability 1 - (1 - 1/n)^n > 0.63, far above
    # 2.5 %: with 200+ resamples the interval's better end is the best value itself (a miss
    # needs fewer than 5 of 200 draws to hit it: probability below 1e-80).
    bootstrap = Bootstrap(resamples=200, seed=seed)
    assert bootstrap_interval(values, "best", "minimize", bootstrap)[0] == values.min()
    assert bootstrap_interval(values, "best", "maximize", bootstrap)[1] == values.max()
