"""How often PED-ANOVA ranks first the param an objective depends on, by completed trials.

The evidence for the thresholds of ``hpo_tui.core.analysis.importance`` (MIN_COMPLETE_TRIALS,
RECOMMENDED_COMPLETE_TRIALS). Random sampling, 200 seeds per size, two objectives:

- A: ``x² + 0.05·y`` plus an irrelevant categorical: how often ``x`` ranks first;
- B: ``(log10 lr + 3)² + 0.3·width/256`` plus three irrelevant params: how often ``lr`` ranks
  first, and how often ``lr`` and ``width`` are the top two.

Usage: ``.venv/bin/python scripts/importance_min_trials.py [N ...]`` (about 20 s for the
default sizes on two cores).
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable

import optuna
from optuna.importance import PedAnovaImportanceEvaluator, get_param_importances

SEEDS = 200
SIZES = (10, 15, 20, 25, 30, 40, 50)


def objective_a(trial: optuna.Trial) -> float:
    x = trial.suggest_float("x", -1.0, 1.0)
    y = trial.suggest_float("y", -1.0, 1.0)
    trial.suggest_categorical("c", ["a", "b", "c"])
    return x * x + 0.05 * y


def objective_b(trial: optuna.Trial) -> float:
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    width = trial.suggest_int("width", 16, 256, step=16)
    trial.suggest_float("dropout", 0.0, 0.5)
    trial.suggest_categorical("batch", [32, 64, 128])
    trial.suggest_categorical("act", ["relu", "gelu", "tanh"])
    return (math.log10(lr) + 3) ** 2 + 0.3 * width / 256


def ranking(objective: Callable[[optuna.Trial], float], n: int, seed: int) -> list[str]:
    """Params by PED-ANOVA importance after ``n`` random trials."""
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    study.optimize(objective, n_trials=n)
    return list(get_param_importances(study, evaluator=PedAnovaImportanceEvaluator()))


def main() -> None:
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.simplefilter("ignore")  # Optuna's experimental and small-sample warnings
    for n in [int(a) for a in sys.argv[1:]] or SIZES:
        a_first = b_first = b_top2 = 0
        for seed in range(SEEDS):
            a = ranking(objective_a, n, seed)
            b = ranking(objective_b, n, seed)
            a_first += a[0] == "x"
            b_first += b[0] == "lr"
            b_top2 += set(b[:2]) == {"lr", "width"}
        print(
            f"n={n}: A x first {a_first / SEEDS:.0%} · B lr first {b_first / SEEDS:.0%} · "
            f"B lr, width top two {b_top2 / SEEDS:.0%}",
            flush=True,
        )


if __name__ == "__main__":
    main()
