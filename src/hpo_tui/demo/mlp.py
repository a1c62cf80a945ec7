"""A small multi-layer perceptron and its optimisers, in numpy (what each demo trial trains).

Fast enough to train hundreds of models in seconds, and able to diverge the way real training
does: SGD with momentum at too high a step size overflows its float32 loss.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

# Training runs in float32, like real deep-learning code: faster, and a diverging loss
# overflows (to inf, then NaN) at ~3e38 instead of ~2e308.
DTYPE = np.float32
_LN_EPS = 1e-5
_ADAM_BETAS = (0.9, 0.999)
_ADAM_EPS = 1e-8
_SGD_MOMENTUM = 0.9


class MLP:
    """ReLU MLP with optional (parameter-free) layer norm and inverted dropout.

    All weights live in one flat vector (and all gradients in another) so that the optimiser
    update is a handful of vectorised numpy calls regardless of depth.
    """

    def __init__(
        self,
        n_in: int,
        hidden: int,
        n_layers: int,
        *,
        layernorm: bool,
        dropout: float,
        init_gain: float,
        rng: np.random.Generator,
    ) -> None:
        sizes = [n_in] + [hidden] * n_layers + [1]
        shapes = list(itertools.pairwise(sizes))
        self.n_params = sum(a * b + b for a, b in shapes)
        self.flat = np.empty(self.n_params, dtype=DTYPE)
        self.grad = np.zeros(self.n_params, dtype=DTYPE)
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        self.grad_weights: list[np.ndarray] = []
        self.grad_biases: list[np.ndarray] = []
        offset = 0
        for a, b in shapes:
            for store, gstore, size, shape in (
                (self.weights, self.grad_weights, a * b, (a, b)),
                (self.biases, self.grad_biases, b, (b,)),
            ):
                store.append(self.flat[offset : offset + size].reshape(shape))
                gstore.append(self.grad[offset : offset + size].reshape(shape))
                offset += size
        for w, (a, _b) in zip(self.weights, shapes, strict=True):
            w[...] = rng.standard_normal(w.shape) * (init_gain * math.sqrt(2.0 / a))
        for bias in self.biases:
            bias[...] = 0.0
        self.layernorm = layernorm
        self.dropout = dropout
        self.rng = rng

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Forward pass without dropout."""
        h = x
        for w, b in zip(self.weights[:-1], self.biases[:-1], strict=True):
            z = h @ w + b
            if self.layernorm:
                z = _layernorm(z)[0]
            h = np.maximum(z, 0.0)
        return h @ self.weights[-1] + self.biases[-1]

    def loss_and_grad(self, x: np.ndarray, y: np.ndarray) -> float:
        """Compute the mini-batch MSE and write its gradient into ``self.grad``."""
        inputs: list[np.ndarray] = []
        normed: list[np.ndarray] = []
        inv_stds: list[np.ndarray | None] = []
        masks: list[np.ndarray | None] = []
        h = x
        for w, b in zip(self.weights[:-1], self.biases[:-1], strict=True):
            inputs.append(h)
            z = h @ w + b
            inv: np.ndarray | None = None
            if self.layernorm:
                z, inv = _layernorm(z)
            normed.append(z)
            inv_stds.append(inv)
            h = np.maximum(z, 0.0)
            mask: np.ndarray | None = None
            if self.dropout > 0.0:
                keep = self.rng.random(h.shape, dtype=DTYPE) >= self.dropout
                mask = keep * DTYPE(1.0 / (1.0 - self.dropout))
                h *= mask
            masks.append(mask)
        err = h @ self.weights[-1] + self.biases[-1] - y
        loss = mse(err)

        g = err * (2.0 / err.shape[0])
        np.matmul(h.T, g, out=self.grad_weights[-1])
        np.sum(g, axis=0, out=self.grad_biases[-1])
        gh = g @ self.weights[-1].T
        for i in range(len(inputs) - 1, -1, -1):
            if masks[i] is not None:
                gh = gh * masks[i]
            gz = gh * (normed[i] > 0.0)
            inv = inv_stds[i]
            if inv is not None:
                zn = normed[i]
                gz = inv * (
                    gz - gz.mean(axis=1, keepdims=True) - zn * (gz * zn).mean(axis=1, keepdims=True)
                )
            np.matmul(inputs[i].T, gz, out=self.grad_weights[i])
            np.sum(gz, axis=0, out=self.grad_biases[i])
            if i > 0:
                gh = gz @ self.weights[i].T
        return loss


def _row_mean(a: np.ndarray) -> np.ndarray:
    """Mean over axis 1 with kept dims (cheaper than ``np.mean`` on tiny arrays)."""
    return np.add.reduce(a, axis=1, keepdims=True) * (1.0 / a.shape[1])


def _layernorm(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Normalise each row of ``z``; return the normalised rows and ``1 / std``."""
    centred = z - _row_mean(z)
    inv = 1.0 / np.sqrt(_row_mean(centred * centred) + _LN_EPS)
    return centred * inv, inv


def mse(err: np.ndarray) -> float:
    """Mean of squares of the ``(n, 1)`` residuals ``err``."""
    flat = err.ravel()
    return float(flat @ flat) / flat.shape[0]


class Optimizer:
    """Adam or SGD with momentum, updating a flat parameter vector in place."""

    def __init__(self, kind: str, params: np.ndarray, lr: float) -> None:
        self.kind = kind
        self.params = params
        self.lr = lr
        self.m = np.zeros_like(params)
        self.v = np.zeros_like(params) if kind == "adam" else None
        self.t = 0

    def step(self, grad: np.ndarray) -> None:
        """Apply one update with gradient ``grad``."""
        if self.v is None:
            self.m *= _SGD_MOMENTUM
            self.m += grad
            self.params -= self.lr * self.m
            return
        beta1, beta2 = _ADAM_BETAS
        self.t += 1
        self.m *= beta1
        self.m += (1.0 - beta1) * grad
        self.v *= beta2
        self.v += (1.0 - beta2) * (grad * grad)
        step = self.lr * math.sqrt(1.0 - beta2**self.t) / (1.0 - beta1**self.t)
        self.params -= step * self.m / (np.sqrt(self.v) + _ADAM_EPS)
