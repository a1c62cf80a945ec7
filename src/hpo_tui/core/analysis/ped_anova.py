"""PED-ANOVA parameter importance on a study's columns (numpy; no Optuna trial objects).

A port of Optuna 5.0's ``PedAnovaImportanceEvaluator``
(``optuna/importance/_ped_anova/evaluator.py``; Optuna is © Preferred Networks, Inc., MIT
licence), with the arguments hpo-tui uses: ``target_quantile=0.1``, ``region_quantile=1.0``,
``evaluate_on_local=True``, and ``get_param_importances``'s normalisation. The papers:
`PED-ANOVA <https://arxiv.org/abs/2304.10255>`__ (IJCAI 2023) and `Conditional PED-ANOVA
<https://arxiv.org/abs/2601.20800>`__ (KDD 2026).

How it works: the *top* trials are the best 10 % (a single objective: every trial at least
as good as the ⌈10 %⌉-th best, ties included; several objectives: the ⌈10 %⌉ best by
non-domination rank, ties broken by hypervolume subset selection, as multi-objective TPE
splits them, :mod:`~hpo_tui.core.analysis.ped_anova_front`). For each param and each of
its *regimes* (the trials that used one distribution of it; regimes of fewer than 2 trials
are left out, and the trials without the param add nothing), a Parzen estimator of the top
trials' values and one of all the regime's trials are built on a grid
(:mod:`~hpo_tui.core.analysis.ped_anova_parzen`); the regime adds
``α² / β · Σ p_all (p_top / p_all − 1)²`` (Pearson divergence; α, β the regime's share of
the top trials and of all trials), and the sum is scaled by (top / all)². A distribution
with a single value adds nothing. With one usable trial or none every score is 0.

The same operations in the same order as Optuna: the scores equal Optuna's to the bit
(``tests/core/test_ped_anova.py``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from hpo_tui.core.analysis.importance_evaluators import ParamColumn, StudyInputs
from hpo_tui.core.analysis.ped_anova_front import top_mask
from hpo_tui.core.analysis.ped_anova_parzen import grid_counts, grid_pdf

TARGET_QUANTILE = 0.1  # gamma' in the paper: the top 10 % of trials
N_STEPS = 50  # a number's range is cut into this many grid cells (fewer for short ranges)
PRIOR_WEIGHT = 1.0  # the estimators' prior kernel
MIN_N_TRIALS_IN_REGIME = 2


def ped_anova_scores(inputs: StudyInputs) -> dict[str, float]:
    """The raw PED-ANOVA score of each param of the usable trials, largest first (Optuna's
    ``PedAnovaImportanceEvaluator().evaluate(study)``)."""
    names = [column.name for column in inputs.params]
    n_trials = len(inputs.numbers)
    if n_trials <= 1:
        return {name: 0.0 for name in names}
    target = _top_trials(inputs.values, inputs.directions)
    n_target = int(np.count_nonzero(target))
    if n_target == 0:
        return {name: 0.0 for name in names}
    quantile = n_target / n_trials  # gamma' / gamma, the region being every trial
    scores = {
        column.name: _score(column, target, n_target, n_trials) * quantile**2
        for column in inputs.params
    }
    return dict(reversed(sorted(scores.items(), key=lambda item: item[1])))


def normalized(scores: dict[str, float]) -> dict[str, float]:
    """The scores as shares of their sum; equal shares when they sum to 0 (Optuna's
    ``get_param_importances(normalize=True)``)."""
    total = sum(scores.values())
    if total == 0.0:
        return {name: 1.0 / len(scores) for name in scores}
    return {name: value / total for name, value in scores.items()}


def _top_trials(values: np.ndarray, directions: tuple[str, ...]) -> np.ndarray:
    """Which trials are in the top :data:`TARGET_QUANTILE`."""
    if len(directions) > 1:
        n_below = math.ceil(TARGET_QUANTILE * len(values))
        loss = values * [-1.0 if d == "MAXIMIZE" else 1.0 for d in directions]
        return top_mask(loss, n_below)
    sign = 1.0 if directions[0] == "MINIMIZE" else -1.0
    loss_values = sign * values[:, 0]
    cutoff_index = math.ceil(TARGET_QUANTILE * loss_values.size) - 1
    cutoff = float(np.partition(loss_values, cutoff_index)[cutoff_index])
    return loss_values <= cutoff


def _score(column: ParamColumn, target: np.ndarray, n_target: int, n_trials: int) -> float:
    """The param's sum over its regimes, before the (top / all)² scale."""
    score = 0.0
    for regime, distribution in enumerate(column.parsed):
        in_regime = column.regimes == regime
        n_regime = int(np.count_nonzero(in_regime))
        if n_regime < MIN_N_TRIALS_IN_REGIME:
            continue
        in_target = in_regime & target
        n_regime_target = int(np.count_nonzero(in_target))
        if distribution.single() or n_regime_target == 0:
            continue
        target_share = n_regime_target / n_target  # alpha
        regime_share = n_regime / n_trials  # beta
        score += (
            target_share**2
            / regime_share
            * _pearson_divergence(distribution, column.values[in_target], column.values[in_regime])
        )
    return score


def _pearson_divergence(distribution: Any, top: np.ndarray, local: np.ndarray) -> float:
    """Σ p_local (p_top / p_local − 1)² over the grid (0 when the two sets are equal)."""
    from optuna.distributions import CategoricalDistribution

    categorical = isinstance(distribution, CategoricalDistribution)
    pdf_top = grid_pdf(grid_counts(distribution, top, N_STEPS), categorical, PRIOR_WEIGHT)
    pdf_local = grid_pdf(grid_counts(distribution, local, N_STEPS), categorical, PRIOR_WEIGHT)
    pdf_top = pdf_top + 1e-12
    pdf_local = pdf_local + 1e-12
    return float(pdf_local @ ((pdf_top / pdf_local - 1) ** 2))
