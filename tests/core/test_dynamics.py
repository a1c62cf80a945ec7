"""Training dynamics on a campaign whose curves are known by construction.

Expected numbers come from the formulas in ``tests/helpers/dynamics_campaign.py``.
"""

from __future__ import annotations

import statistics

import numpy as np
import pandas as pd
import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.dynamics import (
    STUDY_DYNAMICS_COLUMNS,
    groupable_params,
    grouped_curves,
    study_dynamics,
    top_k_curves,
    trial_dynamics,
)
from hpo_tui.core.model.campaign import Campaign
from tests.helpers import dynamics_campaign as dc


@pytest.fixture(scope="module")
def campaign(dynamics_db: str) -> Campaign:
    return load_campaign([dynamics_db])


def _study_id(campaign: Campaign, name: str) -> int:
    return int(campaign.studies.loc[campaign.studies["study"] == name, "study_id"].iloc[0])


def _by_number(campaign: Campaign, name: str) -> pd.DataFrame:
    table = trial_dynamics(campaign)
    return table[table["study_id"] == _study_id(campaign, name)].set_index("number")


def test_population_is_complete_undiverged_single_objective_trials(campaign: Campaign) -> None:
    table = _by_number(campaign, dc.OVERFIT)
    assert table.loc[list(range(dc.N_TRIALS)), "in_dynamics"].all()
    assert not table.loc[dc.PRUNED_NUMBER, "in_dynamics"]
    assert not table.loc[dc.DIVERGED_NUMBER, "in_dynamics"]


def test_per_trial_dynamics_of_overfitting_and_improving_trials(campaign: Campaign) -> None:
    table = _by_number(campaign, dc.OVERFIT)
    for i in range(dc.N_TRIALS):
        row = table.loc[i]
        if i % 2 == 0:  # overfits: best at K, ends worse, val - train at best is 0.15
            assert row["curve_best_step"] == dc.K_OVERFIT
            expected = dc.overfit_val(dc.LAST) - dc.overfit_val(dc.K_OVERFIT)
            assert row["final_gap"] == pytest.approx(expected)
            assert row["final_gap"] == pytest.approx(0.30)
            assert row["curve_train_val_gap"] == pytest.approx(0.15)
            assert not row["still_improving"]
        else:
            assert row["curve_best_step"] == dc.LAST
            assert row["final_gap"] == 0.0
            assert row["curve_train_val_gap"] == pytest.approx(0.01)
            assert row["still_improving"]
        assert row["last_step"] == dc.LAST


def test_overfitting_half_shows_in_the_study_statistics(campaign: Campaign) -> None:
    stats = study_dynamics(campaign)
    assert list(stats.columns) == STUDY_DYNAMICS_COLUMNS
    overfit = stats.loc[_study_id(campaign, dc.OVERFIT)]
    control = stats.loc[_study_id(campaign, "dyn_2M_h3")]
    assert overfit["dynamics_n"] == dc.N_TRIALS  # pruned and diverged left out
    # Four trials best at epoch 3, four at epoch 9 (linear-interpolated quantiles).
    assert overfit["best_epoch_q25"] == pytest.approx(3.0)
    assert overfit["best_epoch_median"] == pytest.approx(6.0)
    assert overfit["best_epoch_q75"] == pytest.approx(9.0)
    assert overfit["final_gap_median"] == pytest.approx(0.15)  # median of 4 × 0 and 4 × 0.30
    assert overfit["train_val_gap_median"] == pytest.approx((0.01 + 0.15) / 2)
    assert overfit["frac_still_improving"] == pytest.approx(0.5)
    # The control study: nobody overfits, everybody still improves.
    assert control["best_epoch_median"] == dc.LAST
    assert control["final_gap_median"] == 0.0
    assert control["train_val_gap_median"] == pytest.approx(0.01)
    assert control["frac_still_improving"] == 1.0
    assert overfit["final_gap_median"] > control["final_gap_median"]
    assert overfit["train_val_gap_median"] > control["train_val_gap_median"]


def test_a_flat_plateau_is_not_improving_and_its_best_epoch_is_where_it_starts(
    campaign: Campaign,
) -> None:
    table = _by_number(campaign, dc.PLATEAU)
    assert (table["curve_best_step"] == dc.PLATEAU_FROM).all()  # first of the exact ties
    assert not table["still_improving"].any()
    assert (table["final_gap"] == 0.0).all()
    stats = study_dynamics(campaign).loc[_study_id(campaign, dc.PLATEAU)]
    assert stats["frac_still_improving"] == 0.0


def test_patience_counts_a_best_among_the_last_points(campaign: Campaign) -> None:
    # Plateau trials are best at epoch 5; with a patience of 5 the last five points are 5…9.
    table = trial_dynamics(campaign, patience=dc.LAST - dc.PLATEAU_FROM + 1)
    plateau = table[table["study_id"] == _study_id(campaign, dc.PLATEAU)]
    assert plateau["still_improving"].all()
    table = trial_dynamics(campaign, patience=dc.LAST - dc.PLATEAU_FROM)
    plateau = table[table["study_id"] == _study_id(campaign, dc.PLATEAU)]
    assert not plateau["still_improving"].any()


