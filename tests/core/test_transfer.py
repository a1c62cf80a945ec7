"""Cross-budget transfer: every number worked out by hand on tests/helpers/transfer_campaign."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import optuna
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.transfer import spearman, transfer
from tests.helpers.transfer_campaign import populate_transfer


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("transfer") / "transfer.db"
    populate_transfer(f"sqlite:///{path}")
    return transfer(load_campaign([str(path)]))


def test_spearman_by_hand_with_ties() -> None:
    # x = 1, 2, 2, 3 → ranks 1, 2.5, 2.5, 4; y = 1, 3, 2, 4 → ranks 1, 3, 2, 4; both mean 2.5.
    # Deviations: x −1.5, 0, 0, 1.5; y −1.5, 0.5, −0.5, 1.5. Σ dx·dy = 2.25 + 2.25 = 4.5,
    # Σ dx² = 4.5, Σ dy² = 5: ρ = 4.5 / √22.5 = √0.9.
    assert spearman([1, 2, 2, 3], [1, 3, 2, 4]) == pytest.approx(math.sqrt(0.9), abs=1e-15)
    # No ties: 1 − 6 Σd² / (n (n² − 1)); ranks 1 2 3 4 vs 2 1 4 3: Σd² = 4, 1 − 24/60 = 0.6.
    assert spearman([1, 2, 3, 4], [2, 1, 4, 3]) == pytest.approx(0.6, abs=1e-15)
    assert math.isnan(spearman([1, 2], [2, 1]))  # fewer than 3 points
    assert math.isnan(spearman([1, 1, 1], [1, 2, 3]))  # no ranking on one side


@given(st.lists(st.tuples(st.integers(-5, 5), st.floats(-1e6, 1e6, allow_nan=False)), min_size=3))
def test_spearman_is_scipys(pairs) -> None:
    stats = pytest.importorskip("scipy.stats")
    x, y = zip(*pairs, strict=True)
    got = spearman(x, y)
    if len(set(x)) < 2 or len(set(y)) < 2:
        assert math.isnan(got)
        return
    assert got == pytest.approx(float(stats.spearmanr(x, y).statistic), abs=1e-9)


def test_the_pairs_of_the_grid(result) -> None:
    pairs = result.pairs
    # Grid: rows (budget) 2M, 2B; columns (horizon) h1, h3. Cells: 2M·h1, 2B·h1, 2M·h3.
    # Budget pairs per horizon: (2M, 2B) at h1 (h3 has one cell). Horizon pairs per budget:
    # (h1, h3) at 2M (2B has one cell).
    assert pairs[["axis", "fixed", "a", "b", "study_a", "study_b"]].values.tolist() == [
        ["budget", "h1", "2M", "2B", "t_2M_h1", "t_2B_h1"],
        ["horizon", "2M", "h1", "h3", "t_2M_h1", "t_2M_h3"],
    ]
    assert pairs["sweep"].tolist() == ["t", "t"]


def test_shared_configs_rank_correlation(result) -> None:
    budget, horizon = result.pairs.iloc[0], result.pairs.iloc[1]
    # C1..C4 are in both 2M·h1 (1, 2, 3, 4) and 2B·h1 (2, 1, 4, 3): ρ = 0.6 (see above).
    assert budget["shared_n"] == 4
    assert budget["shared_rho"] == pytest.approx(0.6, abs=1e-15)
    # 2M·h3 shares C5 and C1 only: 2 < 3, no correlation, the note says so.
    assert horizon["shared_n"] == 2
    assert math.isnan(horizon["shared_rho"])
    assert "shared configs: 2 (< 3)" in horizon["note"]


def test_best_params_profile(result) -> None:
    budget, horizon = result.pairs.iloc[0], result.pairs.iloc[1]
    # Best of 2M·h1: C1 (1.0); of 2B·h1: C6 (0.5). Positions in [0, 1] (x, y: U(0, 1);
    # z: Int(1, 10), (z − 1) / 9): C1 = (0.1, 0.2, 0) ranks (2, 3, 1); C6 = (0.9, 0.1, 1)
    # ranks (2, 1, 3). d = (0, 2, −2), Σd² = 8, n = 3: 1 − 6·8 / (3·8) = −1. c is categorical.
    assert budget["best_params_n"] == 3
    assert budget["best_params_rho"] == pytest.approx(-1.0, abs=1e-15)
    # Best of 2M·h3: C5 = (0.5, 0.9, 4/9) ranks (2, 3, 1), as C1's: ρ = 1.
    assert horizon["best_params_rho"] == pytest.approx(1.0, abs=1e-15)


def test_importance_needs_numbers(result) -> None:
    # 5, 5 and 2 completed trials: below the 20 PED-ANOVA needs here, so no importances.
    for note in result.pairs["note"]:
        assert "importance: no numbers for" in note
    assert result.pairs["importance_rho"].isna().all()


def test_would_the_2m_sweep_have_picked_the_2b_winner(result) -> None:
    params = result.params
    budget = params[(params["axis"] == "budget")].set_index("param")
    assert sorted(budget.index) == ["c", "x", "y", "z"]
    x = budget.loc["x"]
    assert (x["best_a"], x["best_b"]) == (0.1, 0.9)
    # 2B's winning x = 0.9 in 2M's x values 0.1 … 0.5: all 5 below → percentile 100.
    assert x["best_b_percentile_in_a"] == 100.0
    # 2M's top k = ceil(10 % × 5) = 1 trial (C1, x = 0.1): 0.9 is outside [0.1, 0.1].
    assert not x["best_b_in_top_k_of_a"]
    # 2M's winning x = 0.1 in 2B's x values 0.1, 0.2, 0.3, 0.4, 0.9: (0 + ½·1) / 5 = 10 %.
    assert x["best_a_percentile_in_b"] == pytest.approx(10.0, abs=1e-12)
    y = budget.loc["y"]
    # 2B's winning y = 0.1 in 2M's y 0.2 … 0.9: none below → 0; 2M's y = 0.2 in 2B's
    # 0.1, 0.2, 0.4, 0.6, 0.8: (1 + ½) / 5 = 30 %.
    assert y["best_b_percentile_in_a"] == 0.0
    assert y["best_a_percentile_in_b"] == pytest.approx(30.0, abs=1e-12)
    c = budget.loc["c"]
    assert (c["kind"], c["best_a"], c["best_b"]) == ("categorical", "a", "b")
    assert math.isnan(c["best_b_percentile_in_a"])
    # 2M's top k used only "a"; 2B's top k (C6) only "b".
    assert not c["best_b_in_top_k_of_a"] and not c["best_a_in_top_k_of_b"]
    assert (budget.loc["z", "n_a"], budget.loc["z", "n_b"]) == (5, 5)
    # The horizon pair: 2M·h3's winner C5 has x = 0.5; 2M·h1's top k (C1) used x = 0.1.
    horizon = params[(params["axis"] == "horizon")].set_index("param")
    assert horizon.loc["x", "best_b"] == 0.5
    assert not horizon.loc["x", "best_b_in_top_k_of_a"]
    # 2M·h3's top k: ceil(0.2) = 1 trial, C5 (0.7 < 0.9); c = "a" there, as 2M·h1's winner.
    assert horizon.loc["c", "best_a_in_top_k_of_b"]


def _ped_anova(study: optuna.Study) -> dict[str, float]:
    from optuna.importance import PedAnovaImportanceEvaluator

    return optuna.importance.get_param_importances(study, evaluator=PedAnovaImportanceEvaluator())


def test_importance_rho_from_optunas_importances(tmp_path: Path) -> None:
    # Two studies of 30 random trials (seeded); the importances Optuna itself gives.
    storage = f"sqlite:///{tmp_path / 'imp.db'}"
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    expected = {}
    for name, weights in (("i_2M_h1", (5, 1, 0.2, 0)), ("i_2B_h1", (4, 0.1, 1.5, 0.05))):
        study = optuna.create_study(
            study_name=name, storage=storage, sampler=optuna.samplers.RandomSampler(seed=3)
        )

        def objective(trial: optuna.Trial, w=weights) -> float:
            xs = [trial.suggest_float(f"p{i}", -1, 1) for i in range(4)]
            return float(sum(wi * xi * xi for wi, xi in zip(w, xs, strict=True)))

        study.optimize(objective, n_trials=30)
        expected[name] = _ped_anova(study)
    result = transfer(load_campaign([str(tmp_path / "imp.db")]))
    (row,) = result.pairs.to_dict("records")
    params = sorted(expected["i_2M_h1"])
    a = [expected["i_2M_h1"][p] for p in params]
    b = [expected["i_2B_h1"][p] for p in params]
    assert row["importance_n"] == 4
    ranks_a, ranks_b = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    if len(set(a)) == 4 and len(set(b)) == 4:  # no ties: 1 − 6 Σd² / (n (n² − 1))
        want = 1 - 6 * float(((ranks_a - ranks_b) ** 2).sum()) / (4 * 15)
        assert row["importance_rho"] == pytest.approx(want, abs=1e-12)
    else:
        assert row["importance_rho"] == pytest.approx(spearman(a, b), abs=1e-12)
