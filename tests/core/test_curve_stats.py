"""Curve statistics on real Optuna studies: the train/val gap follows the direction."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest

from hpo_tui.core import load_campaign

VAL = [0.5, 0.7, 0.9, 0.8, 0.6]
TRAIN = [0.55, 0.8, 0.95, 0.97, 0.99]


@pytest.mark.parametrize(
    ("direction", "best_step"), [("maximize", VAL.index(max(VAL))), ("minimize", 0)]
)
def test_train_val_gap_is_taken_at_the_best_val_point(
    tmp_path: Path, direction: str, best_step: int
) -> None:
    path = tmp_path / "acc.db"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(study_name="acc", storage=f"sqlite:///{path}", direction=direction)

    def objective(trial: optuna.Trial) -> float:
        trial.suggest_float("x", 0, 1)
        trial.set_user_attr("train_accuracy", TRAIN)
        trial.set_user_attr("val_accuracy", VAL)
        return VAL[best_step]

    study.optimize(objective, n_trials=1)
    trial = load_campaign([str(path)]).trials.iloc[0]
    assert trial["curve"] == "val_accuracy"  # no intermediate values: the val* list
    assert trial["curve_best_step"] == best_step
    assert trial["curve_train_val_gap"] == VAL[best_step] - TRAIN[best_step]
