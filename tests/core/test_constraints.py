"""Constrained studies: feasibility per trial from both encodings, and an infeasible trial is
never the best — checked against Optuna's own ``best_trial``/``best_trials`` and feasibility
helpers, on SQLite and a JournalStorage file."""

from __future__ import annotations

import io
import json
import math
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.study._constrained_optimization import (
    _get_feasible_trials,
    _is_constrained_optimization,
)
from optuna.study._multi_objective import _get_pareto_front_trials_by_trials
from optuna.trial import TrialState

from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.grid import study_metric
from hpo_tui.core.export.writer import render_export
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.model.live import LiveCampaign
from tests.helpers.compare import assert_same_frames
from tests.helpers.constrained import (
    CONSTRAINED,
    KEY_STUDY,
    LIST_STUDY,
    MIXED_STUDY,
    MULTI_STUDY,
    PLAIN_STUDY,
    write_constrained,
)


def _journal(path: Path) -> Any:
    from optuna.storages.journal import JournalFileBackend

    return optuna.storages.JournalStorage(JournalFileBackend(str(path)))


@pytest.fixture(scope="module", params=["sqlite", "journal", "postgresql", "mysql"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """(path or URL to open, an Optuna storage over the same data) per backend."""
    if request.param in ("postgresql", "mysql"):
        url = request.getfixturevalue("fresh_database")(request.param)
        write_constrained(url)
        return url, url
    if request.param == "sqlite":
        path = request.getfixturevalue("constrained_db")
        return path, f"sqlite:///{path}"
    folder = tmp_path_factory.mktemp(f"constrained-{request.param}")
    path = folder / "constrained.log"
    write_constrained(_journal(path))
    return str(path), _journal(path)


def _optuna_trials(storage: Any, name: str) -> tuple[optuna.Study, list[Any]]:
    study = optuna.load_study(study_name=name, storage=storage)
    return study, study.get_trials(deepcopy=False)


def _study_row(campaign: Campaign, name: str) -> pd.Series:
    studies = campaign.studies
    return studies[studies["study"] == name].iloc[0]


def _trials_by_number(campaign: Campaign, name: str) -> pd.DataFrame:
    trials = campaign.trials
    return trials[trials["study"] == name].set_index("number")


def _not_infeasible(feasible: object) -> bool:
    """Optuna's rule: feasible, or without constraint values."""
    return bool(pd.isna(feasible) or feasible)


pytestmark = pytest.mark.filterwarnings("ignore:Overwrite an old format constraint")

STUDIES = [LIST_STUDY, KEY_STUDY, MIXED_STUDY, MULTI_STUDY, PLAIN_STUDY]


@pytest.mark.parametrize("name", STUDIES)
def test_feasibility_per_trial_matches_optuna(built, name: str) -> None:
    path, storage = built
    campaign = load_campaign([path])
    _, trials = _optuna_trials(storage, name)
    ours = _trials_by_number(campaign, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Overwrite an old format constraint."
        constraints = {t.number: t.constraints for t in trials}
        feasible_numbers = {t.number for t in _get_feasible_trials(trials)}
    assert sorted(ours.index) == sorted(constraints)
    for number, values in constraints.items():
        feasible = ours.loc[number, "feasible"]
        violation = ours.loc[number, "constraint_violation"]
        if not values:
            assert pd.isna(feasible), number
            assert math.isnan(violation), number
            assert number in feasible_numbers  # Optuna counts it feasible
            continue
        assert bool(feasible) is all(v <= 0.0 for v in values.values()), number
        assert bool(feasible) is (number in feasible_numbers), number
        # NSGA-II's constrained domination sums the violations so.
        assert violation == sum(v for v in values.values() if v > 0), number
    assert bool(_study_row(campaign, name)["constrained"]) is _is_constrained_optimization(trials)


@pytest.mark.parametrize("name", [LIST_STUDY, KEY_STUDY, MIXED_STUDY, PLAIN_STUDY])
def test_best_is_optunas_best_trial(built, name: str) -> None:
    path, storage = built
    campaign = load_campaign([path])
    study, _ = _optuna_trials(storage, name)
    row = _study_row(campaign, name)
    best = study.best_trial
    assert int(row["best_trial"]) == best.number
    assert row["best_value"] == best.value
    ours = _trials_by_number(campaign, name)
    assert _not_infeasible(ours.loc[best.number, "feasible"])


@pytest.mark.parametrize("name", [LIST_STUDY, KEY_STUDY, MIXED_STUDY])
def test_the_best_value_overall_is_infeasible_in_these_studies(built, name: str) -> None:
    """The fixture really tests something: the unconstrained best is another trial."""
    path, _ = built
    campaign = load_campaign([path])
    ours = _trials_by_number(campaign, name)
    complete = ours[ours["state"] == "COMPLETE"]
    maximize = _study_row(campaign, name)["direction"] == "maximize"
    overall = complete["value"].idxmax() if maximize else complete["value"].idxmin()
    assert not _not_infeasible(complete.loc[overall, "feasible"])
    assert int(_study_row(campaign, name)["best_trial"]) != overall


def test_multi_objective_front_over_our_feasible_trials_is_optunas(built) -> None:
    path, storage = built
    campaign = load_campaign([path])
    study, trials = _optuna_trials(storage, MULTI_STUDY)
    ours = _trials_by_number(campaign, MULTI_STUDY)
    eligible = [t for t in trials if _not_infeasible(ours.loc[t.number, "feasible"])]
    front = _get_pareto_front_trials_by_trials(eligible, study.directions)
    assert sorted(t.number for t in front) == sorted(t.number for t in study.best_trials)
    assert (ours["feasible"] == False).any()  # noqa: E712 - the constraint bites
    assert math.isnan(_study_row(campaign, MULTI_STUDY)["best_value"])


@pytest.mark.parametrize("name", [LIST_STUDY, KEY_STUDY, MIXED_STUDY, PLAIN_STUDY])
def test_grid_median_and_top5_use_feasible_complete_trials(built, name: str) -> None:
    path, storage = built
    campaign = load_campaign([path])
    study, _ = _optuna_trials(storage, name)
    complete = study.get_trials(deepcopy=False, states=[TrialState.COMPLETE])
    values = np.array([t.value for t in _get_feasible_trials(complete)], dtype=float)
    study_id = _study_row(campaign, name)["study_id"]
    assert study_metric(campaign, "median").loc[study_id] == float(np.median(values))
    ranked = np.sort(values) if study.direction.name == "MINIMIZE" else -np.sort(-values)
    assert study_metric(campaign, "top5_mean").loc[study_id] == float(np.mean(ranked[:5]))


def test_refresh_keeps_feasibility_equal_to_a_fresh_load(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(study_name="live_2M_h1", storage=url)
    study.optimize(lambda t: t.suggest_float("x", 0.0, 1.0), n_trials=2)  # no constraints yet
    running = study.ask()
    live = LiveCampaign([url])
    assert not bool(_study_row(live.campaign, "live_2M_h1")["constrained"])
    running.suggest_float("x", 0.0, 1.0)
    running.set_constraint("mem", 1.0)
    study.tell(running, 0.0)  # the best value, infeasible

    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        trial.set_constraint("mem", -x)
        return x

    study.optimize(objective, n_trials=2)
    live.refresh()
    fresh = load_campaign([url])
    assert_same_frames(live.campaign, fresh)
    row = _study_row(live.campaign, "live_2M_h1")
    assert bool(row["constrained"])
    assert int(row["best_trial"]) == study.best_trial.number != running.number


def test_constrained_column_lists_the_constrained_studies(built) -> None:
    path, _ = built
    campaign = load_campaign([path])
    constrained = set(campaign.studies.loc[campaign.studies["constrained"], "study"])
    assert constrained == set(CONSTRAINED)


def test_export_holds_feasibility_exactly(built) -> None:
    path, storage = built
    campaign = load_campaign([path])
    texts = render_export(campaign, datetime(2026, 1, 2, tzinfo=UTC))
    back = pd.read_csv(io.StringIO(texts["hpo_summary.csv"]), keep_default_na=False, na_values=[""])
    document = json.loads(texts["hpo_full.json"])
    assert "`feasible`" in texts["README.md"] and "`constraint_violation`" in texts["README.md"]
    for name in STUDIES:
        _, trials = _optuna_trials(storage, name)
        rows = back[back["study"] == name].set_index("number")
        study_doc = next(s for s in document["studies"] if s["study"] == name)
        assert study_doc["constrained"] is _is_constrained_optimization(trials)
        records = {t["number"]: t for t in study_doc["trials"]}
        for trial in trials:
            values = trial.constraints
            expected = all(v <= 0.0 for v in values.values()) if values else None
            violation = sum(v for v in values.values() if v > 0) if values else None
            cell = rows.loc[trial.number, "feasible"]
            assert (None if pd.isna(cell) else cell in (True, "True")) == expected
            csv_violation = rows.loc[trial.number, "constraint_violation"]
            assert (None if pd.isna(csv_violation) else float(csv_violation)) == violation
            record = records[trial.number]
            assert record["feasible"] is expected
            got = record["constraint_violation"]
            assert (None if got is None else float(got)) == violation


@pytest.mark.parametrize("name", ["feasible", "constraint_violation", "constrained"])
def test_an_axis_cannot_take_a_constraint_column_name(name: str) -> None:
    from hpo_tui.core.config import config_from_mapping
    from hpo_tui.core.errors import HpoTuiError

    pattern = rf"(?P<{name}>\d+M)_(?P<horizon>h\d+)"
    with pytest.raises(HpoTuiError, match="is a column name hpo-tui uses"):
        config_from_mapping({"axes": {"pattern": pattern}})
