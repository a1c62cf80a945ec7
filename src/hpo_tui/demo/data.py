"""The demo's synthetic data: a deterministic price series, as a forecasting problem.

The series is versioned by name (:data:`~hpo_tui.demo.layout.DEMO_DATASET`); its seed is
fixed, so only the hyperparameter search varies between builds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hpo_tui.demo.layout import HORIZONS
from hpo_tui.demo.mlp import DTYPE

# Synthetic data set. Fixed seed: the data set is versioned by name, only the search varies.
_DATA_SEED = 20_240_601
_WINDOW = 16
_N_TRAIN = 512
_N_VAL = 256


@dataclass(frozen=True)
class Dataset:
    """Standardised lag windows and ``h``-step log-return targets, split in time."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


def _synthetic_log_returns(n: int) -> np.ndarray:
    """Daily log returns of a regime-switching, seasonal, momentum-driven price series.

    Two Markov regimes (calm uptrend, volatile drawdown) set drift and volatility; a weekly
    and a monthly seasonal pattern and an AR(2) momentum term make returns partly predictable
    from their own lags; the shocks are Student-t. ``100 * exp(cumsum(returns))`` is the price.
    """
    rng = np.random.default_rng(_DATA_SEED)
    drift = np.array([5e-4, -8e-4])
    vol = np.array([0.009, 0.015])
    stay = np.array([0.97, 0.95])
    t = np.arange(n)
    seasonal = 0.009 * np.sin(2 * np.pi * t / 5.0) + 0.006 * np.sin(2 * np.pi * t / 21.0 + 1.0)
    shocks = rng.standard_t(df=5, size=n) / math.sqrt(5 / 3)
    switches = rng.random(n)
    returns = np.empty(n)
    regime = 0
    prev1 = prev2 = 0.0
    for i in range(n):
        if switches[i] > stay[regime]:
            regime = 1 - regime
        r = (
            drift[regime]
            + seasonal[i]
            + 0.25 * prev1
            - 0.1 * prev2
            + 0.4 * math.tanh(40.0 * prev1) * abs(prev2)
            + vol[regime] * shocks[i]
        )
        returns[i] = r
        prev1, prev2 = r, prev1
    return returns


def make_dataset(horizon: int) -> Dataset:
    """Build the supervised forecasting problem for ``horizon`` (same inputs for all h)."""
    n_samples = _N_TRAIN + _N_VAL
    returns = _synthetic_log_returns(_WINDOW + n_samples + max(HORIZONS))
    idx = np.arange(n_samples)[:, None]
    x = returns[idx + np.arange(_WINDOW)[None, :]]
    # Target: cumulative log return over the next ``horizon`` steps, log(P[t+h] / P[t]).
    y = returns[idx + _WINDOW + np.arange(horizon)[None, :]].sum(axis=1, keepdims=True)
    x_mean, x_std = x[:_N_TRAIN].mean(), x[:_N_TRAIN].std()
    y_mean, y_std = y[:_N_TRAIN].mean(), y[:_N_TRAIN].std()
    x = (x - x_mean) / x_std
    y = (y - y_mean) / y_std
    return Dataset(
        x_train=np.ascontiguousarray(x[:_N_TRAIN], dtype=DTYPE),
        y_train=np.ascontiguousarray(y[:_N_TRAIN], dtype=DTYPE),
        x_val=np.ascontiguousarray(x[_N_TRAIN:], dtype=DTYPE),
        y_val=np.ascontiguousarray(y[_N_TRAIN:], dtype=DTYPE),
    )
