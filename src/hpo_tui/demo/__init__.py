"""Build the demo campaign: real Optuna optimisation of a tiny numpy forecaster.

The demo campaign mirrors the layout of a real hpo-tui campaign: twelve studies, one per
model budget (``2M``/``20M``/``200M``/``2B``) and forecast horizon (``h1``/``h3``/``h5``).
Every trial really trains a small multi-layer perceptron, written in numpy, to forecast the
``h``-step-ahead log return of a deterministic synthetic price series from a window of
lagged returns. Hyperparameters are chosen by Optuna's TPE sampler, weak trials are stopped
by a :class:`~optuna.pruners.MedianPruner`, and some trials diverge naturally (their float32
loss overflows to ``inf``/``NaN``), mostly at the largest budget, where the learning-rate
ceiling and the initialisation scale are higher. Divergence comes from SGD (with momentum and
the linear batch-size scaling rule) at too high a step size; Adam does not overflow here.
The "budgets" are only names: the largest model has about twenty thousand weights.

Diverged trials end in one of the failure modes seen in real campaigns:

* tagged with ``user_attrs["diverged"] = True`` and returning ``NaN`` (Optuna marks the
  trial ``FAIL``);
* returning ``inf`` without a tag (the trial is ``COMPLETE`` with an infinite value);
* raising :class:`FloatingPointError` without a tag, caught by ``study.optimize`` (``FAIL``).

Each trial stores its per-epoch ``train_losses``/``val_losses`` (plain floats, non-finite
values kept) and ``n_params`` as user attributes, so untagged divergence can be detected
from the curves.

This module is part of the UI-free core: it must not import textual or rich.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import math
import os
import pathlib
import pickle
import queue as queue_module
import sqlite3
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import optuna
import platformdirs

__all__ = [
    "DEMO_DATASET",
    "DEMO_STUDY_NAMES",
    "build_demo_storage",
    "demo_storage_path",
    "ensure_demo_storage",
]

_logger = logging.getLogger(__name__)

DEMO_DATASET = "synthetic-prices-v1"
"""Value of the ``dataset`` study user attribute of every demo study."""

_BUDGETS: tuple[str, ...] = ("2M", "20M", "200M", "2B")
_HORIZONS: tuple[int, ...] = (1, 3, 5)

DEMO_STUDY_NAMES: tuple[str, ...] = tuple(
    f"demo_{budget}_h{horizon}" for budget in _BUDGETS for horizon in _HORIZONS
)
"""Names of the twelve demo studies, budget-major (``demo_2M_h1``, ``demo_2M_h3``, ...)."""

# Bump the version whenever the generated campaign changes, so stale caches are not reused.
_CACHE_FILE_NAME = "demo-v2.db"

# Synthetic data set. Fixed seed: the data set is versioned by name, only the search varies.
_DATA_SEED = 20_240_601
_WINDOW = 16
_N_TRAIN = 512
_N_VAL = 256

# Training runs in float32, like real deep-learning code: faster, and a diverging loss
# overflows (to inf, then NaN) at ~3e38 instead of ~2e308.
_DTYPE = np.float32
_LN_EPS = 1e-5
_ADAM_BETAS = (0.9, 0.999)
_ADAM_EPS = 1e-8
_SGD_MOMENTUM = 0.9


@dataclass(frozen=True)
class _BudgetSpec:
    """Search space and model-size convention of one budget (sizes stay tiny on purpose)."""

    hidden_units: tuple[int, ...]
    max_layers: int
    lr_low: float
    lr_high: float
    init_gain: float


_BUDGET_SPECS: dict[str, _BudgetSpec] = {
    "2M": _BudgetSpec((4, 8, 12), 2, 1e-4, 0.05, 1.0),
    "20M": _BudgetSpec((8, 16, 24), 2, 1e-4, 0.3, 1.5),
    "200M": _BudgetSpec((16, 32, 48), 2, 3e-4, 0.6, 2.0),
    "2B": _BudgetSpec((32, 64, 96), 3, 3e-3, 3.0, 2.0),
}

_BATCH_SIZES: tuple[int, ...] = (32, 64, 128)

# Failure modes of diverged trials, cycled (study ``i`` starts at entry ``i``): half are tagged.
_FAILURE_CYCLE: tuple[str, ...] = ("tag_nan", "inf", "tag_nan", "raise")

# Each worker imports numpy, optuna and SQLAlchemy (~100 MB); four already make the default
# build take a few seconds.
_MAX_WORKERS = 4
_BLAS_THREAD_VARS: tuple[str, ...] = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def demo_storage_path() -> pathlib.Path:
    """Return the default location of the cached demo storage.

    Returns:
        ``<user cache dir of hpo-tui>/demo-v2.db``. The file may not exist yet.
    """
    return platformdirs.user_cache_path("hpo-tui") / _CACHE_FILE_NAME


def build_demo_storage(
    path: pathlib.Path,
    *,
    n_trials: int = 60,
    n_epochs: int = 30,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> pathlib.Path:
    """Run the demo campaign and write it as a SQLite Optuna storage at ``path``.

    The twelve studies are optimised in memory (in parallel worker processes, one per usable
    CPU), then written into a temporary SQLite file in the directory of ``path``, which is
    finally moved onto ``path`` with :func:`os.replace`. An interrupted build therefore never
    leaves a partial file at ``path``; an existing file at ``path`` is replaced only once the
    new one is complete.

    Args:
        path: Destination SQLite file. Parent directories are created.
        n_trials: Trials per study. The default 60 leaves 15–41 completed trials per study
            (the rest pruned or diverged): 9 of the 12 studies reach the 20 that parameter
            importance needs, and the build takes about 20 s on two cores.
        n_epochs: Training epochs per trial (one intermediate value per epoch).
        seed: Base seed; study ``i`` uses ``TPESampler(seed=seed + i)``. The same seed gives
            the same parameters, intermediate values and objective values.
        progress: Optional callback ``progress(done_trials, total_trials)`` invoked each time a
            trial finishes. An exception raised by it aborts the build.

    Returns:
        The absolute path of the written storage.

    Raises:
        ValueError: If ``n_trials`` or ``n_epochs`` is smaller than 1, or ``seed`` is negative.
        RuntimeError: If a worker process dies.
    """
    if n_trials < 1 or n_epochs < 1:
        raise ValueError("n_trials and n_epochs must be >= 1")
    if seed < 0:
        raise ValueError("seed must be >= 0")
    path = pathlib.Path(path).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)

    # Same directory as ``path`` so that os.replace is an atomic rename; SQLite creates it.
    tmp_path = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        results = _run_campaign(n_trials=n_trials, n_epochs=n_epochs, seed=seed, progress=progress)
        _write_sqlite(results, tmp_path)
        _fsync(tmp_path)
        os.replace(tmp_path, path)
    finally:
        for leftover in (tmp_path, tmp_path.with_name(tmp_path.name + "-journal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    return path


def ensure_demo_storage(path: pathlib.Path | None = None, **kwargs: Any) -> pathlib.Path:
    """Return the demo storage, building it first if the file does not exist.

    Args:
        path: Storage file; defaults to :func:`demo_storage_path`.
        **kwargs: Forwarded to :func:`build_demo_storage` when a build is needed
            (``n_trials``, ``n_epochs``, ``seed``, ``progress``).

    Returns:
        The path of the (existing or freshly built) storage.
    """
    target = pathlib.Path(path) if path is not None else demo_storage_path()
    if target.is_file():
        return target
    return build_demo_storage(target, **kwargs)


# --------------------------------------------------------------------------------------------
# Campaign
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _StudyResult:
    """One optimised demo study, as shipped from a worker process to the writer."""

    name: str
    directions: list[optuna.study.StudyDirection]
    user_attrs: dict[str, Any]
    trials: list[optuna.trial.FrozenTrial]


@contextlib.contextmanager
def _quiet_optuna() -> Iterator[None]:
    """Silence Optuna's per-trial logging (failed trials log tracebacks at WARNING)."""
    previous = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(previous)


