"""Parameter importance from the loaded campaign: known structure, direction, the minimum
number of trials, the per-study cache, fANOVA's optional dependency."""

from __future__ import annotations

import dataclasses
import math
import shutil
from pathlib import Path

import optuna
import pandas as pd
import pytest

import hpo_tui.core.analysis.importance as importance_module
from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.importance import (
    MIN_COMPLETE_TRIALS,
    RECOMMENDED_COMPLETE_TRIALS,
    ImportanceCache,
    ImportanceUnavailable,
    campaign_importance,
    check_method,
    importance_matrix,
    study_importance,
)
from hpo_tui.core.analysis.importance_evaluators import FANOVA_SEED
from tests.helpers.golden import GOLDEN_DB
from tests.helpers.patterns_campaign import (
    CAUTION,
    FEW,
    N_CAUTION,
    N_FEW,
    STRONG,
    TRAP,
)


@pytest.fixture(scope="module")
def patterns(patterns_db: Path) -> Path:
    return patterns_db


@pytest.fixture(scope="module")
def campaign(patterns: Path):
    return load_campaign([str(patterns)])


def _study_id(campaign, name: str) -> int:
    return int(campaign.studies.set_index("study")["study_id"][name])


def _rows(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    return frame[frame["study"] == name].reset_index(drop=True)


def _n_complete_finite(campaign, name: str) -> int:
    trials = campaign.trials[campaign.trials["study"] == name]
    complete = trials[trials["state"] == "COMPLETE"]
    return int(complete["value"].map(math.isfinite).sum())


def test_the_param_the_objective_depends_on_ranks_first(campaign) -> None:
    frame = campaign_importance(campaign)
    strong = _rows(frame, STRONG)
    assert strong["param"].tolist()[0] == "learning_rate"
    assert strong["importance"].iloc[0] > 0.5
    by_param = strong.set_index("param")["importance"]
    assert by_param["dropout"] < by_param["learning_rate"] / 3
    assert set(by_param.index) == {"learning_rate", "dropout", "width", "activation"}
    assert math.isclose(by_param.sum(), 1.0)
    assert (strong["method"] == "ped_anova").all()
    # FAIL (diverged) trials carry no value and are not counted
    n = _n_complete_finite(campaign, STRONG)
    assert n >= RECOMMENDED_COMPLETE_TRIALS and (strong["n_trials"] == n).all()
    assert strong["note"].eq("").all()
    assert strong["budget"].eq("2M").all() and strong["horizon"].eq("h1").all()


def test_importance_follows_the_study_direction(campaign) -> None:
    trap = _rows(campaign_importance(campaign), TRAP)
    assert trap["param"].tolist()[0] == "x"
    # The same trials read as a minimization reward the worst values: y explains those.
    flipped = campaign.studies.copy()
    row = flipped["study"] == TRAP
    flipped.loc[row, "direction"] = "minimize"
    flipped.loc[row, "directions"] = pd.Series(
        [["MINIMIZE"]] * int(row.sum()), index=row[row].index
    )
    as_minimize = dataclasses.replace(campaign, studies=flipped)
    wrong = study_importance(as_minimize, _study_id(campaign, TRAP))
    assert wrong["param"].tolist()[0] == "y"


def test_too_few_completed_trials_give_a_note_not_numbers(campaign) -> None:
    few = _rows(campaign_importance(campaign), FEW)
    assert few["param"].tolist() == ["learning_rate"]
    assert few["importance"].isna().all()
    assert few["n_trials"].tolist() == [N_FEW]
    assert few["note"].tolist() == [
        f"too few completed trials (n={N_FEW}, need ≥ {MIN_COMPLETE_TRIALS})"
    ]


def test_between_the_thresholds_numbers_come_with_a_caution(campaign) -> None:
    assert MIN_COMPLETE_TRIALS <= N_CAUTION < RECOMMENDED_COMPLETE_TRIALS
    caution = _rows(campaign_importance(campaign), CAUTION)
    assert caution["param"].tolist() == ["learning_rate", "dropout"]
    assert caution["importance"].notna().all()
    assert math.isclose(caution["importance"].sum(), 1.0)
    assert caution["n_trials"].tolist() == [N_CAUTION] * 2
    assert (
        caution["note"].tolist()
        == [
            f"few completed trials (n={N_CAUTION} < {RECOMMENDED_COMPLETE_TRIALS}): "
            "the ranking may change"
        ]
        * 2
    )


@pytest.mark.parametrize(
    ("n", "note"),
    [
        (19, "too few completed trials (n=19, need ≥ 20)"),
        (20, "few completed trials (n=20 < 50): the ranking may change"),
        (49, "few completed trials (n=49 < 50): the ranking may change"),
        (50, ""),
    ],
)
def test_the_thresholds_count_completed_trials(campaign, n: int, note: str) -> None:
    assert (MIN_COMPLETE_TRIALS, RECOMMENDED_COMPLETE_TRIALS) == (20, 50)
    # STRONG cut down to its first n completed trials
    strong = _study_id(campaign, STRONG)
    trials = campaign.trials
    complete = trials[(trials["study_id"] == strong) & (trials["state"] == "COMPLETE")]
    smaller = dataclasses.replace(campaign, trials=trials.drop(index=complete.index[n:]))
    rows = study_importance(smaller, strong)
    assert rows["n_trials"].eq(n).all()
    assert rows["note"].eq(note).all()
    assert rows["importance"].notna().all() == (n >= MIN_COMPLETE_TRIALS)


def test_studies_in_grid_order_and_reproducible(campaign) -> None:
    first = campaign_importance(campaign)
    # 2M h1, 2M h3, 20M h1, 20M h3
    assert list(dict.fromkeys(first["study"])) == [STRONG, TRAP, FEW, CAUTION]
    pd.testing.assert_frame_equal(first, campaign_importance(campaign))


def test_matrix_rows_params_columns_studies(campaign) -> None:
    frame = campaign_importance(campaign)
    matrix = importance_matrix(campaign, frame)
    ids = [_study_id(campaign, n) for n in (STRONG, TRAP, FEW, CAUTION)]
    assert list(matrix.values.columns) == ids
    assert matrix.labels[ids[0]] == "2M h1"
    assert set(matrix.values.index) == {"learning_rate", "dropout", "width", "activation", "x", "y"}
    assert matrix.values.loc["learning_rate", ids[0]] == pytest.approx(
        frame.set_index(["study", "param"]).loc[(STRONG, "learning_rate"), "importance"]
    )
    assert math.isnan(matrix.values.loc["x", ids[0]])  # STRONG has no x
    assert list(matrix.notes) == [ids[2]]
    assert matrix.notes[ids[2]].startswith("too few completed trials")
    assert list(matrix.cautions) == [ids[3]]
    assert matrix.cautions[ids[3]].startswith(f"few completed trials (n={N_CAUTION} < 50)")
    assert matrix.header(ids[3]) == "20M h3 †" and matrix.header(ids[0]) == "2M h1"
    assert matrix.values.index[0] in ("learning_rate", "x")  # most important first


class _Counting:
    """Counts the PED-ANOVA evaluations (``ped_anova_scores`` calls)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import hpo_tui.core.analysis.ped_anova as ped_anova

        self.calls = 0
        real = ped_anova.ped_anova_scores

        def counting(*args, **kwargs):
            self.calls += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(ped_anova, "ped_anova_scores", counting)


def _strong_objective(trial: optuna.Trial) -> float:
    lr = trial.suggest_float("learning_rate", 1e-5, 1e-1, log=True)
    trial.suggest_float("dropout", 0.0, 0.5)
    trial.suggest_int("width", 16, 256, step=16)
    trial.suggest_categorical("activation", ["relu", "gelu", "tanh"])
    return (math.log10(lr) + 3) ** 2


def test_cache_recomputes_only_the_studies_that_changed(
    patterns: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "copy.db"
    shutil.copyfile(patterns, copy)
    counter = _Counting(monkeypatch)
    cache = ImportanceCache()
    before = cache.get(load_campaign([str(copy)]), "ped_anova")
    assert counter.calls == 3  # STRONG, TRAP and CAUTION; FEW has too few trials
    again = cache.get(load_campaign([str(copy)]), "ped_anova")
    assert counter.calls == 3  # nothing changed: nothing recomputed
    pd.testing.assert_frame_equal(before, again)

    url = f"sqlite:///{copy}"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    optuna.load_study(study_name=TRAP, storage=url).ask()  # RUNNING: not an input
    strong = optuna.load_study(study_name=STRONG, storage=url)
    strong.optimize(_strong_objective, n_trials=1)
    changed = load_campaign([str(copy)])
    after = cache.get(changed, "ped_anova")
    assert counter.calls == 4  # only STRONG again
    assert _rows(after, STRONG)["n_trials"].iloc[0] == _rows(before, STRONG)["n_trials"].iloc[0] + 1
    pd.testing.assert_frame_equal(_rows(after, TRAP), _rows(before, TRAP))
    cache.get(changed, "ped_anova")
    assert counter.calls == 4
    pd.testing.assert_frame_equal(after, campaign_importance(changed))  # equals a fresh run


def test_fanova_without_scikit_learn_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importance_module, "_has_sklearn", lambda: False)
    with pytest.raises(ImportanceUnavailable, match=r"fANOVA needs scikit-learn"):
        check_method("fanova")
    check_method("ped_anova")  # needs nothing beyond Optuna
    with pytest.raises(ImportanceUnavailable, match="unknown importance method"):
        check_method("shap")


def test_fanova_ranks_the_strong_param_first(campaign) -> None:
    pytest.importorskip("sklearn")
    strong = study_importance(campaign, _study_id(campaign, STRONG), "fanova")
    assert strong["param"].tolist()[0] == "learning_rate"
    assert (strong["method"] == "fanova").all()
    again = study_importance(campaign, _study_id(campaign, STRONG), "fanova")
    pd.testing.assert_frame_equal(strong, again)  # fixed seed: reproducible


def test_golden_campaign_multi_objective_and_small_studies() -> None:
    campaign = load_campaign([str(GOLDEN_DB)])
    frame = campaign_importance(campaign)
    assert set(frame["study"]) == set(campaign.studies["study"])
    assert frame["importance"].isna().all()  # every golden study has fewer than 20 trials
    assert frame["note"].str.startswith("too few completed trials").all()


@pytest.mark.parametrize("method", ["ped_anova", "fanova"])
def test_same_numbers_as_optunas_own_api(patterns: Path, campaign, method: str) -> None:
    """Oracle: optuna.importance.get_param_importances on the study as Optuna loads it."""
    from optuna.importance import FanovaImportanceEvaluator, PedAnovaImportanceEvaluator

    frame = campaign_importance(campaign, method)
    checked = 0
    url = f"sqlite:///file:{patterns}?mode=ro&uri=true"
    for name in campaign.studies["study"]:
        rows = _rows(frame, name).dropna(subset=["importance"])
        if rows.empty:
            continue
        study = optuna.load_study(study_name=name, storage=url)
        if method == "fanova" and len(study.directions) > 1:
            continue
        evaluator = (
            FanovaImportanceEvaluator(seed=FANOVA_SEED)
            if method == "fanova"
            else PedAnovaImportanceEvaluator()
        )
        expected = optuna.importance.get_param_importances(study, evaluator=evaluator)
        assert dict(zip(rows["param"], rows["importance"], strict=True)) == pytest.approx(
            dict(expected), rel=1e-12, abs=0
        )
        checked += 1
    assert checked >= 2
