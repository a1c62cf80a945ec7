"""A sweep worker process for concurrency tests:
``python -m tests.helpers.worker SPEC N SEED [PAUSE]``.

SPEC is an RDB URL, a JournalStorage file path, a JournalStorage in Redis
(``redis://HOST:PORT/DB?prefix=NAME``, written through ``JournalRedisBackend``) or a gRPC proxy
(``grpc://HOST:PORT``). Runs
``study.optimize`` on two shared studies with per-epoch reports and list-valued attrs, like a
real training loop. PAUSE (seconds, default 0) is a wait between trials, as a worker that
prepares its next run: while every worker pauses, no trial is RUNNING.
"""

from __future__ import annotations

import subprocess
import sys
import time

import optuna

from tests.helpers.paths import ROOT

STUDIES = ("live_2M_h1", "live_2B_h3")


def start_workers(
    spec: str, workers: int, trials: int, pause: float = 0.0
) -> list[subprocess.Popen[str]]:
    """Start ``workers`` worker processes on ``spec``, ``trials`` trials each."""
    return [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.helpers.worker",
                spec,
                str(trials),
                str(seed),
                str(pause),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in range(workers)
    ]


def finish_workers(workers: list[subprocess.Popen[str]]) -> None:
    """Wait for the workers; assert that each one exited cleanly, without a lock error."""
    errors = [w.communicate(timeout=240)[1] for w in workers]
    assert [w.returncode for w in workers] == [0] * len(workers), errors
    assert not any("locked" in e or "Traceback" in e for e in errors), errors


def storage_for(spec: str):
    if spec.startswith("grpc://"):
        from tests.helpers.grpc_proxy import proxy_client

        return proxy_client(spec)
    if spec.startswith("redis://"):
        from tests.helpers.redis_server import journal_storage

        return journal_storage(spec)
    if "://" in spec:
        kwargs = {"connect_args": {"timeout": 60}} if spec.startswith("sqlite") else {}
        return optuna.storages.RDBStorage(spec, engine_kwargs=kwargs)
    from optuna.storages.journal import JournalFileBackend

    return optuna.storages.JournalStorage(JournalFileBackend(spec))


def main() -> None:
    spec, n_trials, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    pause = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
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
        if index and pause:
            time.sleep(pause)
        name = STUDIES[(index + seed) % len(STUDIES)]
        study = optuna.load_study(
            study_name=name, storage=storage, sampler=optuna.samplers.RandomSampler(seed + index)
        )
        study.optimize(objective, n_trials=1)


if __name__ == "__main__":
    main()
