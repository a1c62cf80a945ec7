"""PED-ANOVA's densities: a Parzen estimator (Scott's rule) on a param's grid of cells.

A port of Optuna 5.0's ``optuna/importance/_ped_anova/scott_parzen_estimator.py`` and of
the parts of TPE it builds on (``optuna/samplers/_tpe/probability_distributions.py``: the
mixture's log-density for one categorical or one discrete truncated-normal dimension;
``optuna/samplers/_tpe/_truncnorm.py``: the log of a Gaussian mass on an interval). Optuna
is © Preferred Networks, Inc., MIT licence; ``_truncnorm`` is adapted there from SciPy
(© 2001-2002 Enthought, Inc., 2003-2022 SciPy Developers, BSD 3-clause). The operations are
Optuna's, in Optuna's order: the densities, hence the importances, are equal to the bit.

What the estimator sees of a param is :func:`grid_counts`: how many trials fall in each cell
(a categorical: each choice; a number: ``n_steps`` cells over its range, in log space for a
log distribution, fewer for a short int or stepped range).
"""

from __future__ import annotations

import functools
import math
import sys
from typing import Any, cast

import numpy as np

_SIGMA_MIN = 0.5 / 1.64  # 1.64 sigma (90 %) of a kernel fits in its grid cell


def grid_counts(distribution: Any, values: np.ndarray, n_steps: int) -> np.ndarray:
    """Trials per grid cell of ``distribution`` (Optuna's ``_count_*_param_in_grid``).

    ``values`` are the param's values in Optuna's internal representation: the number
    itself, or the index of the choice for a categorical.
    """
    from optuna.distributions import CategoricalDistribution, IntDistribution

    if isinstance(distribution, CategoricalDistribution):
        return np.bincount(values.astype(int), minlength=len(distribution.choices))
    if isinstance(distribution, IntDistribution) and distribution.log:
        log2_domain_size = int(
            np.ceil(np.log(distribution.high - distribution.low + 1) / np.log(2))
        )
        n_steps = min(log2_domain_size + 1, n_steps)
    elif distribution.step is not None:
        n_steps = min(
            round((distribution.high - distribution.low) / distribution.step) + 1, n_steps
        )
    low, high = distribution.low, distribution.high
    if distribution.log:
        low, high = math.log(low), math.log(high)
        values = np.log(values)
    step_size = (high - low) / (n_steps - 1)
    # Midpoint ties go to the lower cell (Optuna's choice, for backward compatibility).
    indices = np.ceil((values - low) / step_size - 0.5).astype(int)
    indices = np.clip(indices, 0, n_steps - 1)
    return np.bincount(indices, minlength=n_steps)


def grid_pdf(counts: np.ndarray, categorical: bool, prior_weight: float) -> np.ndarray:
    """The estimator's density on each cell: one kernel per occupied cell, weighted by its
    count, plus a prior kernel of weight ``prior_weight`` (Optuna's ``ScottParzenEstimator``
    built by ``build_parzen_estimator_on_grid``, then ``pdf(np.arange(counts.size))``)."""
    observations = np.flatnonzero(counts)
    counted = counts[observations]
    weights = np.append(counted, [prior_weight]) if len(observations) else np.array([1.0])
    weights /= weights.sum()
    grid = np.arange(counts.size)
    if categorical:
        log_pdf = _categorical_log_pdf(grid, observations, counts.size, weights, prior_weight)
    else:
        log_pdf = _numerical_log_pdf(grid, observations, counted, counts.size, weights)
    return np.exp(log_pdf)


def _categorical_log_pdf(
    grid: np.ndarray,
    observations: np.ndarray,
    n_choices: int,
    mixture_weights: np.ndarray,
    prior_weight: float,
) -> np.ndarray:
    if len(observations) == 0:
        kernels = np.full((1, n_choices), fill_value=1.0 / n_choices)
    else:
        n_kernels = len(observations) + 1  # the prior's kernel too
        kernels = np.full(shape=(n_kernels, n_choices), fill_value=prior_weight / n_kernels)
        kernels[np.arange(len(observations)), observations.astype(int)] += 1
        row_sums = kernels.sum(axis=1, keepdims=True)
        kernels /= np.where(row_sums == 0, 1, row_sums)
    weighted_log_pdf = np.zeros((len(grid), len(mixture_weights)), dtype=np.float64)
    cells = grid[:, np.newaxis, np.newaxis].astype(np.int64)
    weighted_log_pdf += np.log(np.take_along_axis(kernels[np.newaxis], cells, axis=-1))[..., 0]
    return _log_mixture(weighted_log_pdf, mixture_weights)


