"""The y range of a chart that ignores outliers, and integer ticks for integer steps."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from hpo_tui.core.analysis.plot_range import integer_ticks, plot_range


def _decaying_curve(n: int = 100, start: float = 2.0, floor: float = 0.1) -> np.ndarray:
    return floor + (start - floor) * np.exp(-np.arange(n) / 20)


def test_a_spike_does_not_set_the_range() -> None:
    curves = np.concatenate([_decaying_curve() * (1 + 0.05 * k) for k in range(5)])
    spiked = curves.copy()
    spiked[130] = 400 * spiked[100]  # one trial spikes to 400× its start
    full = plot_range(spiked, robust=False)
    robust = plot_range(spiked)
    assert full.high == pytest.approx(spiked.max())
    assert robust.high < 3.0  # the other curves keep the height of the plot
    assert robust.low == pytest.approx(curves.min())  # nothing cut off at the bottom
    assert robust.clipped_high == 1 and robust.clipped_low == 0
    assert not full.clipped_high and not full.clipped_low


def test_no_outlier_no_clipping() -> None:
    """The first steps of a learning curve lie above the 95th percentile, but are no outliers."""
    curves = np.concatenate([_decaying_curve() * (1 + 0.05 * k) for k in range(5)])
    robust = plot_range(curves)
    assert (robust.low, robust.high) == (curves.min(), curves.max())
    assert robust.clipped_low == robust.clipped_high == 0


def test_outliers_on_both_sides() -> None:
    values = np.concatenate([np.linspace(0.0, 1.0, 50), [-500.0, 800.0, 900.0]])
    robust = plot_range(values)
    assert -0.5 < robust.low < 0.0 and 1.0 < robust.high < 1.5
    assert robust.clipped_low == 1 and robust.clipped_high == 2


def test_non_finite_values_are_left_out() -> None:
    values = np.array([1.0, 2.0, math.nan, math.inf, -math.inf, 3.0])
    result = plot_range(values)
    assert (result.low, result.high) == (1.0, 3.0)
    assert result.clipped_low == result.clipped_high == 0


def test_no_finite_value_gives_no_range() -> None:
    assert plot_range(np.array([math.nan, math.inf])) is None
    assert plot_range(np.array([])) is None


def test_a_constant_keeps_its_value() -> None:
    result = plot_range(np.full(10, 0.25))
    assert result is not None and result.low == result.high == 0.25


def test_few_points_are_never_clipped() -> None:
    """Too few points for percentiles to mean anything: the full range."""
    result = plot_range(np.array([1.0, 1.1, 400.0]))
    assert (result.low, result.high) == (1.0, 400.0)


def test_log_range_is_robust_in_log_space_and_ignores_non_positive() -> None:
    values = np.concatenate([np.geomspace(1e-3, 1.0, 60), [0.0, -1.0, 1e9]])
    result = plot_range(values, log=True)
    assert result.low == pytest.approx(1e-3)
    assert 1.0 < result.high < 100.0
    assert result.clipped_high == 1 and result.clipped_low == 0


def test_clip_puts_points_at_the_edges() -> None:
    values = np.concatenate([np.linspace(0.0, 1.0, 50), [-500.0, 800.0, math.nan]])
    result = plot_range(values)
    clipped = result.clip(values)
    assert clipped[-3] == result.low and clipped[-2] == result.high
    assert math.isnan(clipped[-1])
    assert np.array_equal(clipped[:50], values[:50])


@pytest.mark.parametrize(
    ("low", "high", "most"),
    [(0, 15, 5), (0, 99, 6), (1, 7, 10), (3, 3, 5), (0, 1, 5), (0, 100_000, 4), (-20, 20, 5)],
)
def test_integer_ticks(low: int, high: int, most: int) -> None:
    ticks = integer_ticks(low, high, most)
    assert all(isinstance(t, int) for t in ticks)
    assert 1 <= len(ticks) <= most
    assert ticks[0] >= low and ticks[-1] <= high
    assert ticks == sorted(set(ticks))
    steps = {b - a for a, b in itertools.pairwise(ticks)}
    assert len(steps) <= 1  # evenly spaced
    if steps:  # a round step: 1, 2 or 5 times a power of ten
        step = steps.pop()
        assert step / 10 ** int(math.log10(step)) in (1, 2, 5)
        assert len(ticks) >= 2 and step <= max(1, high - low)
    # the step is the smallest round one that fits: twice as many ticks would not
    if high - low >= 2:
        assert len(ticks) >= 2


def test_integer_ticks_small_span_lists_every_step() -> None:
    assert integer_ticks(0, 4, 10) == [0, 1, 2, 3, 4]
    assert integer_ticks(0, 15, 5) == [0, 5, 10, 15]
