"""Run the twelve demo studies, in worker processes when there are cores for them.

Each worker is a ``python -c`` process that optimises the studies it is sent and writes its
results to stdout in a small line protocol (see :class:`WorkerPool`).
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import queue as queue_module
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from typing import Any

from hpo_tui.demo.layout import DEMO_STUDY_NAMES, HORIZONS
from hpo_tui.demo.studies import StudyResult, optimize_study

# Each worker imports numpy, optuna and SQLAlchemy (~100 MB); four already make the default
# build take a few seconds.
_MAX_WORKERS = 4
_BLAS_THREAD_VARS: tuple[str, ...] = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)


def n_workers() -> int:
    """Number of worker processes: the usable CPUs, at most :data:`_MAX_WORKERS`."""
    if getattr(sys, "frozen", False):  # no Python interpreter to start workers with
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, _MAX_WORKERS))


def run_campaign(
    *,
    n_trials: int,
    n_epochs: int,
    seed: int,
    progress: Callable[[int, int], None] | None,
) -> list[StudyResult]:
    """Optimise the twelve demo studies, in parallel worker processes when possible.

    Every study is independent and seeded, so the result depends neither on the number of
    workers nor on the order in which studies finish.
    """
    total = n_trials * len(DEMO_STUDY_NAMES)
    done = 0

    def trial_done() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    workers = n_workers()
    if workers > 1:
        return WorkerPool(workers, n_trials, n_epochs, seed).run(trial_done)
    return [
        optimize_study(index, n_trials, n_epochs, seed, trial_done)
        for index in range(len(DEMO_STUDY_NAMES))
    ]


class WorkerPool:
    """Run demo studies in ``python -c`` worker processes with single-threaded BLAS.

    Plain subprocesses rather than :mod:`multiprocessing`: the ``spawn`` start method
    re-imports the caller's ``__main__`` (breaking scripts without a main guard) and numpy
    cannot be told to use one BLAS thread once imported. The matrices are tiny: a
    multi-threaded BLAS spends far more time synchronising (and competing with the other
    workers for the cores) than computing.

    Protocol: the parent writes study indices, one per line, to a worker's stdin (heaviest
    studies first, next one when a result arrives); the worker writes ``T\n`` per finished
    trial and ``R <n>\n`` followed by an ``n``-byte pickled :class:`StudyResult` per study.
    """

    def __init__(self, n_workers: int, n_trials: int, n_epochs: int, seed: int) -> None:
        self.n_workers = n_workers
        # The workers import exactly what this process imports (like multiprocessing does).
        self.args = json.dumps([n_trials, n_epochs, seed, sys.path])

    def run(self, trial_done: Callable[[], None]) -> list[StudyResult]:
        """Optimise all studies; call ``trial_done()`` in this thread per finished trial."""
        # Largest budgets first: the slowest studies start early, the pool ends balanced.
        todo = sorted(range(len(DEMO_STUDY_NAMES)), key=lambda i: (-(i // len(HORIZONS)), i))
        results: dict[int, StudyResult] = {}
        events: queue_module.Queue[tuple[int, str, Any]] = queue_module.Queue()
        procs: list[subprocess.Popen[bytes]] = []
        logs: list[Any] = []
        assigned: dict[int, int] = {}
        with contextlib.ExitStack() as stack:
            stack.callback(_stop_workers, procs)
            for worker in range(min(self.n_workers, len(todo))):
                log = stack.enter_context(tempfile.TemporaryFile())
                logs.append(log)
                proc = self._start(log)
                procs.append(proc)
                threading.Thread(
                    target=_read_worker_events, args=(worker, proc, events), daemon=True
                ).start()
                assigned[worker] = self._assign(proc, todo)
            while len(results) < len(DEMO_STUDY_NAMES):
                worker, kind, payload = events.get()
                if kind == "trial":
                    trial_done()
                elif kind == "result":
                    results[assigned[worker]] = payload
                    assigned[worker] = self._assign(procs[worker], todo)
                elif assigned[worker] != -1:  # "eof" with a study still pending: it died
                    procs[worker].wait()
                    logs[worker].seek(0)
                    tail = logs[worker].read().decode(errors="replace")[-2000:]
                    raise RuntimeError(
                        f"demo worker exited with code {procs[worker].returncode}:\n{tail}"
                    )
        return [results[index] for index in range(len(DEMO_STUDY_NAMES))]

    def _start(self, log: Any) -> subprocess.Popen[bytes]:
        """Start one worker; its stderr goes to ``log``."""
        env = dict(os.environ)
        env.update(dict.fromkeys(_BLAS_THREAD_VARS, "1"))
        return subprocess.Popen(
            [sys.executable, "-c", _WORKER_CODE, self.args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
        )

    @staticmethod
    def _assign(proc: subprocess.Popen[bytes], todo: list[int]) -> int:
        """Send the next study index to ``proc`` (or close its stdin); return the index."""
        assert proc.stdin is not None
        if not todo:
            proc.stdin.close()
            return -1
        index = todo.pop(0)
        proc.stdin.write(b"%d\n" % index)
        proc.stdin.flush()
        return index


_WORKER_CODE = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[1])[3]; "
    "from hpo_tui.demo.pool import worker_main; worker_main()"
)


def _stop_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    """Kill the workers still running (after an error) and reap all of them."""
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


def _read_worker_events(
    worker: int, proc: subprocess.Popen[bytes], events: queue_module.Queue[tuple[int, str, Any]]
) -> None:
    """Reader thread: turn a worker's stdout frames into ``(worker, kind, payload)`` events."""
    assert proc.stdout is not None
    stream = proc.stdout
    try:
        while line := stream.readline():
            if line == b"T\n":
                events.put((worker, "trial", None))
            elif line.startswith(b"R "):
                payload = stream.read(int(line[2:]))
                events.put((worker, "result", pickle.loads(payload)))
            else:
                break
    except (OSError, ValueError, pickle.UnpicklingError, EOFError):
        pass
    events.put((worker, "eof", None))


def worker_main() -> None:
    """Entry point of a worker process (see :class:`WorkerPool`)."""
    n_trials, n_epochs, seed, _path = json.loads(sys.argv[1])
    # Keep the protocol channel clean: anything printed goes to stderr.
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    def trial_done() -> None:
        channel.write(b"T\n")
        channel.flush()

    for line in sys.stdin.buffer:
        result = optimize_study(int(line), n_trials, n_epochs, seed, trial_done)
        payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        channel.write(b"R %d\n" % len(payload))
        channel.write(payload)
        channel.flush()