def _numerical_log_pdf(
    grid: np.ndarray,
    observations: np.ndarray,
    counted: np.ndarray,
    size: int,
    mixture_weights: np.ndarray,
) -> np.ndarray:
    """Discrete truncated normals on the cells ``0 … size - 1``, one per occupied cell
    (bandwidth by Scott's rule) and a wide prior one at the centre."""
    # Optuna's cells are an IntDistribution(0, size - 1): linear, step 1.
    low, high, step = 0, size - 1, 1
    weights_cum = np.cumsum(counted)
    weights_sum = weights_cum[-1]
    mean_est = (observations @ counted) / weights_sum
    sigma_est = np.sqrt(((observations - mean_est) ** 2 @ counted) / max(1, weights_sum - 1))
    q1_idx = np.searchsorted(weights_cum, weights_sum // 4, side="left")
    q3_idx = np.searchsorted(weights_cum, weights_sum * 3 // 4, side="right")
    iqr = observations[min(observations.size - 1, q3_idx)] - observations[q1_idx]
    sigma_est = 1.059 * min(iqr / 1.34, sigma_est) * weights_sum**-0.2
    mu = np.r_[observations, (low + high) / 2.0]
    sigmas = np.full_like(observations, max(sigma_est, _SIGMA_MIN), dtype=np.float64)
    sigma = np.r_[sigmas, high - low + 1]

    weighted_log_pdf = np.zeros((len(grid), len(mixture_weights)), dtype=np.float64)
    cells_uniq, cells_inv = np.unique(grid, return_inverse=True)
    mu_uniq, sigma_uniq, mu_sigma_inv = _unique_inverse_2d(mu, sigma)
    left = cells_uniq - step / 2
    right = cells_uniq + step / 2
    weighted_log_pdf += _log_gauss_mass_unique(
        (left[:, np.newaxis] - mu_uniq) / sigma_uniq,
        (right[:, np.newaxis] - mu_uniq) / sigma_uniq,
    )[np.ix_(cells_inv, mu_sigma_inv)]
    weighted_log_pdf -= _log_gauss_mass(
        ((low - step / 2) - mu_uniq) / sigma_uniq, ((high + step / 2) - mu_uniq) / sigma_uniq
    )[mu_sigma_inv]
    return _log_mixture(weighted_log_pdf, mixture_weights)


def _log_mixture(weighted_log_pdf: np.ndarray, mixture_weights: np.ndarray) -> np.ndarray:
    """log Σ_k w_k p_k(x), from the kernels' log-densities (rows x, columns k)."""
    weighted_log_pdf += np.log(mixture_weights[np.newaxis])
    max_ = weighted_log_pdf.max(axis=1)
    max_[np.isneginf(max_)] = 0  # no (-inf) - (-inf) where every kernel has density 0
    with np.errstate(divide="ignore"):
        return np.log(np.exp(weighted_log_pdf - max_[:, None]).sum(axis=1)) + max_


def _unique_inverse_2d(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct pairs ``(a[i], b[i])`` and where each pair went (lexsorted by a, b)."""
    order = np.argsort(b)
    order = order[np.argsort(a[order], kind="stable")]
    a_order = a[order]
    b_order = b[order]
    is_first_occurrence = np.empty_like(a, dtype=bool)
    is_first_occurrence[0] = True
    is_first_occurrence[1:] = (a_order[1:] != a_order[:-1]) | (b_order[1:] != b_order[:-1])
    inv = np.empty(a_order.size, dtype=int)
    inv[order] = np.cumsum(is_first_occurrence) - 1
    return a_order[is_first_occurrence], b_order[is_first_occurrence], inv


def _log_gauss_mass_unique(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a_uniq, b_uniq, inv = _unique_inverse_2d(a.ravel(), b.ravel())
    return _log_gauss_mass(a_uniq, b_uniq)[inv].reshape(a.shape)


# The log of the standard normal mass on [a, b] (optuna.samplers._tpe._truncnorm).


def _log_gauss_mass(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """log P(a ≤ Z ≤ b) for a standard normal Z, elementwise; the right tail by symmetry."""
    case_left = b <= 0
    case_right = a > 0
    case_central = ~(case_left | case_right)

    def mass_case_left(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return _log_diff(_log_ndtr(b), _log_ndtr(a))

    def mass_case_central(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.log1p(-_ndtr(a) - _ndtr(-b))

    out = np.full_like(a, fill_value=np.nan, dtype=np.complex128)
    if (a_left := a[case_left]).size:
        out[case_left] = mass_case_left(a_left, b[case_left])
    if (a_right := a[case_right]).size:
        out[case_right] = mass_case_left(-b[case_right], -a_right)
    if (a_central := a[case_central]).size:
        out[case_central] = mass_case_central(a_central, b[case_central])
    return np.real(out)


def _log_diff(log_p: np.ndarray, log_q: np.ndarray) -> np.ndarray:
    return log_p + np.log1p(-np.exp(log_q - log_p))


def _ndtr(a: np.ndarray) -> np.ndarray:
    # Optuna's ``erf`` takes ``math.erf`` value by value below 2,000 values (a polynomial
    # port above). Here there are at most ~150: the distinct (cell - centre) / bandwidth
    # pairs of a grid of at most 50 cells.
    x = a / 2**0.5
    return 0.5 + 0.5 * np.asarray([math.erf(v) for v in x.ravel()]).reshape(x.shape)


@functools.lru_cache(1000)
def _ndtr_single(a: float) -> float:
    x = a / 2**0.5
    if x < -1 / 2**0.5:
        return 0.5 * math.erfc(-x)
    if x < 1 / 2**0.5:
        return 0.5 + 0.5 * math.erf(x)
    return 1.0 - 0.5 * math.erfc(x)


@functools.lru_cache(1000)
def _log_ndtr_single(a: float) -> float:
    if a > 6:
        return -_ndtr_single(-a)
    if a > -20:
        return math.log(_ndtr_single(a))
    # Far left tail: the asymptotic series of log Φ(a).
    log_lhs = -0.5 * a**2 - math.log(-a) - 0.5 * math.log(2 * math.pi)
    last_total = 0.0
    right_hand_side = 1.0
    numerator = 1.0
    denom_factor = 1.0
    denom_cons = 1 / a**2
    sign = 1
    i = 0
    while abs(last_total - right_hand_side) > sys.float_info.epsilon:
        i += 1
        last_total = right_hand_side
        sign = -sign
        denom_factor *= denom_cons
        numerator *= 2 * i - 1
        right_hand_side += sign * numerator * denom_factor
    return log_lhs + math.log(right_hand_side)


def _log_ndtr(a: np.ndarray) -> np.ndarray:
    return cast(np.ndarray, np.frompyfunc(_log_ndtr_single, 1, 1)(a)).astype(float)
