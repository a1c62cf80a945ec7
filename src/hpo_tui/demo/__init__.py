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

The package, in the order a build runs:

* ``layout``: the studies (budget × horizon), their search spaces and failure modes;
* ``data``: the synthetic price series as a forecasting problem;
* ``mlp``: the numpy model and its optimisers; ``objective``: one trial's training;
* ``studies``: one study optimised in memory;
* ``pool``: the twelve studies, in worker processes (a stdout line protocol);
* ``writer``: the SQLite file; ``bulk``: its fast path on Optuna's private ORM models.

Nothing here imports textual or rich (the CLI builds the demo before the TUI starts).
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import uuid
from collections.abc import Callable
from typing import Any

import platformdirs

from hpo_tui.demo import pool, writer
from hpo_tui.demo.layout import DEMO_DATASET, DEMO_STUDY_NAMES

__all__ = [
    "DEMO_DATASET",
    "DEMO_STUDY_NAMES",
    "build_demo_storage",
    "demo_storage_path",
    "ensure_demo_storage",
]

# Bump the version whenever the generated campaign changes, so stale caches are not reused.
_CACHE_FILE_NAME = "demo-v2.db"


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
        results = pool.run_campaign(
            n_trials=n_trials, n_epochs=n_epochs, seed=seed, progress=progress
        )
        writer.write_sqlite(results, tmp_path)
        writer.fsync(tmp_path)
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
