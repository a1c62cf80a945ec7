"""The demo's Optuna objective: train one model, report its validation curve, end diverged
trials in one of the failure modes seen in real campaigns (see :mod:`hpo_tui.demo`)."""

from __future__ import annotations

import math

import numpy as np
import optuna

from hpo_tui.demo.data import Dataset
from hpo_tui.demo.layout import BATCH_SIZES, FAILURE_CYCLE, BudgetSpec
from hpo_tui.demo.mlp import MLP, Optimizer, mse


class Objective:
    """Optuna objective: train one model, report the validation curve, handle divergence."""

    def __init__(
        self,
        *,
        data: Dataset,
        spec: BudgetSpec,
        n_epochs: int,
        seed: tuple[int, int],
        first_failure_mode: int,
    ) -> None:
        self.data = data
        self.spec = spec
        self.n_epochs = n_epochs
        self.seed = seed
        self.failure_index = first_failure_mode

    def __call__(self, trial: optuna.Trial) -> float:
        spec = self.spec
        lr = trial.suggest_float("learning_rate", spec.lr_low, spec.lr_high, log=True)
        optimizer_name = trial.suggest_categorical("optimizer", ["sgd", "adam"])
        hidden = trial.suggest_categorical("hidden_units", list(spec.hidden_units))
        n_layers = trial.suggest_int("n_layers", 1, spec.max_layers)
        dropout = trial.suggest_float("dropout", 0.0, 0.3)
        batch_size = trial.suggest_categorical("batch_size", list(BATCH_SIZES))
        use_layernorm = trial.suggest_categorical("use_layernorm", [False, True])

        rng = np.random.default_rng([*self.seed, trial.number])
        data = self.data
        model = MLP(
            data.x_train.shape[1],
            int(hidden),
            n_layers,
            layernorm=bool(use_layernorm),
            dropout=dropout,
            init_gain=spec.init_gain,
            rng=rng,
        )
        # SGD follows the linear scaling rule (``learning_rate`` is per 32 samples), a common
        # convention; it couples learning rate and batch size, which univariate TPE cannot see.
        step_size = lr * int(batch_size) / 32 if optimizer_name == "sgd" else lr
        optimizer = Optimizer(str(optimizer_name), model.flat, step_size)
        trial.set_user_attr("n_params", model.n_params)

        train_losses: list[float] = []
        val_losses: list[float] = []
        try:
            with np.errstate(all="ignore"):
                for epoch in range(self.n_epochs):
                    train_loss = self._train_epoch(model, optimizer, rng, int(batch_size))
                    val_loss = mse(model.predict(data.x_val) - data.y_val)
                    train_losses.append(train_loss)
                    val_losses.append(val_loss)
                    trial.report(val_loss, epoch)
                    if not (math.isfinite(train_loss) and math.isfinite(val_loss)):
                        return self._diverged(trial, epoch)
                    if trial.should_prune():
                        raise optuna.TrialPruned(f"pruned at epoch {epoch}")
        finally:
            trial.set_user_attr("train_losses", train_losses)
            trial.set_user_attr("val_losses", val_losses)
        return min(val_losses)

    def _train_epoch(
        self, model: MLP, optimizer: Optimizer, rng: np.random.Generator, batch_size: int
    ) -> float:
        """Run one shuffled pass over the training set; return the mean mini-batch loss.

        The epoch stops at the first non-finite mini-batch loss (the model has diverged).
        """
        x, y = self.data.x_train, self.data.y_train
        order = rng.permutation(x.shape[0])
        losses: list[float] = []
        for start in range(0, x.shape[0], batch_size):
            batch = order[start : start + batch_size]
            loss = model.loss_and_grad(x[batch], y[batch])
            losses.append(loss)
            if not math.isfinite(loss):
                break
            optimizer.step(model.grad)
        return sum(losses) / len(losses)

    def _diverged(self, trial: optuna.Trial, epoch: int) -> float:
        """End a diverged trial with the next failure mode of the cycle."""
        mode = FAILURE_CYCLE[self.failure_index % len(FAILURE_CYCLE)]
        self.failure_index += 1
        if mode == "tag_nan":
            trial.set_user_attr("diverged", True)
            return float("nan")
        if mode == "raise":
            raise FloatingPointError(f"non-finite loss at epoch {epoch}")
        return float("inf")
