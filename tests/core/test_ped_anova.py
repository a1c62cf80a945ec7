"""PED-ANOVA on the campaign's frames gives Optuna's numbers, bit for bit.

The oracle is Optuna's own evaluator on the same study as ``optuna.load_study`` reads it:
``PedAnovaImportanceEvaluator().evaluate(study)`` for the raw scores and
``get_param_importances(study, evaluator=PedAnovaImportanceEvaluator())`` for the
normalised ones. Both are compared with ``==`` (no tolerance), on every fixture storage of
the suite and on synthetic studies made for the edge cases: ties, one trial, constant
params, categorical choices never drawn, int / log / step distributions, params missing
in some trials, search spaces that change, non-finite values, maximised and
multi-objective studies (2, 3 and 4 objectives: the tie-break by hypervolume subset
selection in each dimension's code path).

Optuna lists a param seen only in COMPLETE trials with non-finite values too (with 0.0);
hpo-tui does not assess it (its evaluator sees the usable trials only, as before).
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pytest
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import TrialState, create_trial

from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.importance import campaign_importance
from hpo_tui.core.analysis.importance_evaluators import campaign_inputs, study_inputs
from hpo_tui.core.analysis.ped_anova import normalized, ped_anova_scores
from tests.conftest import BuiltStorage
from tests.helpers.golden import GOLDEN_DB

pytestmark = [
    pytest.mark.filterwarnings("ignore"),  # Optuna's experimental / few-trials warnings
    pytest.mark.skipif(
        int(optuna.__version__.split(".")[0]) < 5,
        reason="the port follows Optuna 5's PED-ANOVA (regimes, multi-objective top set)",
    ),
]


def _ro_sqlite(path: str | Path) -> str:
    return f"sqlite:///file:{path}?mode=ro&uri=true"


def _optuna_importances(study: optuna.Study) -> tuple[dict[str, float], dict[str, float]]:
    from optuna.importance import PedAnovaImportanceEvaluator, get_param_importances

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = PedAnovaImportanceEvaluator().evaluate(study)
        return raw, get_param_importances(study, evaluator=PedAnovaImportanceEvaluator())


def _assert_same_as_optuna(spec: str, storage: Any) -> int:
    """Every study of ``spec`` against Optuna on ``storage``; the number of studies checked
    with at least one param."""
    campaign = load_campaign([spec])
    every = campaign_inputs(campaign)  # what the cache evaluates: the same inputs
    checked = 0
    for study_id, name in zip(campaign.studies["study_id"], campaign.studies["study"], strict=True):
        inputs = study_inputs(campaign, int(study_id))
        assert every[int(study_id)].fingerprint() == inputs.fingerprint(), name
        raw = ped_anova_scores(inputs)
        study = optuna.load_study(study_name=str(name), storage=storage)
        want_raw, want = _optuna_importances(study)
        unassessed = set(want_raw) - set(raw)
        assert set(raw) <= set(want_raw), name
        assert all(want_raw[p] == 0.0 for p in unassessed), name  # only in non-finite trials
        assert raw == {p: v for p, v in want_raw.items() if p in raw}, name
        if not unassessed:
            assert normalized(raw) == want, name  # the same floats, bit for bit
            if len(set(want.values())) == len(want):  # no ties: the same order too
                assert list(normalized(raw)) == list(want), name
        checked += bool(raw)
    return checked


def _storage_of(built: BuiltStorage) -> Any:
    if built.backend == "sqlite":
        return _ro_sqlite(built.spec)
    if built.backend == "journal":
        from optuna.storages.journal import JournalFileBackend

        return optuna.storages.JournalStorage(JournalFileBackend(built.spec))
    if built.backend == "redis":
        from tests.helpers.redis_server import journal_storage

        return journal_storage(built.spec)
    return built.spec  # a server URL


def test_fixture_campaign_on_every_backend(any_storage: BuiltStorage) -> None:
    assert _assert_same_as_optuna(any_storage.spec, _storage_of(any_storage)) >= 1


@pytest.mark.parametrize("fixture", ["dynamics_db", "patterns_db", "constrained_db"])
def test_sqlite_fixtures(request: pytest.FixtureRequest, fixture: str) -> None:
    path = str(request.getfixturevalue(fixture))
    assert _assert_same_as_optuna(path, _ro_sqlite(path)) >= 3


def test_multi_objective_studies_on_every_backend(multi_built: tuple[str, Any]) -> None:
    spec, storage = multi_built
    assert _assert_same_as_optuna(spec, storage) >= 4


def test_golden_campaign() -> None:
    assert _assert_same_as_optuna(str(GOLDEN_DB), _ro_sqlite(GOLDEN_DB)) >= 4


def test_two_sweeps_and_waiting_trials(two_sweeps: tuple[str, str], waiting_storage: str) -> None:
    for path in (*two_sweeps, waiting_storage):
        assert _assert_same_as_optuna(path, _ro_sqlite(path)) >= 1


# Synthetic studies: one per edge case, written with ``Study.add_trial``.

Trial = tuple[dict[str, Any], dict[str, BaseDistribution], list[float] | None, TrialState]

F = FloatDistribution(-1.0, 1.0)
CHOICES = CategoricalDistribution(["a", "b", "c", "d", "e", "f"])


def _complete(params: dict[str, tuple[Any, BaseDistribution]], *values: float) -> Trial:
    return (
        {k: v for k, (v, _) in params.items()},
        {k: d for k, (_, d) in params.items()},
        list(values),
        TrialState.COMPLETE,
    )


def _write(url: str, name: str, directions: list[str], trials: list[Trial]) -> None:
    study = optuna.create_study(study_name=name, storage=url, directions=directions)
    for params, distributions, values, state in trials:
        study.add_trial(
            create_trial(params=params, distributions=distributions, values=values, state=state)
        )


def _ties(rng: np.random.Generator) -> list[Trial]:
    # Values in {0, 1, 2}: the top 10 % is a third of the trials and more.
    return [
        _complete(
            {"x": (float(rng.uniform(-1, 1)), F), "c": (str(rng.choice(["a", "b"])), CHOICES)},
            float(rng.integers(0, 3)),
        )
        for _ in range(45)
    ]


def _one(rng: np.random.Generator) -> list[Trial]:
    return [_complete({"x": (0.5, F)}, 1.0)]


def _two(rng: np.random.Generator) -> list[Trial]:
    return [_complete({"x": (0.5, F)}, 1.0), _complete({"x": (-0.5, F)}, 2.0)]


def _constant(rng: np.random.Generator) -> list[Trial]:
    single = {
        "point": (2.0, FloatDistribution(2.0, 2.0)),
        "one_choice": ("only", CategoricalDistribution(["only"])),
        "int_point": (3, IntDistribution(3, 3)),
        "wide_step": (0.0, FloatDistribution(0.0, 0.5, step=1.0)),  # single(): step > range
        "same_x": (0.25, F),  # a free param that never moved
        "same_c": ("c", CHOICES),
    }
    return [_complete(single, float(rng.normal())) for _ in range(30)]


def _unseen_choices(rng: np.random.Generator) -> list[Trial]:
    mixed = CategoricalDistribution([None, 1.5, False, "x", 3, "never", -2])
    return [
        _complete(
            {
                "c": (str(rng.choice(["b", "e"])), CHOICES),
                "mixed": ([None, 1.5, False, "x", 3][int(rng.integers(0, 5))], mixed),
                "x": (float(rng.uniform(-1, 1)), F),
            },
            float(rng.normal()),
        )
        for _ in range(40)
    ]


def _kinds(rng: np.random.Generator) -> list[Trial]:
    kinds = {
        "flog": FloatDistribution(1e-5, 1.0, log=True),
        "fstep": FloatDistribution(0.0, 1.0, step=0.1),
        "fstep_fine": FloatDistribution(-3.0, 3.0, step=0.001),  # more steps than the grid
        "int": IntDistribution(0, 10),
        "ilog": IntDistribution(1, 100_000, log=True),
        "ilog_small": IntDistribution(1, 6, log=True),
        "istep": IntDistribution(16, 256, step=16),
    }
    trials = []
    for _ in range(60):
        lr = float(10 ** rng.uniform(-5, 0))
        params = {
            "flog": (lr, kinds["flog"]),
            "fstep": (round(int(rng.integers(0, 11)) * 0.1, 10), kinds["fstep"]),
            "fstep_fine": (
                round(-3.0 + int(rng.integers(0, 6001)) * 0.001, 10),
                kinds["fstep_fine"],
            ),
            "int": (int(rng.integers(0, 11)), kinds["int"]),
            "ilog": (int(np.exp(rng.uniform(0, math.log(100_000)))), kinds["ilog"]),
            "ilog_small": (int(rng.integers(1, 7)), kinds["ilog_small"]),
            "istep": (16 * int(rng.integers(1, 17)), kinds["istep"]),
        }
        trials.append(_complete(params, (math.log10(lr) + 3) ** 2 + 0.1 * float(rng.normal())))
    return trials


def _conditional(rng: np.random.Generator) -> list[Trial]:
    """Params missing in some trials; search spaces that change (regimes); a regime of a
    single trial (left out). (A storage refuses a categorical whose choices change.)"""
    trials = []
    for i in range(70):
        kind = str(rng.choice(["linear", "tree"]))
        params: dict[str, tuple[Any, BaseDistribution]] = {
            "kind": (kind, CategoricalDistribution(["linear", "tree"]))
        }
        if kind == "linear":
            params["alpha"] = (float(rng.uniform(0, 1)), FloatDistribution(0.0, 1.0))
        else:
            params["depth"] = (int(rng.integers(1, 9)), IntDistribution(1, 8))
        wide = i >= 30  # the search space of x widened after 30 trials
        x = float(rng.uniform(-2, 2) if wide else rng.uniform(-1, 1))
        params["x"] = (x, FloatDistribution(-2.0, 2.0) if wide else F)
        params["opt"] = (str(rng.choice(["a", "b", "c"])), CategoricalDistribution(["a", "b", "c"]))
        if i >= 50:  # an int range that changed
            params["n"] = (int(rng.integers(0, 21)), IntDistribution(0, 20))
        elif i >= 20:
            params["n"] = (int(rng.integers(0, 11)), IntDistribution(0, 10))
        if i == 7:
            params["once"] = (1, IntDistribution(0, 3))  # a regime of one trial
        if i in (3, 9):
            params["twice"] = (float(i), FloatDistribution(0.0, 10.0))
        trials.append(_complete(params, float(rng.normal()) + (0.0 if kind == "tree" else 1.0)))
    return trials


def _non_finite(rng: np.random.Generator) -> list[Trial]:
    trials = [
        _complete({"x": (float(rng.uniform(-1, 1)), F)}, float(rng.normal())) for _ in range(30)
    ]
    trials.append(_complete({"x": (0.1, F), "only_in_inf": (1.0, F)}, math.inf))
    trials.append(({"x": 0.2}, {"x": F}, None, TrialState.FAIL))
    trials.append(({"x": 0.3}, {"x": F}, None, TrialState.PRUNED))
    return trials


def _multi(n_objectives: int, duplicates: bool) -> Any:
    def make(rng: np.random.Generator) -> list[Trial]:
        trials = []
        for _ in range(60):
            x, y = float(rng.uniform(-1, 1)), float(rng.uniform(-1, 1))
            c = str(rng.choice(["a", "b", "c"]))
            values = [x**2 + y, (1 - x) ** 2 - y, x * y, abs(y)][:n_objectives]
            if duplicates:
                values = [round(v, 1) for v in values]
            trials.append(_complete({"x": (x, F), "y": (y, F), "c": (c, CHOICES)}, *values))
        return trials

    return make


CASES: dict[str, tuple[list[str], Any]] = {
    "ties": (["minimize"], _ties),
    "ties_maximize": (["maximize"], _ties),
    "one_trial": (["minimize"], _one),
    "two_trials": (["maximize"], _two),
    "constant": (["minimize"], _constant),
    "unseen_choices": (["maximize"], _unseen_choices),
    "kinds": (["minimize"], _kinds),
    "conditional": (["minimize"], _conditional),
    "non_finite": (["maximize"], _non_finite),
    "mo2": (["minimize", "maximize"], _multi(2, False)),
    "mo2_ties": (["minimize", "minimize"], _multi(2, True)),
    "mo3": (["minimize", "maximize", "minimize"], _multi(3, False)),
    "mo3_ties": (["maximize", "maximize", "minimize"], _multi(3, True)),
    "mo4": (["minimize", "maximize", "minimize", "minimize"], _multi(4, False)),
    "mo4_ties": (["minimize", "minimize", "minimize", "maximize"], _multi(4, True)),
}


@pytest.fixture(scope="module")
def edge_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ped_anova") / "edges.db"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    for seed, (name, (directions, make)) in enumerate(CASES.items()):
        _write(f"sqlite:///{path}", name, directions, make(np.random.default_rng(seed)))
    _write(f"sqlite:///{path}", "empty", ["minimize"], [])
    return path


def test_synthetic_edge_cases(edge_db: Path) -> None:
    assert _assert_same_as_optuna(str(edge_db), _ro_sqlite(edge_db)) == len(CASES)


def test_edge_cases_have_the_shapes_they_claim(edge_db: Path) -> None:
    """The synthetic studies exercise what they are named for (else the oracle is idle)."""
    campaign = load_campaign([str(edge_db)])
    ids = dict(zip(campaign.studies["study"], campaign.studies["study_id"], strict=True))
    scores = {name: ped_anova_scores(study_inputs(campaign, int(ids[name]))) for name in ids}
    assert set(scores["one_trial"].values()) == {0.0}  # too few trials: Optuna's zeros
    # A distribution of one value adds nothing; a free param that never moved still scores
    # (the top trials' estimator has fewer kernels against the same prior).
    assert [scores["constant"][p] for p in ("point", "one_choice", "int_point", "wide_step")] == [
        0.0
    ] * 4
    assert scores["constant"]["same_x"] > 0.0
    assert scores["kinds"]["flog"] == max(scores["kinds"].values()) > 0.0
    assert "once" in scores["conditional"] and scores["conditional"]["once"] == 0.0
    assert min(scores["conditional"][p] for p in ("x", "n", "opt", "depth")) > 0.0
    assert scores["conditional"]["alpha"] == 0.0  # no top trial is "linear"
    assert "only_in_inf" not in scores["non_finite"]
    assert scores["empty"] == {}
    for name in ("mo2", "mo3", "mo4", "mo3_ties", "mo4_ties"):
        assert max(scores[name].values()) > 0.0, name


@pytest.mark.parametrize(
    ("name", "paths"),
    [
        ("mo2", {"_hssp_2d"}),
        ("mo3", {"_lazy_contribs_update", "_hv_3d"}),
        ("mo4", {"_lazy_contribs_update", "_hv_nd", "_exclusive_hv"}),
    ],
)
def test_multi_objective_cases_reach_the_hypervolume_tie_break(
    edge_db: Path, monkeypatch: pytest.MonkeyPatch, name: str, paths: set[str]
) -> None:
    """Each dimension's subset selection code runs in the oracle's studies."""
    import hpo_tui.core.analysis.ped_anova_front as front

    reached: set[str] = set()
    for path in paths:
        real = getattr(front, path)

        def spy(*args: Any, _real: Any = real, _path: str = path, **kwargs: Any) -> Any:
            reached.add(_path)
            return _real(*args, **kwargs)

        monkeypatch.setattr(front, path, spy)
    campaign = load_campaign([str(edge_db)])
    study_id = int(campaign.studies.set_index("study").loc[name, "study_id"])
    ped_anova_scores(study_inputs(campaign, study_id))
    assert reached == paths


def test_campaign_importance_uses_the_same_numbers(edge_db: Path) -> None:
    """The rows of ``hpo_importance.csv`` are the normalised scores (studies of ≥ 20 trials)."""
    campaign = load_campaign([str(edge_db)])
    frame = campaign_importance(campaign)
    for study_id, rows in frame.groupby("study_id"):
        rows = rows.dropna(subset=["importance"])
        if rows.empty:
            continue
        want = normalized(ped_anova_scores(study_inputs(campaign, int(study_id))))
        assert dict(zip(rows["param"], rows["importance"], strict=True)) == want
