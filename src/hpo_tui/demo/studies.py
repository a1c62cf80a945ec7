"""One demo study optimised in memory: TPE sampling, median pruning, the numpy objective."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import optuna

from hpo_tui.demo.data import make_dataset
from hpo_tui.demo.layout import BUDGET_SPECS, BUDGETS, DEMO_DATASET, DEMO_STUDY_NAMES, HORIZONS
from hpo_tui.demo.objective import Objective


@dataclass(frozen=True)
class StudyResult:
    """One optimised demo study, as shipped from a worker process to the writer."""

    name: str
    directions: list[optuna.study.StudyDirection]
    user_attrs: dict[str, Any]
    trials: list[optuna.trial.FrozenTrial]


@contextlib.contextmanager
def quiet_optuna() -> Iterator[None]:
    """Silence Optuna's per-trial logging (failed trials log tracebacks at WARNING)."""
    previous = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(previous)


def optimize_study(
    index: int,
    n_trials: int,
    n_epochs: int,
    seed: int,
    on_trial_done: Callable[[], None] | None = None,
) -> StudyResult:
    """Optimise demo study number ``index`` in memory and return its trials."""
    budget = BUDGETS[index // len(HORIZONS)]
    horizon = HORIZONS[index % len(HORIZONS)]
    name = DEMO_STUDY_NAMES[index]
    with quiet_optuna():
        study = optuna.create_study(
            study_name=name,
            storage=optuna.storages.InMemoryStorage(),
            direction="minimize",
            sampler=optuna.samplers.TPESampler(seed=seed + index),
            pruner=optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=5),
        )
        study.set_user_attr("budget", budget)
        study.set_user_attr("horizon", horizon)
        study.set_user_attr("dataset", DEMO_DATASET)
        objective = Objective(
            data=make_dataset(horizon),
            spec=BUDGET_SPECS[budget],
            n_epochs=n_epochs,
            seed=(seed, index),
            first_failure_mode=index,
        )
        callbacks = [] if on_trial_done is None else [lambda _s, _t: on_trial_done()]
        study.optimize(
            objective,
            n_trials=n_trials,
            catch=(FloatingPointError,),
            callbacks=callbacks,
            gc_after_trial=False,
        )
    return StudyResult(
        name=name,
        directions=list(study.directions),
        user_attrs=dict(study.user_attrs),
        trials=study.get_trials(deepcopy=False),
    )
