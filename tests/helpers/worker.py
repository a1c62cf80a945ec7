"""A sweep worker process for concurrency tests: ``python -m tests.helpers.worker SPEC N SEED``.

SPEC is an RDB URL or a JournalStorage file path. Runs ``study.optimize`` on two shared
studies with per-epoch reports and list-valued attrs, like a real training loop.
"""

from __future__ import annotations

import sys
import time

import optuna

STUDIES = ("live_2M_h1", "live_2B_h3")


def storage_for(spec: str):
    if "://" in spec:
        kwargs = {"connect_args": {"timeout": 60}} if spec.startswith("sqlite") else {}
        return optuna.storages.RDBStorage(spec, engine_kwargs=kwargs)
    from optuna.storages.journal import JournalFileBackend

    return optuna.storages.JournalStorage(JournalFileBackend(spec))


def main() -> None:
    spec, n_trials, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    storage = storage_for(spec)

    def objective(trial: optuna.Trial) -> float:
        lr = trial.suggest_float("learning_rate", 1e-4, 1e-1, log=True)
        losses = []
        for epoch in range(6):
            loss = 1.0 / (1 + epoch) + lr
            losses.append(loss)
            trial.report(loss, epoch)
            trial.set_user_attr("val_losses", losses)
            time.sleep(0.01)
        return losses[-1]

    for index in range(n_trials):
        name = STUDIES[(index + seed) % len(STUDIES)]
        study = optuna.load_study(
            study_name=name, storage=storage, sampler=optuna.samplers.RandomSampler(seed + index)
        )
        study.optimize(objective, n_trials=1)


if __name__ == "__main__":
    main()
