"""EDF of objective values: Optuna's own EDF info (``optuna.visualization._edf._get_edf_info``,
what ``plot_edf`` draws; the oracle, in this test only) on the same studies, every backend;
the exact step function against the definition worked out on the values Optuna returns."""

from __future__ import annotations

import warnings

import numpy as np
import optuna
import pytest
from optuna.trial import TrialState
from optuna.visualization._edf import NUM_SAMPLES_X_AXIS, _get_edf_info

from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.edf import EDF_COLUMNS, OPTUNA_POINTS, edf, edf_on_grid
from hpo_tui.core.model.campaign import Campaign
from tests.conftest import BuiltStorage
from tests.helpers import fixture_campaign as fx
from tests.helpers.optuna_storage import optuna_storage

SINGLE = [fx.MAIN, fx.MAXIMIZE, fx.OFF_GRID, fx.LIVE]


def _ids(campaign: Campaign, names: list[str]) -> list[int]:
    by_name = campaign.studies.set_index("study")["study_id"]
    return [int(by_name[name]) for name in names]


def test_optunas_sample_count_is_ours() -> None:
    assert OPTUNA_POINTS == NUM_SAMPLES_X_AXIS


@pytest.mark.parametrize(
    "names",
    [[fx.MAIN], [fx.MAIN, fx.LIVE], SINGLE],
    ids=["one", "a grid column (h1)", "all single-objective"],
)
def test_edf_on_optunas_grid_equals_optuna(any_storage: BuiltStorage, names: list[str]) -> None:
    campaign = load_campaign([any_storage.spec])
    storage = optuna_storage(any_storage)
    studies = [optuna.load_study(study_name=n, storage=storage) for n in names]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Trial 2 is omitted … inf or nan"
        info = _get_edf_info(studies)
    ours = edf_on_grid(campaign, _ids(campaign, names))
    assert len(ours) == len(names) * NUM_SAMPLES_X_AXIS
    for line, (study_id, rows) in zip(
        info.lines, ours.groupby("study_id", sort=False), strict=True
    ):
        assert rows["study"].iloc[0] == line.study_name
        assert np.array_equal(rows["x"].to_numpy(), info.x_values)
        assert np.array_equal(rows["fraction"].to_numpy(), line.y_values), study_id


def test_exact_edf_is_the_fraction_at_or_below_each_value(any_storage: BuiltStorage) -> None:
    """The definition on Optuna's values: COMPLETE, finite; fraction = #(v ≤ value) / n."""
    campaign = load_campaign([any_storage.spec])
    storage = optuna_storage(any_storage)
    table = edf(campaign, _ids(campaign, SINGLE))
    assert list(table.columns) == EDF_COLUMNS
    for name in SINGLE:
        study = optuna.load_study(study_name=name, storage=storage)
        values = np.array(
            [
                t.value
                for t in study.get_trials(states=(TrialState.COMPLETE,))
                if np.isfinite(t.value)
            ]
        )
        rows = table[table["study"] == name]
        assert rows["value"].tolist() == sorted(set(values.tolist()))
        assert (rows["n"] == len(values)).all()
        for value, count, fraction in zip(
            rows["value"], rows["n_at_or_below"], rows["fraction"], strict=True
        ):
            assert count == int(np.sum(values <= value))
            assert fraction == count / len(values)
        assert rows["fraction"].iloc[-1] == 1.0


def test_the_inf_trial_is_left_out_as_optuna_does(sqlite_storage: BuiltStorage) -> None:
    campaign = load_campaign([sqlite_storage.spec])
    table = edf(campaign, _ids(campaign, [fx.MAIN]))
    main = campaign.study_trials(_ids(campaign, [fx.MAIN])[0])
    complete = main[main["state"] == "COMPLETE"]
    assert np.isinf(complete["value"]).sum() == 1  # CASE_INF_INTERMEDIATE
    assert table["n"].iloc[0] == len(complete) - 1
    assert np.isfinite(table["value"]).all()


def test_multi_objective_studies_are_left_out(sqlite_storage: BuiltStorage) -> None:
    campaign = load_campaign([sqlite_storage.spec])
    assert edf(campaign, _ids(campaign, [fx.MULTI])).empty
    assert edf_on_grid(campaign, _ids(campaign, [fx.MULTI])).empty


def test_too_few_points_are_refused(sqlite_storage: BuiltStorage) -> None:
    campaign = load_campaign([sqlite_storage.spec])
    with pytest.raises(ValueError, match="at least 2"):
        edf_on_grid(campaign, points=1)
