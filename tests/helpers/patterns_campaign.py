"""Studies of known structure for parameter importance and the slice view.

Written with real Optuna calls and seeded samplers, so every build holds the same params and
values (only timestamps differ). The ``patterns_db`` fixture (``tests/conftest.py``) builds the
SQLite file once per test session.

- ``STRONG`` (minimize, 60 trials): the objective is ``(log10(learning_rate) + 3)²``;
  ``dropout``, ``width`` and ``activation`` do not enter it. ``learning_rate > 0.03`` diverges:
  the curve reports NaN and the objective returns NaN (FAIL without a value).
- ``TRAP`` (maximize, 80 trials): the best values need ``x`` near 0 (a narrow peak); the worst
  need ``y > 0.8``. Read as a minimization, ``y`` would come first: direction matters.
- ``FEW`` (minimize, 8 trials): too few completed trials for an importance.
- ``CAUTION`` (minimize, 35 trials): enough for numbers, fewer than recommended (a caution);
  the objective is ``(log10(learning_rate) + 3)²``, ``dropout`` does not enter it.
"""

from __future__ import annotations

import math
from typing import Any

import optuna

STRONG = "pat_2M_h1"
TRAP = "pat_2M_h3"
FEW = "pat_20M_h1"
CAUTION = "pat_20M_h3"
N_STRONG, N_TRAP, N_FEW, N_CAUTION = 60, 80, 8, 35
DIVERGE_ABOVE = 0.03  # learning rates above this diverge in STRONG


def _strong(storage: Any) -> None:
    study = optuna.create_study(
        study_name=STRONG, storage=storage, sampler=optuna.samplers.RandomSampler(seed=11)
    )

    def objective(trial: optuna.Trial) -> float:
        lr = trial.suggest_float("learning_rate", 1e-5, 1e-1, log=True)
        trial.suggest_float("dropout", 0.0, 0.5)
        trial.suggest_int("width", 16, 256, step=16)
        trial.suggest_categorical("activation", ["relu", "gelu", "tanh"])
        loss = (math.log10(lr) + 3) ** 2
        if lr > DIVERGE_ABOVE:
            trial.report(1.0, 0)
            trial.report(math.nan, 1)
            return math.nan  # Optuna stores FAIL without a value
        trial.report(loss + 1.0, 0)
        trial.report(loss, 1)
        return loss

    study.optimize(objective, n_trials=N_STRONG)


def _trap(storage: Any) -> None:
    study = optuna.create_study(
        study_name=TRAP,
        storage=storage,
        direction="maximize",
        sampler=optuna.samplers.RandomSampler(seed=12),
    )

    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", -1.0, 1.0)
        y = trial.suggest_float("y", 0.0, 1.0)
        return 5.0 * math.exp(-((x / 0.1) ** 2)) - 3.0 * (y > 0.8)

    study.optimize(objective, n_trials=N_TRAP)


def _few(storage: Any) -> None:
    study = optuna.create_study(
        study_name=FEW, storage=storage, sampler=optuna.samplers.RandomSampler(seed=13)
    )
    study.optimize(
        lambda t: t.suggest_float("learning_rate", 1e-5, 1e-1, log=True) * 10, n_trials=N_FEW
    )


def _caution(storage: Any) -> None:
    study = optuna.create_study(
        study_name=CAUTION, storage=storage, sampler=optuna.samplers.RandomSampler(seed=14)
    )

    def objective(trial: optuna.Trial) -> float:
        lr = trial.suggest_float("learning_rate", 1e-5, 1e-1, log=True)
        trial.suggest_float("dropout", 0.0, 0.5)
        return (math.log10(lr) + 3) ** 2

    study.optimize(objective, n_trials=N_CAUTION)


def populate_patterns(storage: Any) -> None:
    """Write the four studies into ``storage`` (an Optuna URL or storage object)."""
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    _strong(storage)
    _trap(storage)
    _few(storage)
    _caution(storage)
