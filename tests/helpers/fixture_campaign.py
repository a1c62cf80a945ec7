"""A small campaign written with real Optuna calls, with every case the readers must handle.

``populate(storage)`` writes it into any Optuna storage (URL or storage object). Values are
fixed (ask/tell with hand-written curves) where the tests depend on them, and sampled with a
seeded sampler elsewhere.
"""

from __future__ import annotations

import math
from typing import Any

import optuna

from tests.helpers.compare import from_frozen

NAN = float("nan")
INF = float("inf")

# Which trial of FX_MAIN shows which case (the tests refer to these numbers).
MAIN = "fx_2M_h1"
MAXIMIZE = "fx_2B_h3"
MULTI = "fx_multi_20M_h5"
OFF_GRID = "sanity check (no axes)"
LIVE = "fx_200M_h1"

CASE_CLEAN = 0
CASE_NAN_OBJECTIVE = 1  # curve hits NaN at step 4, objective returns NaN -> FAIL, no value
CASE_INF_INTERMEDIATE = 2  # +inf reported at step 6, trial completes with inf
CASE_EXPLODED = 3  # loss 1.0 -> 40 and stays: exploded at step 6
CASE_SPIKE = 4  # loss 1.0 -> 30 at step 4 then back to 0.5: spike, not diverged
CASE_PRUNED = 5
CASE_FAIL_EXCEPTION = 6  # raises; no curve evidence; not diverged
CASE_USER_ATTR = 7  # set_user_attr("diverged", True), diverged_step 8
CASE_BEST = 8  # the best COMPLETE value of the study
CASE_VAL_NAN = 9  # intermediate finite, but val_losses list holds NaN at index 5

STEPS = [0, 2, 4, 6, 8, 10]  # non-contiguous on purpose


def _space(trial: optuna.Trial) -> None:
    trial.suggest_float("learning_rate", 1e-5, 1e-1, log=True)
    trial.suggest_int("n_layers", 1, 4)
    trial.suggest_categorical("activation", ["relu", "gelu", None, True, 3, 2.5])
    trial.suggest_categorical("use_layernorm", [False, True])
    trial.suggest_float("dropout", 0.0, 0.5, step=0.1)


def _curve(case: int) -> list[float]:
    if case == CASE_NAN_OBJECTIVE:
        return [1.0, 0.9, NAN]
    if case == CASE_INF_INTERMEDIATE:
        return [1.0, 0.8, 0.7, INF]
    if case == CASE_EXPLODED:
        return [1.0, 0.9, 5.0, 40.0, 80.0, 60.0]
    if case == CASE_SPIKE:
        return [1.0, 0.9, 30.0, 0.6, 0.5, 0.45]
    if case == CASE_BEST:
        return [0.8, 0.5, 0.3, 0.21, 0.2, 0.2000001]
    base = 1.0 + 0.01 * case
    return [base, base * 0.8, base * 0.7, base * 0.65, base * 0.62, base * 0.61]


def _main_study(storage: Any) -> None:
    study = optuna.create_study(
        study_name=MAIN,
        storage=storage,
        direction="minimize",
        sampler=optuna.samplers.RandomSampler(seed=1),
    )
    study.set_user_attr("budget", "2M")
    study.set_user_attr("note", "[bold red]not markup[/bold red]")
    for case in range(10):
        trial = study.ask()
        _space(trial)
        curve = _curve(case)
        for step, value in zip(STEPS, curve, strict=False):
            trial.report(value, step)
        train = [v * 0.9 for v in curve]
        val = list(curve)
        if case == CASE_VAL_NAN:
            val = [*val[:5], NAN]
        trial.set_user_attr("train_losses", train)
        trial.set_user_attr("val_losses", val)
        trial.set_user_attr("n_params", 2_000_000 + case)
        trial.set_user_attr("tags", {"nested": [1, 2, {"deep": True}]})
        study._storage.set_trial_system_attr(trial._trial_id, "worker", f"w{case % 2}")
        if case == CASE_USER_ATTR:
            trial.set_user_attr("diverged", True)
            trial.set_user_attr("diverged_step", 8)
        if case == CASE_PRUNED:
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        elif case == CASE_FAIL_EXCEPTION:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        elif case == CASE_NAN_OBJECTIVE:
            study.tell(trial, NAN)  # Optuna turns this into FAIL with no value
        elif case == CASE_INF_INTERMEDIATE:
            study.tell(trial, INF)
        else:
            finite = [v for v in curve if math.isfinite(v)]
            study.tell(trial, min(finite))

    # A few more through study.optimize, as real sweeps do.
    def objective(trial: optuna.Trial) -> float:
        _space(trial)
        lr = trial.params["learning_rate"]
        for step in STEPS:
            trial.report(0.5 + lr * (10 - step), step)
        return 0.5 + lr

    study.optimize(objective, n_trials=3)


def _maximize_study(storage: Any) -> None:
    study = optuna.create_study(
        study_name=MAXIMIZE,
        storage=storage,
        direction="maximize",
        sampler=optuna.samplers.RandomSampler(seed=2),
    )

    def objective(trial: optuna.Trial) -> float:
        units = trial.suggest_categorical("hidden_units", [16, 32, 64])
        lr = trial.suggest_float("learning_rate", 1e-4, 1e-1, log=True)
        accuracy = 0.0
        for epoch in range(5):
            accuracy = 0.5 + 0.08 * epoch + units / 1000 - lr
            trial.report(accuracy, epoch)
        return accuracy

    study.optimize(objective, n_trials=5)


def _multi_study(storage: Any) -> None:
    study = optuna.create_study(
        study_name=MULTI,
        storage=storage,
        directions=["minimize", "maximize"],
        sampler=optuna.samplers.RandomSampler(seed=3),
    )

    def objective(trial: optuna.Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", -1.0, 1.0)
        return x * x, -abs(x) if x < 0 else INF

    study.optimize(objective, n_trials=4)


def _off_grid_study(storage: Any) -> None:
    study = optuna.create_study(study_name=OFF_GRID, storage=storage)
    study.optimize(lambda t: t.suggest_float("x", 0.0, 1.0), n_trials=2)


def _live_study(storage: Any) -> None:
    """RUNNING and WAITING trials, as in a sweep that is still going."""
    study = optuna.create_study(
        study_name=LIVE, storage=storage, sampler=optuna.samplers.RandomSampler(seed=4)
    )
    study.optimize(lambda t: t.suggest_float("x", 0.0, 1.0) ** 2, n_trials=2)
    running = study.ask()
    running.suggest_float("x", 0.0, 1.0)
    running.report(0.7, 0)
    running.report(0.6, 1)
    study.enqueue_trial({"x": 0.25})


def populate(storage: Any) -> None:
    """Write the fixture campaign into ``storage`` (an Optuna URL or storage object)."""
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    _main_study(storage)
    _maximize_study(storage)
    _multi_study(storage)
    _off_grid_study(storage)
    _live_study(storage)


def optuna_view(storage: Any) -> dict[str, dict[str, Any]]:
    """What Optuna's public API reports, per study name (captured right after building)."""
    view: dict[str, dict[str, Any]] = {}
    for summary in optuna.get_all_study_summaries(storage, include_best_trial=False):
        study = optuna.load_study(study_name=summary.study_name, storage=storage)
        view[summary.study_name] = {
            "directions": [d.name for d in study.directions],
            "user_attrs": dict(study.user_attrs),
            "trials": [from_frozen(t) for t in study.get_trials(deepcopy=True)],
        }
    return view
