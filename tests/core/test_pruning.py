"""The pruner audit on studies worked out by hand (``tests/helpers/pruning_campaign.py``), and on
a real MedianPruner run checked against a plain re-implementation over Optuna's own trials."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.patterns import top_split
from hpo_tui.core.analysis.pruning import (
    pruned_trial_columns,
    pruning_audit,
    study_pruning_columns,
)
from tests.helpers import pruning_campaign as pc
from tests.helpers.sqlite_file import written_sqlite


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> str:
    return written_sqlite(tmp_path_factory, "pruning/pruning.db", pc.populate_pruning)


@pytest.fixture(scope="module")
def campaign(storage: str):
    return load_campaign([storage])


def _trials(audit, study: str) -> pd.DataFrame:
    return audit.trials[audit.trials["study"] == study].set_index("number")


def _study(audit, study: str) -> pd.Series:
    return audit.studies.set_index("study").loc[study]


@pytest.mark.parametrize("study", [pc.MINIMIZED, pc.MAXIMIZED])
def test_each_pruned_trial_worked_out_by_hand(campaign, study: str) -> None:
    # The maximized study mirrors the minimized one (x -> 1 - x): the same ranks.
    trials = _trials(pruning_audit(campaign), study)
    assert list(trials.index) == [4, 5, 6, 7, 8, 9]  # FAIL 10 and RUNNING 11 are not listed
    # Pruning step = the last step the trial reported.
    assert trials["pruning_step"].tolist()[:4] == [2, 4, 2, 6]
    assert pd.isna(trials.loc[8, "pruning_step"])  # reported nothing
    assert trials.loc[9, "pruning_step"] == 3
    # Trial 4, pruned at step 2 with 0.92. COMPLETE values at step 2: 0.95 (#0), 0.8 (#1),
    # 0.7 (#2), 0.9 (#3). Strictly better: #1, #2, #3 -> rank 1 + 3 = 4 of 4. As low or lower
    # (>= 0.92): #0, final rank 1, within the top ceil(10 % of 4) = 1 -> possible false prune.
    assert trials.loc[4, "n_complete_at_step"] == 4
    assert trials.loc[4, "rank_at_pruning"] == 4
    assert trials.loc[4, "best_final_rank_as_low"] == 1
    assert trials.loc[4, "possible_false_prune"]
    # Trial 5, step 4 with 0.95; COMPLETE at step 4: 0.7, 0.6, 0.65, 0.8, all better -> rank
    # 5; no COMPLETE trial was as low -> no final rank, not a possible false prune.
    assert trials.loc[5, "rank_at_pruning"] == 5
    assert pd.isna(trials.loc[5, "best_final_rank_as_low"])
    assert not trials.loc[5, "possible_false_prune"]
    # Trial 6, step 2 with 0.8: ties #1. Strictly better: #2 (0.7) only -> rank 2 (a tie
    # takes the better rank). As low or lower (>= 0.8): #0, #1, #3 -> best final rank 1.
    assert trials.loc[6, "rank_at_pruning"] == 2
    assert trials.loc[6, "best_final_rank_as_low"] == 1
    assert trials.loc[6, "possible_false_prune"]
    # Trial 7, step 6 with 0.65; COMPLETE at step 6: 0.5, 0.55, 0.6, 0.7. Better: #0, #1, #2
    # -> rank 4. As low: #3 only, final rank 4 > 1 -> not a possible false prune.
    assert trials.loc[7, "rank_at_pruning"] == 4
    assert trials.loc[7, "best_final_rank_as_low"] == 4
    assert not trials.loc[7, "possible_false_prune"]
    # Trials 8 and 9 cannot be assessed: NaN, never 0 or False, and the note says why.
    for number in (8, 9):
        row = trials.loc[number]
        assert pd.isna(row["rank_at_pruning"]) and pd.isna(row["possible_false_prune"])
    assert trials.loc[8, "note"] == "no intermediate values reported"
    assert trials.loc[9, "note"] == "no COMPLETE trial reported step 3"
    assert trials.loc[9, "n_complete_at_step"] == 0  # a count: zero, known
    assert pd.isna(trials.loc[8, "n_complete_at_step"])  # no step to count at
    assert (trials.loc[[4, 5, 6, 7], "note"] == "").all()
    # Steps not run = full step (8, the last step of any COMPLETE trial) - pruning step.
    assert trials["full_step"].dropna().unique().tolist() == [pc.FULL_STEP]
    assert trials.loc[[4, 5, 6, 7, 9], "steps_not_run"].tolist() == [6, 4, 6, 2, 5]
    assert pd.isna(trials.loc[8, "steps_not_run"])
    # The value at pruning is the value reported at that step, exactly.
    curves = pc.PRUNED if study == pc.MINIMIZED else pc.PRUNED_MAX
    assert trials.loc[4, "value_at_pruning"] == curves[4][2]


@pytest.mark.parametrize("study", [pc.MINIMIZED, pc.MAXIMIZED])
def test_per_study_figures_worked_out_by_hand(campaign, study: str) -> None:
    row = _study(pruning_audit(campaign), study)
    assert row["n_complete"] == 4
    assert row["n_top_k"] == 1  # ceil(0.1 * 4)
    assert row["n_pruned"] == 6
    assert row["n_assessed"] == 4  # trials 4-7; 8 reported nothing, 9 an unshared step
    assert row["n_possible_false_prune"] == 2  # trials 4 and 6
    assert row["false_prune_estimate"] == 2 / 4
    assert row["full_step"] == pc.FULL_STEP
    assert row["steps_not_run"] == 6 + 4 + 6 + 2 + 5  # trial 8's is unknown
    assert row["note"] == (
        "2 of 6 pruned trials not assessed: 1 no intermediate values reported, "
        "1 no COMPLETE trial reported its step"
    )


def test_top_k_changes_which_final_ranks_count(campaign) -> None:
    # Top k = 100 % of 4 = 4 trials: trial 7 (as low as #3, final rank 4) now counts too.
    audit = pruning_audit(campaign, top_fraction=1.0)
    row = _study(audit, pc.MINIMIZED)
    assert row["n_top_k"] == 4
    assert row["n_possible_false_prune"] == 3
    assert row["false_prune_estimate"] == 3 / 4
    assert row["top_k_fraction"] == 1.0
    # 50 %: the top 2; trial 7's as-low trial is rank 4: still 2 of 4.
    assert _study(pruning_audit(campaign, 0.5), pc.MINIMIZED)["n_possible_false_prune"] == 2


def test_top_set_is_the_one_of_the_slice_view_and_ped_anova(campaign) -> None:
    study_id = int(campaign.studies.set_index("study")["study_id"][pc.MINIMIZED])
    top, _ = top_split(campaign, study_id)
    assert _study(pruning_audit(campaign), pc.MINIMIZED)["n_top_k"] == len(top)


def test_no_pruned_trials_and_multi_objective(campaign) -> None:
    audit = pruning_audit(campaign)
    plain = _study(audit, pc.NO_PRUNED)
    assert plain["n_pruned"] == 0 and plain["n_assessed"] == 0
    assert pd.isna(plain["false_prune_estimate"])  # nothing assessed: no estimate, not 0
    assert plain["steps_not_run"] == 0  # nothing pruned: nothing saved
    assert plain["note"] == "no pruned trials"
    multi = _study(audit, pc.MULTI)
    assert multi["n_pruned"] == 1 and multi["n_assessed"] == 0
    assert pd.isna(multi["false_prune_estimate"])
    assert multi["note"] == "multi-objective study: no single ranking"
    pruned = _trials(audit, pc.MULTI)
    assert pruned.loc[1, "note"] == "multi-objective study: no single ranking"


def test_columns_and_order(campaign) -> None:
    audit = pruning_audit(campaign)
    assert list(audit.trials.columns) == pruned_trial_columns(campaign)
    assert list(audit.studies.columns) == study_pruning_columns(campaign)
    # Studies in summary order: grid studies by axis magnitude.
    assert audit.studies["study"].tolist() == [pc.MINIMIZED, pc.MAXIMIZED, pc.NO_PRUNED, pc.MULTI]


def test_refuses_a_fraction_outside_0_1(campaign) -> None:
    for bad in (0.0, -0.1, 1.5, math.nan):
        with pytest.raises(ValueError, match="top-k"):
            pruning_audit(campaign, bad)


# ------------------------------------------------------------------ a real MedianPruner run


def _objective(trial: optuna.Trial) -> float:
    x = trial.suggest_float("x", -3.0, 3.0)
    value = 0.0
    for step in range(12):
        # A loss that falls with the steps, lower for x near 1; late steps reorder trials.
        value = (x - 1.0) ** 2 / (1 + step) + 0.3 * math.cos(x * step / 3) + 1.0 / (step + 1)
        trial.report(value, step)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return value


def _oracle(study: optuna.Study, fraction: float) -> tuple[dict[int, dict], dict]:
    """The audit's definitions, re-implemented plainly over Optuna's FrozenTrials."""
    complete = [
        t
        for t in study.trials
        if t.state == optuna.trial.TrialState.COMPLETE and math.isfinite(t.value)
    ]
    ranked = sorted(complete, key=lambda t: (t.value, t.number))
    final_rank = {t.number: i + 1 for i, t in enumerate(ranked)}
    n_top = math.ceil(fraction * len(ranked))
    full = max(max(t.intermediate_values) for t in complete)
    out = {}
    for t in study.trials:
        if t.state != optuna.trial.TrialState.PRUNED:
            continue
        step = max(t.intermediate_values)
        v = t.intermediate_values[step]
        pool = [c for c in complete if step in c.intermediate_values]
        better = [c for c in pool if c.intermediate_values[step] < v]
        as_low = [final_rank[c.number] for c in pool if c.intermediate_values[step] >= v]
        out[t.number] = {
            "pruning_step": step,
            "n_complete_at_step": len(pool),
            "rank_at_pruning": 1 + len(better),
            "best_final_rank_as_low": min(as_low) if as_low else None,
            "possible_false_prune": bool(as_low) and min(as_low) <= n_top,
            "steps_not_run": max(0, full - step),
        }
    return out, {"n_top_k": n_top, "full_step": full}


def test_a_real_median_pruner_run(tmp_path: Path) -> None:
    path = tmp_path / "median.db"
    study = optuna.create_study(
        study_name="median_2M_h1",
        storage=f"sqlite:///{path}",
        sampler=optuna.samplers.RandomSampler(seed=3),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=2),
    )
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study.optimize(_objective, n_trials=60)
    pruned = study.get_trials(states=[optuna.trial.TrialState.PRUNED])
    assert len(pruned) >= 10  # the run must exercise the audit
    audit = pruning_audit(load_campaign([str(path)]))
    trials = audit.trials.set_index("number")
    want, per_study = _oracle(study, 0.1)
    assert set(trials.index) == set(want)
    for number, expected in want.items():
        for column, value in expected.items():
            got = trials.loc[number, column]
            if value is None:
                assert pd.isna(got), (number, column)
            else:
                assert got == value, (number, column, got, value)
    row = audit.studies.iloc[0]
    assert row["n_pruned"] == len(pruned)
    assert row["n_top_k"] == per_study["n_top_k"]
    assert row["steps_not_run"] == sum(w["steps_not_run"] for w in want.values())
    flags = np.array([w["possible_false_prune"] for w in want.values()])
    assert row["false_prune_estimate"] == flags.mean()


def test_pair_codes_give_equal_codes_exactly_to_equal_pairs() -> None:
    # (1, 12) and (11, 2) would meet under a careless study * 10 + step; (3, 0) appears
    # in both the reference and the query points and must get one code.
    from hpo_tui.core.analysis.pruning import _pair_codes

    ref = (np.array([1, 11, 3, 1, 3]), np.array([12, 2, 0, 12, 5]))
    query = (np.array([3, 11, 7]), np.array([0, 12, 12]))
    ref_codes, query_codes = _pair_codes(ref, query)
    pairs = list(zip([*ref[0], *query[0]], [*ref[1], *query[1]], strict=True))
    codes = [*ref_codes.tolist(), *query_codes.tolist()]
    for i, a in enumerate(pairs):
        for j, b in enumerate(pairs):
            assert (codes[i] == codes[j]) == (a == b), (a, b)
    # Dense, numbered by first appearance: what a factorize of the pairs themselves gives.
    assert codes == [0, 1, 2, 0, 3, 2, 4, 5]
