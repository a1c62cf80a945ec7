"""A campaign whose training dynamics are known by construction, written with real Optuna calls.

Every curve is a hand-written function of the epoch, shifted per study by ``LEVEL`` and per
trial ``i`` by ``0.01 * i``; params are enqueued, so each trial's params are known too. The
tests compute what the statistics must be from these formulas, never from the code under test.

Studies (``dyn_<budget>_<horizon>``; budgets 2M/20M × horizons h1/h3/h5, minimized):

* ``dyn_2M_h1`` (:data:`OVERFIT`): trials 0-7; even ``i`` overfit (val falls until epoch
  :data:`K_OVERFIT`, then rises while train keeps falling), odd ``i`` still improve at the last
  epoch. Trial 8 is PRUNED at epoch 4, trial 9 diverges (val NaN at epoch 6, FAIL).
* ``dyn_2M_h5`` (:data:`PLATEAU`): val falls until epoch 5, then stays exactly flat.
* every other grid study: all 8 trials still improving.
* :data:`MAXIMIZED` (off the grid, markup in its name): accuracy; even ``i`` peak at epoch 4 and
  fall, odd ``i`` rise to the last epoch. No train/val lists.
"""

from __future__ import annotations

from typing import Any

import optuna

EPOCHS = 10  # epochs 0 … 9
LAST = EPOCHS - 1
K_OVERFIT = 3  # overfitting trials are best at this epoch
PLATEAU_FROM = 5
N_TRIALS = 8  # the regular trials of each study (numbers 0 … 7)
BUDGETS = ("2M", "20M")
HORIZONS = ("h1", "h3", "h5")
OVERFIT = "dyn_2M_h1"
PLATEAU = "dyn_2M_h5"
MAXIMIZED = "[bold]acc[/bold] maximize"
PRUNED_NUMBER = 8
DIVERGED_NUMBER = 9
LEVEL = {
    "dyn_2M_h1": 0.0,
    "dyn_2M_h3": 0.1,
    "dyn_2M_h5": 0.2,
    "dyn_20M_h1": -0.1,
    "dyn_20M_h3": 0.0,
    "dyn_20M_h5": 0.1,
}
LR_SCALE = {"h1": 1e-3, "h3": 2e-3, "h5": 4e-3}


def improving_val(e: int) -> float:
    return 1.0 - 0.06 * e


def improving_train(e: int) -> float:
    return improving_val(e) - 0.01


def overfit_val(e: int) -> float:
    return 1.0 - 0.05 * e if e <= K_OVERFIT else (1.0 - 0.05 * K_OVERFIT) + 0.05 * (e - K_OVERFIT)


def overfit_train(e: int) -> float:
    return 1.0 - 0.1 * e


def plateau_val(e: int) -> float:
    return 1.0 - 0.1 * min(e, PLATEAU_FROM)


def plateau_train(e: int) -> float:
    return plateau_val(e) - 0.02


def peaking_acc(e: int) -> float:
    return 0.5 + 0.05 * min(e, 4) - 0.02 * max(e - 4, 0)


def rising_acc(e: int) -> float:
    return 0.5 + 0.03 * e


def kind(study: str, i: int) -> str:
    """``overfit``, ``improving`` or ``plateau``: the curve shape of trial ``i`` of ``study``."""
    if study == PLATEAU:
        return "plateau"
    if study == OVERFIT and i % 2 == 0:
        return "overfit"
    return "improving"


CURVES = {
    "overfit": (overfit_val, overfit_train),
    "improving": (improving_val, improving_train),
    "plateau": (plateau_val, plateau_train),
}


def params_of(study: str, i: int) -> dict[str, Any]:
    """The enqueued params of trial ``i`` (``lr`` scales with the horizon)."""
    horizon = study.rsplit("_", 1)[1] if study.startswith("dyn_") else "h1"
    return {
        "lr": LR_SCALE[horizon] * (i + 1),
        "layers": 1 + i % 3,
        "width": "wide" if i % 2 == 0 else "narrow",
    }


def val_curve(study: str, i: int, epochs: int = EPOCHS) -> list[float]:
    val, _ = CURVES[kind(study, i)]
    return [val(e) + LEVEL[study] + 0.01 * i for e in range(epochs)]


def train_curve(study: str, i: int, epochs: int = EPOCHS) -> list[float]:
    _, train = CURVES[kind(study, i)]
    return [train(e) + LEVEL[study] + 0.01 * i for e in range(epochs)]


def _suggest(trial: optuna.Trial) -> None:
    trial.suggest_float("lr", 1e-4, 1.0, log=True)
    trial.suggest_int("layers", 1, 4)
    trial.suggest_categorical("width", ["narrow", "wide"])


def _grid_study(storage: Any, name: str) -> None:
    study = optuna.create_study(study_name=name, storage=storage, direction="minimize")
    extra = [PRUNED_NUMBER, DIVERGED_NUMBER] if name == OVERFIT else []
    for i in [*range(N_TRIALS), *extra]:
        study.enqueue_trial(params_of(name, i))
        trial = study.ask()
        _suggest(trial)
        epochs = 5 if i == PRUNED_NUMBER else EPOCHS
        val = val_curve(name, i % N_TRIALS, epochs)
        train = train_curve(name, i % N_TRIALS, epochs)
        if i == DIVERGED_NUMBER:
            val[6:] = [float("nan")] * (EPOCHS - 6)
        for epoch, value in enumerate(val):
            trial.report(value, epoch)
        trial.set_user_attr("train_losses", train)
        trial.set_user_attr("val_losses", val)
        if i == PRUNED_NUMBER:
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        elif i == DIVERGED_NUMBER:
            study.tell(trial, float("nan"))  # Optuna stores FAIL without a value
        else:
            study.tell(trial, min(val))


def _maximized_study(storage: Any) -> None:
    study = optuna.create_study(study_name=MAXIMIZED, storage=storage, direction="maximize")

    def objective(trial: optuna.Trial) -> float:
        _suggest(trial)
        shape = peaking_acc if trial.number % 2 == 0 else rising_acc
        curve = [shape(e) + 0.01 * trial.number for e in range(EPOCHS)]
        for epoch, value in enumerate(curve):
            trial.report(value, epoch)
        return max(curve)

    for i in range(N_TRIALS):
        study.enqueue_trial(params_of(MAXIMIZED, i))
    study.optimize(objective, n_trials=N_TRIALS)


def populate_dynamics(storage: Any) -> None:
    """Write the campaign into ``storage`` (a URL or an Optuna storage object)."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    for budget in BUDGETS:
        for horizon in HORIZONS:
            _grid_study(storage, f"dyn_{budget}_{horizon}")
    _maximized_study(storage)
