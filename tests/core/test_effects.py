"""Horizon and budget effects on a campaign whose values and params are known by construction."""

from __future__ import annotations

import pandas as pd
import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.effects import axis_effects, best_curves
from hpo_tui.core.model.campaign import Campaign
from tests.helpers import dynamics_campaign as dc
from tests.helpers.golden import GOLDEN_DB


@pytest.fixture(scope="module")
def campaign(dynamics_db: str) -> Campaign:
    return load_campaign([dynamics_db])


def _best_values(study: str) -> list[float]:
    """Every COMPLETE trial's objective (the minimum of its val curve), best first."""
    return sorted(min(dc.val_curve(study, i)) for i in range(dc.N_TRIALS))


def test_horizon_effects_for_one_budget(campaign: Campaign) -> None:
    effects = axis_effects(campaign, along="horizon", at="2M")
    assert effects.along == "horizon" and effects.fixed == ("budget", "2M")
    cells = effects.cells
    assert list(cells.index) == ["h1", "h3", "h5"]
    assert cells["study"].tolist() == ["dyn_2M_h1", "dyn_2M_h3", "dyn_2M_h5"]
    for horizon in dc.HORIZONS:
        study = f"dyn_2M_{horizon}"
        ranked = _best_values(study)
        assert cells.loc[horizon, "best"] == pytest.approx(ranked[0])
        assert cells.loc[horizon, "top5_mean"] == pytest.approx(sum(ranked[:5]) / 5)
        assert cells.loc[horizon, "n_complete"] == dc.N_TRIALS
    # Best trials: the first improving one (trial 1) under overfitting, trial 0 elsewhere.
    assert cells["best_trial"].tolist() == [1, 0, 0]
    assert cells.loc["h1", "best"] == pytest.approx(0.47)
    assert cells.loc["h5", "best_epoch"] == dc.PLATEAU_FROM
    assert cells.loc["h1", "best_epoch"] == dc.LAST


def test_winning_params_side_by_side(campaign: Campaign) -> None:
    params = axis_effects(campaign, along="horizon", at="2M").params
    assert list(params.columns) == ["h1", "h3", "h5"]
    assert list(params.index) == ["layers", "lr", "width"]
    assert params.loc["lr"].tolist() == pytest.approx(
        [dc.params_of("dyn_2M_h1", 1)["lr"], dc.LR_SCALE["h3"], dc.LR_SCALE["h5"]]
    )
    assert params.loc["width"].tolist() == ["narrow", "wide", "wide"]
    assert params.loc["layers"].tolist() == [2, 1, 1]


def test_budget_effects_for_one_horizon(campaign: Campaign) -> None:
    effects = axis_effects(campaign, along="budget", at="h3")
    assert effects.fixed == ("horizon", "h3")
    assert list(effects.cells.index) == ["2M", "20M"]  # magnitude order, not text order
    assert effects.cells["best"].tolist() == pytest.approx(
        [_best_values("dyn_2M_h3")[0], _best_values("dyn_20M_h3")[0]]
    )


def test_missing_cells_are_rows_without_a_study() -> None:
    golden = load_campaign([str(GOLDEN_DB)])  # sweep fx: 2M has only h1; h3 exists at 2B
    cells = axis_effects(golden, along="horizon", at="2M", sweep="fx").cells
    assert list(cells.index) == ["h1", "h3"]  # h5 is in another sweep (fx_multi)
    assert cells["study"].tolist()[1:] == [None]
    assert cells["n_complete"].tolist()[1:] == [0]
    assert cells["best"].isna().tolist() == [False, True]
    other = axis_effects(golden, along="horizon", at="20M", sweep="fx_multi").cells
    assert list(other.index) == ["h5"]


def test_unknown_axis_or_value_is_an_error(campaign: Campaign) -> None:
    with pytest.raises(ValueError, match="budget"):
        axis_effects(campaign, along="horizon", at="h9")
    with pytest.raises(ValueError, match="axis"):
        axis_effects(campaign, along="dataset", at="2M")


def test_best_curves_are_the_best_trials_primary_curves(campaign: Campaign) -> None:
    effects = axis_effects(campaign, along="horizon", at="2M")
    curves = best_curves(campaign, effects)
    assert sorted(curves["cell"].unique()) == ["h1", "h3", "h5"]
    h1 = curves[curves["cell"] == "h1"]
    assert h1["value"].to_numpy() == pytest.approx(dc.val_curve("dyn_2M_h1", 1))
    assert h1["number"].unique().tolist() == [1]
    assert isinstance(curves, pd.DataFrame)
