"""A small sweep for the transfer analysis, written with real Optuna calls.

Sweep ``t``: ``t_2M_h1`` and ``t_2B_h1`` (a budget pair at h1), ``t_2M_h3`` (with ``t_2M_h1``
a horizon pair at 2M). Params: x, y ~ U(0, 1), z ~ Int(1, 10), c ∈ {a, b}. Every trial is an
enqueued config with a value from the tables below, so every number of the analysis can be
worked out by hand (tests/core/test_transfer.py).
"""

from __future__ import annotations

from typing import Any

import optuna

C1 = {"x": 0.1, "y": 0.2, "z": 1, "c": "a"}
C2 = {"x": 0.2, "y": 0.4, "z": 2, "c": "a"}
C3 = {"x": 0.3, "y": 0.6, "z": 3, "c": "b"}
C4 = {"x": 0.4, "y": 0.8, "z": 4, "c": "b"}
C5 = {"x": 0.5, "y": 0.9, "z": 5, "c": "a"}
C6 = {"x": 0.9, "y": 0.1, "z": 10, "c": "b"}
# (config, value) per study, in trial order; all minimized.
TRIALS: dict[str, list[tuple[dict[str, Any], float]]] = {
    "t_2M_h1": [(C1, 1.0), (C2, 2.0), (C3, 3.0), (C4, 4.0), (C5, 5.0)],
    "t_2B_h1": [(C1, 2.0), (C2, 1.0), (C3, 4.0), (C4, 3.0), (C6, 0.5)],
    "t_2M_h3": [(C5, 0.7), (C1, 0.9)],
}


def _objective(values: dict[tuple[Any, ...], float]) -> Any:
    def objective(trial: optuna.Trial) -> float:
        config = {
            "x": trial.suggest_float("x", 0.0, 1.0),
            "y": trial.suggest_float("y", 0.0, 1.0),
            "z": trial.suggest_int("z", 1, 10),
            "c": trial.suggest_categorical("c", ["a", "b"]),
        }
        return values[tuple(sorted(config.items()))]

    return objective


def populate_transfer(storage: Any) -> None:
    """Write the three studies of :data:`TRIALS` into ``storage``."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    for name, trials in TRIALS.items():
        study = optuna.create_study(study_name=name, storage=storage)
        values = {tuple(sorted(config.items())): value for config, value in trials}
        for config, _ in trials:
            study.enqueue_trial(config)
        study.optimize(_objective(values), n_trials=len(trials))
