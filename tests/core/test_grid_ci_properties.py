"""The export's bootstrap intervals, drawn once per cell for several metrics, against one draw
per metric: the same random stream, so the same intervals bit for bit; and
``hpo_grid_intervals.csv``'s frame against a plain loop over the cells of small random
campaigns (values from Optuna's own trials)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optuna.trial import TrialState

from hpo_tui.core.analysis.grid import build_grid, sweeps
from hpo_tui.core.analysis.grid_ci import (
    CI_METRICS,
    Bootstrap,
    bootstrap_interval,
    bootstrap_intervals,
    stream_of,
)
from hpo_tui.core.export.formats.grid import EXPORT_INTERVAL_METRICS, interval_export_frame
from tests.helpers.random_campaign import RandomCampaign, random_campaigns

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
samples = st.one_of(
    st.lists(finite, min_size=1, max_size=40),
    st.lists(st.sampled_from([0.0, -0.0, 0.5, -0.5]), min_size=1, max_size=12),  # signed zeros
).map(np.array)
bootstraps = st.builds(Bootstrap, resamples=st.integers(1, 300), seed=st.integers(0, 2**32 - 1))
directions = st.sampled_from(["minimize", "maximize"])


@given(samples, directions, bootstraps, st.integers(0, 2**32 - 1), st.sampled_from([7, 1 << 22]))
def test_metrics_drawn_together_are_each_drawn_alone(
    values, direction, bootstrap, stream, max_draws
) -> None:
    # One set of resamples serves every metric: each interval is bit for bit the one drawn
    # for that metric alone (the same random stream), in one block or in many.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("hpo_tui.core.analysis.grid_ci.MAX_DRAWS", max_draws)
        together = bootstrap_intervals(values, CI_METRICS, direction, bootstrap, stream)
        for metric in CI_METRICS:
            alone = bootstrap_interval(values, metric, direction, bootstrap, stream)
            assert repr(together[metric]) == repr(alone), metric  # bits: -0.0 is not 0.0


def _cell_values(rc: RandomCampaign, study: str) -> np.ndarray:
    """A cell's values by the definition: its COMPLETE trials' values, by number (a
    multi-objective study has no single value; the random campaigns have no constraints)."""
    if len(rc.directions[study]) > 1:
        return np.zeros(0)
    trials = sorted(rc.trials[study], key=lambda t: t.number)
    return np.array([t.values[0] for t in trials if t.state == TrialState.COMPLETE], dtype=float)


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(random_campaigns(), st.integers(1, 60), st.integers(0, 2**32 - 1))
def test_export_frame_is_a_loop_over_cells(rc: RandomCampaign, resamples: int, seed: int) -> None:
    bootstrap = Bootstrap(resamples=resamples, seed=seed)
    frame = interval_export_frame(rc.campaign, bootstrap)
    campaign = rc.campaign
    expected = []
    for sweep in sweeps(campaign):
        for metric in EXPORT_INTERVAL_METRICS:
            grid = build_grid(campaign, metric, sweep)
            for (row, column), study_id in grid.study_ids.stack().dropna().items():
                info = campaign.studies.set_index("study_id").loc[int(study_id)]
                values = _cell_values(rc, str(info["study"]))
                low, high = bootstrap_interval(
                    values, metric, str(info["direction"]), bootstrap, stream_of(info["study"])
                )
                expected.append((sweep, metric, row, column, low, high, len(values)))
    got = frame[["sweep", "metric", "budget", "horizon", "ci_low", "ci_high", "n_values"]]
    rows = sorted(got.itertuples(index=False, name=None), key=lambda r: r[:4])
    assert len(rows) == len(expected)
    for have, want in zip(rows, sorted(expected, key=lambda r: r[:4]), strict=True):
        assert have[:4] == want[:4] and have[6] == want[6], (have, want)
        assert _same(have[4], want[4]) and _same(have[5], want[5]), (have, want)
