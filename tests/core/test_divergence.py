"""Divergence rules on the fixture campaign: each case gets the documented reason and step."""

from __future__ import annotations

import pandas as pd
import pytest

from hpo_tui.core import Config, DivergenceRules, load_campaign
from hpo_tui.core.config import config_from_mapping
from tests.conftest import BuiltStorage
from tests.helpers import fixture_campaign as fx


def _main(storage: BuiltStorage, config: Config | None = None) -> pd.DataFrame:
    campaign = load_campaign([storage.spec], config)
    study_id = campaign.studies.set_index("study").loc[fx.MAIN, "study_id"]
    return campaign.study_trials(study_id).set_index("number")


@pytest.mark.parametrize(
    ("case", "reason", "curve", "step"),
    [
        (fx.CASE_NAN_OBJECTIVE, "nan", "intermediate", 4),
        (fx.CASE_INF_INTERMEDIATE, "inf", "intermediate", 6),
        (fx.CASE_EXPLODED, "exploded", "intermediate", 6),
        (fx.CASE_USER_ATTR, "user_attr", None, 8),
        (fx.CASE_VAL_NAN, "nan", "val_losses", 5),
    ],
)
def test_diverged_cases(
    sqlite_storage: BuiltStorage, case: int, reason: str, curve: str | None, step: int
) -> None:
    row = _main(sqlite_storage).loc[case]
    assert row["diverged"]
    assert row["diverged_reason"] == reason
    assert row["diverged_curve"] == curve
    assert row["diverged_step"] == step


@pytest.mark.parametrize(
    "case", [fx.CASE_CLEAN, fx.CASE_SPIKE, fx.CASE_PRUNED, fx.CASE_FAIL_EXCEPTION, fx.CASE_BEST]
)
def test_not_diverged(sqlite_storage: BuiltStorage, case: int) -> None:
    row = _main(sqlite_storage).loc[case]
    assert not row["diverged"]
    assert row["diverged_reason"] is None
    assert pd.isna(row["diverged_step"])


def test_spike_that_recovers_is_labelled_not_diverged(sqlite_storage: BuiltStorage) -> None:
    trials = _main(sqlite_storage)
    assert trials.loc[fx.CASE_SPIKE, "spike_step"] == 4  # intermediate step of the 30x point
    assert trials["spike_step"].notna().sum() == 1


def test_thresholds_are_configurable(sqlite_storage: BuiltStorage) -> None:
    # With a 100x explode factor the exploded case (peak 80x) is no longer diverged.
    relaxed = Config(divergence=DivergenceRules(explode_factor=100.0, recover_factor=2.0))
    assert not _main(sqlite_storage, relaxed).loc[fx.CASE_EXPLODED, "diverged"]
    # With a 20x explode factor the spike (30x) still recovers below 2x: still a spike.
    strict = Config(divergence=DivergenceRules(explode_factor=20.0))
    assert not _main(sqlite_storage, strict).loc[fx.CASE_SPIKE, "diverged"]


def test_counts_per_study(any_storage: BuiltStorage) -> None:
    campaign = load_campaign([any_storage.spec])
    row = campaign.studies.set_index("study").loc[fx.MAIN]
    assert row["n_diverged"] == 5
    assert row["n_fail"] == 2
    assert row["n_pruned"] == 1
    assert row["best_trial"] == fx.CASE_BEST
    assert row["best_value"] == pytest.approx(0.2, abs=0)


def test_config_rejects_recover_above_explode() -> None:
    from hpo_tui.core import ConfigError

    with pytest.raises(ConfigError, match="recover_factor"):
        config_from_mapping({"divergence": {"explode_factor": 3, "recover_factor": 5}})
