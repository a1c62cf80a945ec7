"""Optimization history: every number equals Optuna's own optimization-history info (the data
``optuna.visualization.plot_optimization_history`` draws; plotly is not installed, so the
private info function is the oracle, in this test only), on every backend and on constrained
studies; the completion-time order is checked on a study finished out of order by hand."""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.visualization._optimization_history import (
    _get_optimization_history_info_list,
    _ValueState,
)

from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.history import (
    HISTORY_COLUMNS,
    multi_objective,
    optimization_history,
)
from hpo_tui.core.model.campaign import Campaign
from tests.conftest import BuiltStorage
from tests.helpers import fixture_campaign as fx
from tests.helpers.constrained import (
    KEY_STUDY,
    LIST_STUDY,
    MIXED_STUDY,
    PLAIN_STUDY,
    write_constrained,
)
from tests.helpers.optuna_storage import journal_storage, optuna_storage

pytestmark = pytest.mark.filterwarnings("ignore:Overwrite an old format constraint")


def _study_id(campaign: Campaign, name: str) -> int:
    studies = campaign.studies
    return int(studies.loc[studies["study"] == name, "study_id"].iloc[0])


def _assert_matches_optuna(campaign: Campaign, storage: Any, name: str) -> int:
    """Our history of study ``name`` equals Optuna's info, trial by trial; returns how many
    trials were compared."""
    study = optuna.load_study(study_name=name, storage=storage)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (info,) = _get_optimization_history_info_list(
            study, target=None, target_name="Objective Value", error_bar=False
        )
    ours = optimization_history(campaign, [_study_id(campaign, name)])
    assert ours["number"].tolist() == info.trial_numbers
    assert info.best_values_info is not None
    seen_feasible = False
    for row, value, best, state in zip(
        ours.itertuples(index=False),
        info.values_info.values,
        info.best_values_info.values,
        info.values_info.states,
        strict=True,
    ):
        # Optuna: NaN for a trial that is not COMPLETE; the value otherwise (inf kept).
        if math.isnan(value):
            assert math.isnan(row.value), row.number
        else:
            assert row.value == value, row.number
        # Optuna's running best is ±inf until the first feasible COMPLETE trial; ours is
        # empty until then (so that a trial that returned inf can be the best).
        seen_feasible = seen_feasible or state == _ValueState.Feasible
        if seen_feasible:
            assert row.best_value == best, row.number
        else:
            assert math.isinf(best) and math.isnan(row.best_value), row.number
        # Infeasible COMPLETE trials are never a new best.
        if state == _ValueState.Infeasible:
            assert not row.new_best, row.number
    return len(ours)


def test_history_equals_optunas_on_every_backend(any_storage: BuiltStorage) -> None:
    campaign = load_campaign([any_storage.spec])
    storage = optuna_storage(any_storage)
    compared = 0
    for name in (fx.MAIN, fx.MAXIMIZE, fx.OFF_GRID, fx.LIVE):
        compared += _assert_matches_optuna(campaign, storage, name)
    assert compared == sum(
        len(any_storage.expected[n]["trials"]) for n in (fx.MAIN, fx.MAXIMIZE, fx.OFF_GRID, fx.LIVE)
    )


def test_history_of_every_study_holds_each_single_objective_trial_once(
    sqlite_storage: BuiltStorage,
) -> None:
    campaign = load_campaign([sqlite_storage.spec])
    history = optimization_history(campaign)
    assert list(history.columns) == HISTORY_COLUMNS
    multi = set(multi_objective(campaign))
    assert multi == {_study_id(campaign, fx.MULTI)}
    single = campaign.trials[~campaign.trials["study_id"].isin(list(multi))]
    assert len(history) == len(single)
    assert not history.duplicated(["study_id", "number"]).any()


