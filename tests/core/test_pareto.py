"""The Pareto front and the hypervolume history, checked against Optuna's own
``study.best_trials`` and ``compute_hypervolume`` on real multi-objective studies (NSGA-II
and random samplers, with and without constraints) on every backend."""

from __future__ import annotations

import math

import numpy as np
import optuna
import pytest
from optuna._hypervolume import compute_hypervolume
from optuna.trial import TrialState

from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.pareto import (
    hypervolume,
    hypervolume_history,
    on_pareto_front,
    pareto_points,
    pareto_table,
    parse_reference_point,
    suggested_reference_point,
)
from hpo_tui.core.errors import HpoTuiError
from tests.core.conftest import Loaded
from tests.helpers.fixture_campaign import MULTI
from tests.helpers.multi_objective import KEYED, LISTED, NSGA, RANDOM, STUDIES
from tests.helpers.studies import study_id_of


def _signs(study: optuna.Study) -> np.ndarray:
    return np.array([-1.0 if d.name == "MAXIMIZE" else 1.0 for d in study.directions])


@pytest.mark.parametrize("name", STUDIES)
def test_front_is_optunas_best_trials(multi_loaded: Loaded, name: str) -> None:
    campaign, storage = multi_loaded
    study = optuna.load_study(study_name=name, storage=storage)
    points, objectives = pareto_points(campaign, study_id_of(campaign, name))
    front = points[points["on_front"]]
    assert sorted(front["number"]) == sorted(t.number for t in study.best_trials)
    by_number = {t.number: t for t in study.trials}
    for row in points.itertuples(index=False):
        stored = by_number[row.number].values
        assert [getattr(row, c) for c in objectives.columns] == stored
    complete = [t for t in study.trials if t.state == TrialState.COMPLETE]
    assert sorted(points["number"]) == sorted(t.number for t in complete)


def test_an_infeasible_trial_is_never_on_the_front(multi_loaded: Loaded) -> None:
    campaign, storage = multi_loaded
    for name, dominant in ((LISTED, 0), (KEYED, 0)):
        study = optuna.load_study(study_name=name, storage=storage)
        trial = study.trials[dominant]
        assert any(v > 0 for v in trial.constraints.values())  # infeasible
        # ... and it dominates every other COMPLETE trial (losses by hand: signs applied).
        signs = _signs(study)
        mine = signs * np.array(trial.values)
        others = [
            signs * np.array(t.values)
            for t in study.trials
            if t.state == TrialState.COMPLETE and t.number != dominant
        ]
        assert all(np.all(mine <= o) and np.any(mine < o) for o in others)
        points, _ = pareto_points(campaign, study_id_of(campaign, name))
        row = points.set_index("number").loc[dominant]
        assert not row["on_front"]
        assert not bool(row["feasible"])
    # KEYED's trial 2 set no constraint: Optuna counts it feasible, and so it can be best.
    points, _ = pareto_points(campaign, study_id_of(campaign, KEYED))
    assert points.set_index("number").loc[2, "on_front"]


def test_equal_values_are_on_the_front_together(multi_loaded: Loaded) -> None:
    campaign, _ = multi_loaded
    points, objectives = pareto_points(campaign, study_id_of(campaign, NSGA))
    first, second = (points.set_index("number").loc[n] for n in (0, 1))
    assert [first[c] for c in objectives.columns] == [second[c] for c in objectives.columns]
    assert first["on_front"] and second["on_front"]


