"""Multi-objective studies written by real Optuna calls, for the Pareto front and the
hypervolume history (and the bands and contour of a multi-objective study).

- ``NSGA``: ``NSGAIISampler``, minimize ``val_loss`` / maximize ``accuracy`` (stored as
  ``metric_names``); a wider model is more accurate and overfits more: a real trade-off.
  Trials 0 and 1 are enqueued with the same params, so equal values: the lowest
  ``val_loss`` of the study, both on the front.
- ``RANDOM``: ``RandomSampler``, three objectives (minimize, minimize, maximize), no names;
  one trial fails, one returns +inf in objective 0.
- ``LISTED``: ``NSGAIISampler(constraints_func=...)`` (the ``constraints`` system attr),
  both minimized; trial 0 (``x = 0``) dominates every other one and is infeasible.
- ``KEYED``: ``trial.set_constraint`` (Optuna 5's ``constraints:<key>``), maximize /
  minimize, ``metric_names`` ``["number", "cost"]``: the first cannot be a header beside
  the trial number. One trial sets no constraint (Optuna counts it feasible); one
  infeasible trial dominates every feasible one.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import optuna
import pytest

NSGA = "mo_2M_h1"
RANDOM = "mo_2M_h3"
LISTED = "mo_20M_h1"
KEYED = "mo_20M_h3"
STUDIES = (NSGA, RANDOM, LISTED, KEYED)
N_NSGA, N_RANDOM, N_LISTED, N_KEYED = 40, 30, 30, 24


def _nsga(storage: Any) -> None:
    study = optuna.create_study(
        study_name=NSGA,
        storage=storage,
        directions=["minimize", "maximize"],
        sampler=optuna.samplers.NSGAIISampler(seed=5, population_size=8),
    )
    study.set_metric_names(["val_loss", "accuracy"])

    def objective(trial: optuna.Trial) -> tuple[float, float]:
        lr = trial.suggest_float("learning_rate", 1e-4, 1e-1, log=True)
        width = trial.suggest_int("width", 16, 256, step=16)
        activation = trial.suggest_categorical("activation", ["relu", "gelu", "tanh"])
        bonus = {"relu": 0.0, "gelu": 0.02, "tanh": -0.03}[activation]
        val_loss = (math.log10(lr) + 2.5) ** 2 + width / 1000.0
        accuracy = 0.6 + 0.3 * (width / 256.0) - 0.1 * abs(math.log10(lr) + 2.5) + bonus
        return val_loss, accuracy

    for _ in range(2):
        study.enqueue_trial({"learning_rate": 10**-2.5, "width": 16, "activation": "relu"})
    study.optimize(objective, n_trials=N_NSGA)


def _random(storage: Any) -> None:
    study = optuna.create_study(
        study_name=RANDOM,
        storage=storage,
        directions=["minimize", "minimize", "maximize"],
        sampler=optuna.samplers.RandomSampler(seed=6),
    )

    def objective(trial: optuna.Trial) -> tuple[float, float, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        y = trial.suggest_float("y", 0.0, 1.0)
        z = trial.suggest_int("z", 1, 4)
        if trial.number == 3:
            raise ValueError("a failing trial")
        first = math.inf if trial.number == 5 else x
        return first, (1.0 - x) ** 2 + y, z * y

    study.optimize(objective, n_trials=N_RANDOM, catch=(ValueError,))


def _listed(storage: Any) -> None:
    study = optuna.create_study(
        study_name=LISTED,
        storage=storage,
        directions=["minimize", "minimize"],
        sampler=optuna.samplers.NSGAIISampler(
            seed=7, population_size=6, constraints_func=lambda t: (0.1 - t.params["x"],)
        ),
    )

    def objective(trial: optuna.Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        y = trial.suggest_float("y", 0.0, 1.0)
        if x == 0.0:
            return -1.0, -1.0  # the enqueued trial: dominates everything, but x < 0.1
        return x + y, 1.0 - x + y

    study.enqueue_trial({"x": 0.0, "y": 0.0})
    study.optimize(objective, n_trials=N_LISTED)


def _keyed(storage: Any) -> None:
    study = optuna.create_study(
        study_name=KEYED,
        storage=storage,
        directions=["maximize", "minimize"],
        sampler=optuna.samplers.RandomSampler(seed=8),
    )
    study.set_metric_names(["number", "cost"])

    def objective(trial: optuna.Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        if trial.number != 2:  # trial 2 sets no constraint: Optuna counts it feasible
            trial.set_constraint("budget", x - 0.8)
        if trial.number == 0:
            return 10.0, -10.0  # x is set above 0.8 below: infeasible, dominating
        return x, x * x + 0.1

    study.enqueue_trial({"x": 0.9})
    study.optimize(objective, n_trials=N_KEYED)


def write_multi(storage: Any) -> None:
    """Write the four studies above into ``storage`` (a URL or a storage object)."""
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # experimental constraints_func
        _nsga(storage)
        _random(storage)
        _listed(storage)
        _keyed(storage)


def multi_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The studies as a SQLite file, built once per test session."""
    path = tmp_path_factory.getbasetemp() / "multi_objective" / "multi.db"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        building = path.with_suffix(".building.db")
        building.unlink(missing_ok=True)
        write_multi(f"sqlite:///{building}")
        building.rename(path)
    return path