def _optimize_study(
    index: int,
    n_trials: int,
    n_epochs: int,
    seed: int,
    on_trial_done: Callable[[], None] | None = None,
) -> _StudyResult:
    """Optimise demo study number ``index`` in memory and return its trials."""
    budget = _BUDGETS[index // len(_HORIZONS)]
    horizon = _HORIZONS[index % len(_HORIZONS)]
    name = DEMO_STUDY_NAMES[index]
    with _quiet_optuna():
        study = optuna.create_study(
            study_name=name,
            storage=optuna.storages.InMemoryStorage(),
            direction="minimize",
            sampler=optuna.samplers.TPESampler(seed=seed + index),
            pruner=optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=5),
        )
        study.set_user_attr("budget", budget)
        study.set_user_attr("horizon", horizon)
        study.set_user_attr("dataset", DEMO_DATASET)
        objective = _Objective(
            data=_make_dataset(horizon),
            spec=_BUDGET_SPECS[budget],
            n_epochs=n_epochs,
            seed=(seed, index),
            first_failure_mode=index,
        )
        callbacks = [] if on_trial_done is None else [lambda _s, _t: on_trial_done()]
        study.optimize(
            objective,
            n_trials=n_trials,
            catch=(FloatingPointError,),
            callbacks=callbacks,
            gc_after_trial=False,
        )
    return _StudyResult(
        name=name,
        directions=list(study.directions),
        user_attrs=dict(study.user_attrs),
        trials=study.get_trials(deepcopy=False),
    )