@pytest.fixture(scope="module", params=["sqlite", "journal"])
def constrained(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp(f"history-constrained-{request.param}")
    if request.param == "sqlite":
        path = folder / "constrained.db"
        write_constrained(f"sqlite:///{path}")
        return str(path), f"sqlite:///{path}"
    path = folder / "constrained.log"
    write_constrained(journal_storage(str(path)))
    return str(path), journal_storage(str(path))


@pytest.mark.parametrize("name", [LIST_STUDY, KEY_STUDY, MIXED_STUDY, PLAIN_STUDY])
def test_constrained_history_equals_optunas_and_never_bests_an_infeasible_trial(
    constrained, name: str
) -> None:
    path, storage = constrained
    campaign = load_campaign([path])
    _assert_matches_optuna(campaign, storage, name)
    history = optimization_history(campaign, [_study_id(campaign, name)])
    infeasible = history["feasible"].eq(False).fillna(False).to_numpy(dtype=bool)
    assert not history["new_best"].to_numpy()[infeasible].any()
    # The last running best is the study's best_value (Optuna's best_trial).
    study = optuna.load_study(study_name=name, storage=storage)
    assert history["best_value"].iloc[-1] == study.best_value


def test_the_list_study_has_an_infeasible_value_better_than_its_best(constrained) -> None:
    """The constrained fixture is a real test of "never best": x = 0 is the lowest value and
    infeasible."""
    path, _ = constrained
    campaign = load_campaign([path])
    history = optimization_history(campaign, [_study_id(campaign, LIST_STUDY)])
    infeasible = history[history["feasible"].eq(False).fillna(False).to_numpy(dtype=bool)]
    assert infeasible["value"].min() < history["best_value"].min()


def test_by_time_follows_completion_order(tmp_path: Path) -> None:
    """Two workers: trial 0 starts first and finishes last. By number the best goes
    3.0 (#0) → 1.0 (#1) → 1.0 (#2); by completion time #1 (1.0) comes first, then #2 (2.0,
    not a new best), then #0 (3.0, not a new best)."""
    url = f"sqlite:///{tmp_path / 'order.db'}"
    study = optuna.create_study(study_name="order", storage=url)
    first, second, third = study.ask(), study.ask(), study.ask()
    study.tell(second, 1.0)
    study.tell(third, 2.0)
    study.tell(first, 3.0)
    campaign = load_campaign([str(tmp_path / "order.db")])

    by_number = optimization_history(campaign)
    assert by_number["number"].tolist() == [0, 1, 2]
    assert by_number["value"].tolist() == [3.0, 1.0, 2.0]
    assert by_number["best_value"].tolist() == [3.0, 1.0, 1.0]
    assert by_number["new_best"].tolist() == [True, True, False]

    by_time = optimization_history(campaign, by="time")
    assert by_time["number"].tolist() == [1, 2, 0]
    assert by_time["best_value"].tolist() == [1.0, 1.0, 1.0]
    assert by_time["new_best"].tolist() == [True, False, False]
    trials = {t.number: t for t in study.get_trials()}
    start = min(t.datetime_start for t in trials.values())
    for row in by_time.itertuples(index=False):
        complete = trials[row.number].datetime_complete
        assert row.elapsed_s == pytest.approx((complete - start).total_seconds(), abs=1e-6)


def test_by_time_leaves_out_unfinished_trials(sqlite_storage: BuiltStorage) -> None:
    campaign = load_campaign([sqlite_storage.spec])
    live = _study_id(campaign, fx.LIVE)
    by_number = optimization_history(campaign, [live])
    by_time = optimization_history(campaign, [live], by="time")
    assert set(by_number["state"]) >= {"RUNNING", "WAITING"}
    assert set(by_time["state"]) == {"COMPLETE"}
    assert by_time["datetime_complete"].notna().all()


def test_a_maximized_study_keeps_the_highest(sqlite_storage: BuiltStorage) -> None:
    campaign = load_campaign([sqlite_storage.spec])
    history = optimization_history(campaign, [_study_id(campaign, fx.MAXIMIZE)])
    values = history["value"].to_numpy(dtype=float)
    assert np.array_equal(history["best_value"].to_numpy(), np.maximum.accumulate(values))


def test_an_unknown_order_is_refused(sqlite_storage: BuiltStorage) -> None:
    campaign = load_campaign([sqlite_storage.spec])
    with pytest.raises(ValueError, match="unknown order"):
        optimization_history(campaign, by="wallclock")  # type: ignore[arg-type]


def test_history_is_empty_for_no_study(sqlite_storage: BuiltStorage) -> None:
    campaign = load_campaign([sqlite_storage.spec])
    history = optimization_history(campaign, [])
    assert history.empty
    assert list(history.columns) == HISTORY_COLUMNS
    assert isinstance(history, pd.DataFrame)
