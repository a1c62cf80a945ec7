"""Constrained studies written by real Optuna calls, one per way Optuna stores constraints.

- ``cons_2M_h1``: the ``constraints`` system attr list (``TPESampler(constraints_func=...)``);
  the best value overall (x = 0) is infeasible; one trial fails (no constraint values).
- ``cons_2M_h3``: Optuna 5's ``constraints:<key>`` attrs (``trial.set_constraint``); one
  COMPLETE trial sets none (Optuna counts it feasible), one has an infinite violation, one
  is still RUNNING.
- ``cons_20M_h1``: both encodings in one trial: a key ``"0"`` overrides the list's first
  value (Optuna warns and takes the key's); maximized.
- ``cons_20M_h3``: multi-objective, ``NSGAIISampler(constraints_func=...)``.
- ``cons_2B_h1``: no constraints at all.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import optuna

LIST_STUDY = "cons_2M_h1"
KEY_STUDY = "cons_2M_h3"
MIXED_STUDY = "cons_20M_h1"
MULTI_STUDY = "cons_20M_h3"
PLAIN_STUDY = "cons_2B_h1"
CONSTRAINED = (LIST_STUDY, KEY_STUDY, MIXED_STUDY, MULTI_STUDY)


def write_constrained(storage: Any) -> None:
    """Write the five studies above into ``storage`` (a URL or a storage object)."""
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # experimental constraints_func, overwritten constraint
        _write(storage)


def _write(storage: Any) -> None:
    listed = optuna.create_study(
        study_name=LIST_STUDY,
        storage=storage,
        sampler=optuna.samplers.TPESampler(
            seed=1, constraints_func=lambda t: (0.5 - t.params["x"],)
        ),
    )

    def squared(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        if x == 0.3:
            raise ValueError("a failing trial")
        return x * x

    for x in (0.0, 0.3):
        listed.enqueue_trial({"x": x})
    listed.optimize(squared, n_trials=14, catch=(ValueError,))

    keyed = optuna.create_study(study_name=KEY_STUDY, storage=storage)

    def with_keys(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        if x != 0.1:  # 0.1 sets no constraint: Optuna counts it feasible
            trial.set_constraint("mem", 0.5 - x)
            trial.set_constraint("time", math.inf if x > 0.975 else x - 0.95)
        return x * x

    for x in (0.0, 0.1, 0.2, 0.6, 0.9, 0.97, 0.98):
        keyed.enqueue_trial({"x": x})
    keyed.optimize(with_keys, n_trials=7)
    keyed.ask()  # RUNNING: no constraint values yet

    mixed = optuna.create_study(
        study_name=MIXED_STUDY,
        storage=storage,
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=2, constraints_func=lambda t: (1.0,)),
    )

    def overriding(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        if x < 0.5:
            trial.set_constraint("0", -1.0)  # overrides the list's 1.0
        return x

    for x in (0.9, 0.4, 0.2, 0.7):
        mixed.enqueue_trial({"x": x})
    mixed.optimize(overriding, n_trials=4)

    multi = optuna.create_study(
        study_name=MULTI_STUDY,
        storage=storage,
        directions=["minimize", "minimize"],
        sampler=optuna.samplers.NSGAIISampler(
            seed=3, population_size=6, constraints_func=lambda t: (t.params["x"] - 0.6,)
        ),
    )

    def two(trial: optuna.Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        y = trial.suggest_float("y", 0.0, 1.0)
        return x, 1.0 - x + y

    multi.optimize(two, n_trials=18)

    plain = optuna.create_study(
        study_name=PLAIN_STUDY, storage=storage, sampler=optuna.samplers.RandomSampler(seed=4)
    )
    plain.optimize(lambda t: t.suggest_float("x", -1.0, 1.0) ** 2, n_trials=6)