def _n_workers() -> int:
    """Number of worker processes: the usable CPUs, at most :data:`_MAX_WORKERS`."""
    if getattr(sys, "frozen", False):  # no Python interpreter to start workers with
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, _MAX_WORKERS))


def _run_campaign(
    *,
    n_trials: int,
    n_epochs: int,
    seed: int,
    progress: Callable[[int, int], None] | None,
) -> list[_StudyResult]:
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

    n_workers = _n_workers()
    if n_workers > 1:
        return _WorkerPool(n_workers, n_trials, n_epochs, seed).run(trial_done)
    return [
        _optimize_study(index, n_trials, n_epochs, seed, trial_done)
        for index in range(len(DEMO_STUDY_NAMES))
    ]


class _WorkerPool:
    """Run demo studies in ``python -c`` worker processes with single-threaded BLAS.

    Plain subprocesses rather than :mod:`multiprocessing`: the ``spawn`` start method
    re-imports the caller's ``__main__`` (breaking scripts without a main guard) and numpy
    cannot be told to use one BLAS thread once imported. The matrices are tiny: a
    multi-threaded BLAS spends far more time synchronising (and competing with the other
    workers for the cores) than computing.

    Protocol: the parent writes study indices, one per line, to a worker's stdin (heaviest
    studies first, next one when a result arrives); the worker writes ``T\n`` per finished
    trial and ``R <n>\n`` followed by an ``n``-byte pickled :class:`_StudyResult` per study.
    """

    def __init__(self, n_workers: int, n_trials: int, n_epochs: int, seed: int) -> None:
        self.n_workers = n_workers
        # The workers import exactly what this process imports (like multiprocessing does).
        self.args = json.dumps([n_trials, n_epochs, seed, sys.path])

    def run(self, trial_done: Callable[[], None]) -> list[_StudyResult]:
        """Optimise all studies; call ``trial_done()`` in this thread per finished trial."""
        # Largest budgets first: the slowest studies start early, the pool ends balanced.
        todo = sorted(range(len(DEMO_STUDY_NAMES)), key=lambda i: (-(i // len(_HORIZONS)), i))
        results: dict[int, _StudyResult] = {}
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
    "from hpo_tui.demo import _worker_main; _worker_main()"
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


def _worker_main() -> None:
    """Entry point of a worker process (see :class:`_WorkerPool`)."""
    n_trials, n_epochs, seed, _path = json.loads(sys.argv[1])
    # Keep the protocol channel clean: anything printed goes to stderr.
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    def trial_done() -> None:
        channel.write(b"T\n")
        channel.flush()

    for line in sys.stdin.buffer:
        result = _optimize_study(int(line), n_trials, n_epochs, seed, trial_done)
        payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        channel.write(b"R %d\n" % len(payload))
        channel.write(payload)
        channel.flush()


def _write_sqlite(results: list[_StudyResult], target: pathlib.Path) -> None:
    """Write the demo studies into a new SQLite Optuna storage ``target``.

    Uses a bulk ORM insert (one transaction, about a second) and falls back to Optuna's
    storage API (one query per stored value, like :func:`optuna.copy_study`; much slower) if
    the bulk path does not fit the installed Optuna's schema.
    """
    with _quiet_optuna():
        try:
            _write_sqlite_bulk(results, target)
        except Exception:
            _logger.debug("bulk SQLite write failed, using the storage API", exc_info=True)
            target.unlink(missing_ok=True)
            _write_sqlite_api(results, target)


class _UnsyncedSQLiteConnection(sqlite3.Connection):
    """SQLite connection without a disk sync per commit, for the temporary file only.

    The temporary file is discarded if anything fails, and synced once before the rename
    (:func:`_fsync`), so per-commit syncs would only cost time (about 10 ms each).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.execute("PRAGMA synchronous = OFF")
        self.execute("PRAGMA journal_mode = MEMORY")


def _open_rdb(target: pathlib.Path) -> optuna.storages.RDBStorage:
    """Create (or open) the Optuna schema in the SQLite file ``target``."""
    return optuna.storages.RDBStorage(
        f"sqlite:///{target}",
        engine_kwargs={"connect_args": {"factory": _UnsyncedSQLiteConnection}},
    )


def _close_rdb(rdb: optuna.storages.RDBStorage) -> None:
    """Release every connection of ``rdb`` (the file is renamed afterwards)."""
    rdb.remove_session()
    rdb.engine.dispose()


def _create_study(rdb: optuna.storages.RDBStorage, result: _StudyResult) -> int:
    """Create ``result``'s study (without trials) in ``rdb``; return its id."""
    study_id = rdb.create_new_study(result.directions, result.name)
    for key, value in result.user_attrs.items():
        rdb.set_study_user_attr(study_id, key, value)
    return study_id


def _write_sqlite_api(results: list[_StudyResult], target: pathlib.Path) -> None:
    """Slow, public-API-only writer (what :func:`optuna.copy_study` does)."""
    rdb = _open_rdb(target)
    try:
        for result in results:
            study_id = _create_study(rdb, result)
            for trial in result.trials:
                rdb.create_new_trial(study_id, template_trial=trial)
    finally:
        _close_rdb(rdb)


def _write_sqlite_bulk(results: list[_StudyResult], target: pathlib.Path) -> None:
    """Fast writer: studies through the storage API, all trials as one ORM bulk insert.

    Trials are built with Optuna's own ORM models (so stored representations, e.g. of
    infinite values or of datetimes, are the installed version's) and flushed in a single
    transaction, instead of the per-value queries of ``RDBStorage.create_new_trial``.
    """
    from optuna.storages._rdb import models  # private, hence the storage-API fallback
    from sqlalchemy import orm

    value_model = models.TrialValueModel
    step_model = models.TrialIntermediateValueModel
    rdb = _open_rdb(target)
    try:
        rows: list[Any] = []
        for result in results:
            study_id = _create_study(rdb, result)
            for frozen in result.trials:
                trial = models.TrialModel(
                    study_id=study_id,
                    number=frozen.number,
                    state=frozen.state,
                    datetime_start=frozen.datetime_start,
                    datetime_complete=frozen.datetime_complete,
                )
                rows.append(trial)
                for objective, value in enumerate(frozen.values or ()):
                    stored, value_type = value_model.value_to_stored_repr(value)
                    rows.append(
                        value_model(
                            trial=trial, objective=objective, value=stored, value_type=value_type
                        )
                    )
                for param_name, param_value in frozen.params.items():
                    distribution = frozen.distributions[param_name]
                    rows.append(
                        models.TrialParamModel(
                            trial=trial,
                            param_name=param_name,
                            param_value=distribution.to_internal_repr(param_value),
                            distribution_json=optuna.distributions.distribution_to_json(
                                distribution
                            ),
                        )
                    )
                for attr_model, attrs in (
                    (models.TrialUserAttributeModel, frozen.user_attrs),
                    (models.TrialSystemAttributeModel, frozen.system_attrs),
                ):
                    for key, value in attrs.items():
                        rows.append(attr_model(trial=trial, key=key, value_json=json.dumps(value)))
                for step, reported in frozen.intermediate_values.items():
                    stored, step_type = step_model.intermediate_value_to_stored_repr(reported)
                    rows.append(
                        step_model(
                            trial=trial,
                            step=step,
                            intermediate_value=stored,
                            intermediate_value_type=step_type,
                        )
                    )
        with orm.Session(rdb.engine) as session:
            session.add_all(rows)
            session.commit()
    finally:
        _close_rdb(rdb)


def _fsync(path: pathlib.Path) -> None:
    """Flush ``path`` to disk so that the rename publishes complete content."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Dataset:
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


def _make_dataset(horizon: int) -> _Dataset:
    """Build the supervised forecasting problem for ``horizon`` (same inputs for all h)."""
    n_samples = _N_TRAIN + _N_VAL
    returns = _synthetic_log_returns(_WINDOW + n_samples + max(_HORIZONS))
    idx = np.arange(n_samples)[:, None]
    x = returns[idx + np.arange(_WINDOW)[None, :]]
    # Target: cumulative log return over the next ``horizon`` steps, log(P[t+h] / P[t]).
    y = returns[idx + _WINDOW + np.arange(horizon)[None, :]].sum(axis=1, keepdims=True)
    x_mean, x_std = x[:_N_TRAIN].mean(), x[:_N_TRAIN].std()
    y_mean, y_std = y[:_N_TRAIN].mean(), y[:_N_TRAIN].std()
    x = (x - x_mean) / x_std
    y = (y - y_mean) / y_std
    return _Dataset(
        x_train=np.ascontiguousarray(x[:_N_TRAIN], dtype=_DTYPE),
        y_train=np.ascontiguousarray(y[:_N_TRAIN], dtype=_DTYPE),
        x_val=np.ascontiguousarray(x[_N_TRAIN:], dtype=_DTYPE),
        y_val=np.ascontiguousarray(y[_N_TRAIN:], dtype=_DTYPE),
    )


# --------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------


class _MLP:
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
        self.flat = np.empty(self.n_params, dtype=_DTYPE)
        self.grad = np.zeros(self.n_params, dtype=_DTYPE)
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
                keep = self.rng.random(h.shape, dtype=_DTYPE) >= self.dropout
                mask = keep * _DTYPE(1.0 / (1.0 - self.dropout))
                h *= mask
            masks.append(mask)
        err = h @ self.weights[-1] + self.biases[-1] - y
        loss = _mse(err)

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


def _mse(err: np.ndarray) -> float:
    """Mean of squares of the ``(n, 1)`` residuals ``err``."""
    flat = err.ravel()
    return float(flat @ flat) / flat.shape[0]


class _Optimizer:
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


# --------------------------------------------------------------------------------------------
# Objective
# --------------------------------------------------------------------------------------------


class _Objective:
    """Optuna objective: train one model, report the validation curve, handle divergence."""

    def __init__(
        self,
        *,
        data: _Dataset,
        spec: _BudgetSpec,
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
        batch_size = trial.suggest_categorical("batch_size", list(_BATCH_SIZES))
        use_layernorm = trial.suggest_categorical("use_layernorm", [False, True])

        rng = np.random.default_rng([*self.seed, trial.number])
        data = self.data
        model = _MLP(
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
        optimizer = _Optimizer(str(optimizer_name), model.flat, step_size)
        trial.set_user_attr("n_params", model.n_params)

        train_losses: list[float] = []
        val_losses: list[float] = []
        try:
            with np.errstate(all="ignore"):
                for epoch in range(self.n_epochs):
                    train_loss = self._train_epoch(model, optimizer, rng, int(batch_size))
                    val_loss = _mse(model.predict(data.x_val) - data.y_val)
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
        self, model: _MLP, optimizer: _Optimizer, rng: np.random.Generator, batch_size: int
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
        mode = _FAILURE_CYCLE[self.failure_index % len(_FAILURE_CYCLE)]
        self.failure_index += 1
        if mode == "tag_nan":
            trial.set_user_attr("diverged", True)
            return float("nan")
        if mode == "raise":
            raise FloatingPointError(f"non-finite loss at epoch {epoch}")
        return float("inf")