def test_table_is_named_by_the_metric_names(multi_loaded: Loaded) -> None:
    campaign, storage = multi_loaded
    table = pareto_table(campaign, study_id_of(campaign, NSGA))
    assert list(table.columns[:3]) == ["number", "val_loss", "accuracy"]
    assert list(table.columns[3:6]) == ["on_front", "feasible", "constraint_violation"]
    assert {"param_learning_rate", "param_width", "param_activation"} <= set(table.columns)
    assert table["on_front"].all()
    assert table["val_loss"].is_monotonic_increasing  # best first in the first objective
    # "number" cannot be a header beside the trial number: its column name stands in.
    keyed = pareto_table(campaign, study_id_of(campaign, KEYED), objectives=(1, 0))
    assert list(keyed.columns[:3]) == ["number", "cost", "values_0"]
    # Every complete trial with all_trials, each with its on_front flag.
    every = pareto_table(campaign, study_id_of(campaign, RANDOM), all_trials=True)
    study = optuna.load_study(study_name=RANDOM, storage=storage)
    assert len(every) == sum(t.state == TrialState.COMPLETE for t in study.trials)
    assert every["on_front"].sum() == len(study.best_trials)
    assert list(every.columns[1:4]) == ["values_0", "values_1", "values_2"]


def test_bad_objective_index(multi_loaded: Loaded) -> None:
    campaign, _ = multi_loaded
    with pytest.raises(HpoTuiError, match=r"objective 2 does not exist: the study has 2"):
        pareto_table(campaign, study_id_of(campaign, NSGA), objectives=(0, 2))


def _optuna_history(study: optuna.Study, reference: list[float]) -> list[float]:
    """By Optuna's compute_hypervolume, from scratch after each COMPLETE trial: the feasible
    trials so far that are no worse than the reference point in any objective."""
    signs = _signs(study)
    ref = signs * np.array(reference)
    kept: list[np.ndarray] = []
    history = []
    for trial in study.get_trials(states=(TrialState.COMPLETE,)):
        loss = signs * np.array(trial.values)
        if all(v <= 0 for v in trial.constraints.values()) and np.all(loss <= ref):
            kept.append(loss)
        history.append(compute_hypervolume(np.array(kept), ref) if kept else 0.0)
    return history


@pytest.mark.parametrize("name", STUDIES)
def test_hypervolume_history_matches_optuna(multi_loaded: Loaded, name: str) -> None:
    campaign, storage = multi_loaded
    study = optuna.load_study(study_name=name, storage=storage)
    study_id = study_id_of(campaign, name)
    nadir = suggested_reference_point(campaign, study_id)
    # The nadir of every finite value, and a tighter point that leaves some trials out.
    complete = [t for t in study.trials if t.state == TrialState.COMPLETE]
    finite = np.array([t.values for t in complete if all(map(math.isfinite, t.values))])
    median = np.median(finite, axis=0).tolist()
    for reference in (nadir, median):
        history = hypervolume_history(campaign, study_id, reference)
        assert list(history["number"]) == [t.number for t in complete]
        expected = _optuna_history(study, reference)
        np.testing.assert_allclose(history["hypervolume"], expected, rtol=1e-12, atol=1e-15)
        assert history["hypervolume"].is_monotonic_increasing
    assert hypervolume_history(campaign, study_id, nadir)["hypervolume"].iloc[-1] > 0


def test_hypervolume_by_hand() -> None:
    # 2-D, minimized: (1, 3), (2, 2), (3, 1) under (4, 4) is a staircase of three columns of
    # width 1 and heights 1, 2, 3: 6. The dominated (3, 3) adds nothing; (5, 0) is outside.
    points = np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0], [3.0, 3.0], [5.0, 0.0]])
    assert hypervolume(points, np.array([4.0, 4.0])) == 6.0
    # 3-D: the unit cube's corner at 0 under (1, 1, 1) is the whole cube; two boxes of
    # 1 × 1 × 0.5 and 0.5 × 1 × 1 overlap in 0.5 × 1 × 0.5: 0.5 + 0.5 - 0.25 = 0.75.
    assert hypervolume(np.zeros((1, 3)), np.ones(3)) == 1.0
    boxes = np.array([[0.0, 0.0, 0.5], [0.5, 0.0, 0.0]])
    assert hypervolume(boxes, np.ones(3)) == 0.75
    assert hypervolume(np.zeros((0, 2)), np.ones(2)) == 0.0