def test_maximized_study_is_direction_aware(campaign: Campaign) -> None:
    table = _by_number(campaign, dc.MAXIMIZED)
    for i in range(dc.N_TRIALS):
        row = table.loc[i]
        if i % 2 == 0:
            assert row["curve_best_step"] == 4
            assert row["final_gap"] == pytest.approx(dc.peaking_acc(4) - dc.peaking_acc(dc.LAST))
            assert row["final_gap"] > 0
            assert not row["still_improving"]
        else:
            assert row["curve_best_step"] == dc.LAST
            assert row["still_improving"]
        assert pd.isna(row["curve_train_val_gap"])  # no train/val lists
    stats = study_dynamics(campaign).loc[_study_id(campaign, dc.MAXIMIZED)]
    assert np.isnan(stats["train_val_gap_median"])
    assert stats["frac_still_improving"] == pytest.approx(0.5)


def test_studies_without_curves_get_missing_statistics(campaign: Campaign) -> None:
    stats = study_dynamics(campaign)
    assert set(stats.index) == set(campaign.studies["study_id"])
    assert stats["dynamics_n"].dtype == np.int64


def test_top_k_curves_are_the_best_trials_in_rank_order(campaign: Campaign) -> None:
    minimized = top_k_curves(campaign, _study_id(campaign, dc.OVERFIT), k=3)
    ranks = minimized.drop_duplicates("rank").set_index("rank")["number"]
    assert ranks.to_dict() == {1: 1, 2: 3, 3: 5}  # odd trials improve to 0.46 + 0.01 i
    first = minimized[minimized["rank"] == 1]
    assert first["step"].tolist() == list(range(dc.EPOCHS))
    assert first["value"].to_numpy() == pytest.approx(dc.val_curve(dc.OVERFIT, 1))
    maximized = top_k_curves(campaign, _study_id(campaign, dc.MAXIMIZED), k=2)
    ranks = maximized.drop_duplicates("rank").set_index("rank")["number"]
    # Final accuracies: rising trials reach 0.77 + 0.01 i, peaking ones 0.70 + 0.01 i.
    assert ranks.to_dict() == {1: 7, 2: 5}


def test_grouped_curves_by_a_categorical_param(campaign: Campaign) -> None:
    study_id = _study_id(campaign, dc.OVERFIT)
    assert {"lr", "layers", "width"} <= set(groupable_params(campaign, study_id))
    grouped = grouped_curves(campaign, study_id, "width")
    assert list(grouped.columns) == ["group", "step", "n", "q25", "median", "q75"]
    wide = grouped[(grouped["group"] == "wide") & (grouped["step"] == dc.LAST)].iloc[0]
    values = [dc.val_curve(dc.OVERFIT, i)[dc.LAST] for i in (0, 2, 4, 6)]
    assert wide["n"] == 4
    assert wide["median"] == pytest.approx(statistics.median(values))
    assert wide["q25"] == pytest.approx(np.quantile(values, 0.25))
    assert wide["q75"] == pytest.approx(np.quantile(values, 0.75))
    narrow = grouped[(grouped["group"] == "narrow") & (grouped["step"] == dc.LAST)].iloc[0]
    # The overfitting group ends well above the improving one.
    assert wide["q25"] > narrow["q75"]


def test_grouped_curves_bin_a_numeric_param_into_quantiles(campaign: Campaign) -> None:
    grouped = grouped_curves(campaign, _study_id(campaign, dc.OVERFIT), "lr", n_bins=4)
    at_last = grouped[grouped["step"] == dc.LAST]
    assert len(at_last) == 4
    assert at_last["n"].tolist() == [2, 2, 2, 2]  # lr = 1e-3 · (i + 1), i = 0 … 7
    # The lowest-lr bin holds trials 0 and 1: one overfits, one improves.
    lowest = at_last.iloc[0]
    values = [dc.val_curve(dc.OVERFIT, i)[dc.LAST] for i in (0, 1)]
    assert lowest["median"] == pytest.approx(statistics.median(values))
    assert "0.001" in str(lowest["group"])


def test_grouped_curves_by_value_when_a_numeric_param_has_few_values(campaign: Campaign) -> None:
    grouped = grouped_curves(campaign, _study_id(campaign, dc.OVERFIT), "layers", n_bins=4)
    at_last = grouped[grouped["step"] == dc.LAST].set_index("group")
    # layers = 1 + i % 3 over i = 0 … 7: 1 → {0,3,6}, 2 → {1,4,7}, 3 → {2,5}.
    assert at_last["n"].to_dict() == {"1": 3, "2": 3, "3": 2}