@pytest.mark.parametrize("dimensions", [2, 3, 4])
def test_hypervolume_matches_optuna_on_random_points(dimensions: int) -> None:
    rng = np.random.default_rng(dimensions)
    for _ in range(5):
        points = rng.random((40, dimensions))
        reference = np.full(dimensions, 1.0)
        assert hypervolume(points, reference) == pytest.approx(
            compute_hypervolume(points, reference), rel=1e-12
        )


def test_front_by_hand() -> None:
    loss = np.array([[1.0, 2.0], [2.0, 1.0], [2.0, 2.0], [1.0, 2.0], [0.5, 3.0]])
    # (2, 2) is dominated by (1, 2); the two (1, 2) rows are equal: both on the front.
    assert on_pareto_front(loss).tolist() == [True, True, False, True, True]
    three = np.array([[1.0, 1.0, 1.0], [1.0, 1.0, 2.0], [0.0, 2.0, 2.0], [2.0, 0.0, 0.0]])
    assert on_pareto_front(three).tolist() == [True, False, True, True]


def test_reference_point_parsing() -> None:
    assert parse_reference_point("1, 2.5", 2) == [1.0, 2.5]
    with pytest.raises(HpoTuiError, match="has 1 numbers; the study has 2 objectives"):
        parse_reference_point("1", 2)
    with pytest.raises(HpoTuiError, match="not a comma-separated list of numbers"):
        parse_reference_point("1,x", 2)
    with pytest.raises(HpoTuiError, match="must be finite"):
        parse_reference_point("1,inf", 2)


def test_fixture_campaign_multi_study_on_every_backend(any_storage) -> None:
    """The fixture campaign's multi-objective study (an objective of +inf) on every reader."""
    campaign = load_campaign([any_storage.spec])
    expected = any_storage.expected[MULTI]
    trials = [t for t in expected["trials"] if t.state == "COMPLETE"]
    # Its front by hand: minimize x², maximize (-|x| for x < 0, else +inf).
    losses = [(t.values[0], -t.values[1]) for t in trials]
    front = {
        t.number
        for t, mine in zip(trials, losses, strict=True)
        if not any(
            all(o <= m for o, m in zip(other, mine, strict=True)) and other != mine
            for other in losses
        )
    }
    points, _ = pareto_points(campaign, study_id_of(campaign, MULTI))
    assert set(points.loc[points["on_front"], "number"]) == front


def test_a_study_without_any_stored_value(tmp_path) -> None:
    """Every trial failed: no value column for its objectives in the campaign at all."""
    from hpo_tui.core.analysis.bands import param_bands, top_trials
    from hpo_tui.core.analysis.contour import contour

    path = tmp_path / "failing.db"
    study = optuna.create_study(
        study_name="failing", storage=f"sqlite:///{path}", directions=["minimize", "minimize"]
    )

    def fail(trial: optuna.Trial) -> float:
        trial.suggest_float("x", 0, 1)
        trial.suggest_int("k", 1, 3)
        raise ValueError("no value")

    study.optimize(fail, n_trials=3, catch=(ValueError,))
    campaign = load_campaign([str(path)])
    assert "values_0" not in campaign.trials.columns
    study_id = study_id_of(campaign, "failing")
    points, _ = pareto_points(campaign, study_id)
    assert points.empty and pareto_table(campaign, study_id).empty
    assert hypervolume_history(campaign, study_id, [1.0, 1.0]).empty
    assert suggested_reference_point(campaign, study_id) == [0.0, 0.0]
    bands = param_bands(campaign, study_id).set_index(["param", "statistic"])
    assert bands.loc[("x", "n"), "all"] == 0 and math.isnan(bands.loc[("x", "median"), "all"])
    assert top_trials(campaign, study_id).empty
    assert contour(campaign, study_id, "x", "k").cells.empty
