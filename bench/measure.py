"""One measurement, in its own process: ``python bench/measure.py METHOD BACKEND SIZE``.

Run by ``bench/load.py`` once per repetition, so that every measurement starts from a fresh
interpreter (same import state, no warm caches inside Python) and its peak RSS
(``ru_maxrss``) is its own. Prints ONE line of JSON on stdout::

    {"seconds": ..., "import_seconds": ..., "rss_after_import_mb": ..., "peak_rss_mb": ...,
     "rows": ..., "phases": {...}, "note": "..."}

``seconds`` covers the work only: the library under test and the database drivers it will
use are imported first (timed apart as ``import_seconds``), as every raw method imports its
driver before its clock starts. Anything else a method imports during its work is part of
``seconds``. The whole-process costs, imports included, are in the CLI and first-paint
measurements (``bench/suite.py``).

Methods:

``hpo-tui``
    ``hpo_tui.core.load_campaign([spec])``, with cheap wrappers timing its phases (a handful of
    calls each: read vs build, SQL fetch vs decoding, divergence, curve stats...).
``optuna``
    ``optuna.load_study(study_name=..., storage=storage).get_trials(deepcopy=False)`` for every
    study (or only ``--study NAME``), over one shared ``RDBStorage``.
``raw-star`` / ``raw-cols``
    The floor: ``SELECT *`` of every table hpo-tui reads / hpo-tui's own ``SELECT`` lists,
    ``fetchall()`` with the DB-API driver (``sqlite3``, ``psycopg2``), no decoding.
``adbc`` / ``connectorx``
    ``SELECT *`` of the same tables into Arrow tables (only where the driver is installed).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from common import DATA_TABLES, HPO_TUI_SELECTS, Size, study_names

METHODS = ("hpo-tui", "optuna", "raw-star", "raw-cols", "adbc", "connectorx")
ARROW_METHODS = ("adbc", "connectorx")


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cpu_seconds() -> float:
    """User + system CPU time of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def current_rss_mb() -> float:
    """Current resident set size, in MB (from /proc; falls back to the peak)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return pages * resource.getpagesize() / 2**20
    except OSError:
        return peak_rss_mb()


class PhaseTimer:
    """Wall time per phase, for functions wrapped with :meth:`wrap`.

    ``seconds`` is exclusive: time spent in a nested wrapped phase is counted there, not in
    its caller, so the main thread's phases add up to the load. ``inclusive`` holds the
    totals including nested phases. Each thread has its own stack: a phase that runs in a
    worker thread (the attr decoding) overlaps the main thread's and is reported with a
    name starting ``(worker``, outside the sum.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.inclusive: dict[str, float] = {}
        self._local = threading.local()

    def _stack(self) -> list[list[float]]:
        stack: list[list[float]] | None = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time the ``with`` block under ``name``."""
        if threading.current_thread() is not threading.main_thread():
            name = f"(worker thread, overlaps the above) {name}"
        stack = self._stack()
        began = time.perf_counter()
        stack.append([0.0])
        try:
            yield
        finally:
            elapsed = time.perf_counter() - began
            nested = stack.pop()[0]
            if stack:
                stack[-1][0] += elapsed
            self.seconds[name] = self.seconds.get(name, 0.0) + elapsed - nested
            self.inclusive[name] = self.inclusive.get(name, 0.0) + elapsed

    def wrap(self, owner: Any, attribute: str, name: str) -> None:
        """Replace ``owner.attribute`` by a timed version of itself."""
        original: Callable[..., Any] = getattr(owner, attribute)

        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.phase(name):
                return original(*args, **kwargs)

        setattr(owner, attribute, timed)


def spec_for(size: Size, backend: str) -> str:
    """What a user gives hpo-tui: the SQLite path or the PostgreSQL URL."""
    return str(size.sqlite_path) if backend == "sqlite" else size.pg_url


def run_hpo_tui(size: Size, backend: str, timer: PhaseTimer) -> dict[str, Any]:
    """``load_campaign([spec])``, its phases timed through module-level wrappers."""
    began = time.perf_counter()
    import hpo_tui.core
    import hpo_tui.core.model.build as build
    import hpo_tui.core.model.campaign as campaign
    import hpo_tui.core.storage.rdb.decode as decode
    import hpo_tui.core.storage.rdb.read as read
    from hpo_tui.core.storage.rdb import drivers
    from hpo_tui.core.storage.rdb.postgresql import PostgresReader
    from hpo_tui.core.storage.rdb.reader import CursorReader
    from hpo_tui.core.storage.rdb.sqlite import AdbcSqliteReader

    # The drivers hpo-tui imports on first use, imported here as the raw methods import
    # theirs before their clocks start: every method's time is its work, not its imports.
    if backend == "sqlite":
        drivers.adbc_sqlite()
    else:
        import psycopg2  # noqa: F401

        drivers.adbc_postgresql()
    imported = time.perf_counter() - began
    rss_import = current_rss_mb()
    # load_campaign → read_source → read_rdb → read_rdb_tables; then build_campaign → _assemble.
    timer.wrap(campaign, "read_source", "read: other (connect, wait for the decoding, glue)")
    for reader in (AdbcSqliteReader, PostgresReader):
        timer.wrap(reader, "arrow", "read: bulk tables into Arrow (ADBC / COPY)")
    for reader in (AdbcSqliteReader, CursorReader):
        timer.wrap(reader, "rows", "read: small tables, rows")
    timer.wrap(read, "_rows_for", "read: small tables, rows")  # (batches is a generator)
    timer.wrap(decode, "decode_attr_texts", "read: decode attrs (number lists in Arrow)")
    for module in (read, decode):
        timer.wrap(module, "column_numpy", "read: Arrow columns to numpy")
    timer.wrap(read, "to_utc", "read: datetimes")
    timer.wrap(read, "external_param_values", "read: params to external repr")
    timer.wrap(read, "frame", "read: small frames from rows")
    timer.wrap(campaign, "build_campaign", "build: other (keys, trials frame, pandas glue)")
    timer.wrap(build, "_assemble", "build: other (keys, trials frame, pandas glue)")
    timer.wrap(build, "build_curves", "build: curves frame")
    timer.wrap(build, "detect_divergence", "build: detect_divergence")
    timer.wrap(build, "curve_stats", "build: curve_stats")
    timer.wrap(build, "_wide", "build: _wide (params/user attrs pivot)")
    timer.wrap(build, "summarize_studies", "build: _study_summary")
    cpu_began = cpu_seconds()
    began = time.perf_counter()
    result = hpo_tui.core.load_campaign([spec_for(size, backend)])
    seconds = time.perf_counter() - began
    cpu = cpu_seconds() - cpu_began
    peak = peak_rss_mb()  # before the footprint below allocates anything
    phases, inclusive = dict(timer.seconds), dict(timer.inclusive)  # before it, too: the
    # footprint reads every frame, and a frame built on demand would count as load time
    return {
        "phases": phases,
        "phases_inclusive": inclusive,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "import_seconds": imported,
        "rss_after_import_mb": rss_import,
        "rows": len(result.trials),
        "curve_points": len(result.curves),
        "peak_rss_mb": peak,
        "frames_mb": frames_footprint(result),
    }


def frames_footprint(campaign: Any) -> dict[str, float]:
    """MB held by each of the campaign's frames (``DataFrame.memory_usage(deep=True)``)."""
    return {
        name: float(getattr(campaign, name).memory_usage(deep=True, index=True).sum()) / 2**20
        for name in ("studies", "trials", "curves", "details")
    }


def run_optuna(size: Size, backend: str, only: str | None) -> dict[str, Any]:
    """``load_study(...).get_trials(deepcopy=False)`` for every study (or only ``only``)."""
    began = time.perf_counter()
    import optuna

    imported = time.perf_counter() - began
    rss_import = current_rss_mb()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if backend == "sqlite":  # read-only URI: Optuna cannot write to the cached file
        url = f"sqlite:///file:{size.sqlite_path}?mode=ro&uri=true"
    else:
        url = size.pg_url
    names = [only] if only else study_names(size.studies)
    cpu_began = cpu_seconds()
    began = time.perf_counter()
    storage = optuna.storages.RDBStorage(url)
    n_trials = 0
    for name in names:
        n_trials += len(
            optuna.load_study(study_name=name, storage=storage).get_trials(deepcopy=False)
        )
    seconds = time.perf_counter() - began
    cpu = cpu_seconds() - cpu_began
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "import_seconds": imported,
        "rss_after_import_mb": rss_import,
        "rows": n_trials,
        "studies": len(names),
    }


def _dbapi_connect(size: Size, backend: str) -> tuple[Any, float]:
    began = time.perf_counter()
    if backend == "sqlite":
        import sqlite3

        conn = sqlite3.connect(f"file:{size.sqlite_path}?mode=ro", uri=True)
    else:
        import psycopg2

        conn = psycopg2.connect(size.pg_dsn)
    return conn, time.perf_counter() - began


def run_raw(size: Size, backend: str, queries: Sequence[str]) -> dict[str, Any]:
    """``fetchall()`` of ``queries`` in one transaction, results kept until the end."""
    began = time.perf_counter()
    if backend == "sqlite":
        import sqlite3  # noqa: F401
    else:
        import psycopg2  # noqa: F401
    imported = time.perf_counter() - began
    rss_import = current_rss_mb()
    cpu_began = cpu_seconds()
    began = time.perf_counter()
    conn, _ = _dbapi_connect(size, backend)
    try:
        cursor = conn.cursor()
        if backend == "sqlite":
            cursor.execute("BEGIN")
        kept: list[list[tuple[Any, ...]]] = []
        for sql in queries:
            cursor.execute(sql)
            kept.append(cursor.fetchall())
        conn.rollback()
    finally:
        conn.close()
    seconds = time.perf_counter() - began
    cpu = cpu_seconds() - cpu_began
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "import_seconds": imported,
        "rss_after_import_mb": rss_import,
        "rows": sum(len(rows) for rows in kept),
    }


def run_adbc(size: Size, backend: str) -> dict[str, Any]:
    """``SELECT *`` of every table into pyarrow Tables through an ADBC driver."""
    began = time.perf_counter()
    if backend == "sqlite":
        import adbc_driver_sqlite.dbapi as driver

        target = f"file:{size.sqlite_path}?mode=ro"
    else:
        import adbc_driver_postgresql.dbapi as driver

        target = f"postgresql://postgres@127.0.0.1:5432/{size.pg_database}"
    import pyarrow  # noqa: F401

    imported = time.perf_counter() - began
    rss_import = current_rss_mb()
    cpu_began = cpu_seconds()
    began = time.perf_counter()
    tables = []
    with driver.connect(target) as conn, conn.cursor() as cursor:
        for table in DATA_TABLES:
            cursor.execute(f"SELECT * FROM {table}")
            tables.append(cursor.fetch_arrow_table())
    seconds = time.perf_counter() - began
    cpu = cpu_seconds() - cpu_began
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "import_seconds": imported,
        "rss_after_import_mb": rss_import,
        "rows": sum(t.num_rows for t in tables),
        "note": f"{driver.__name__.split('.')[0]}",
    }


def run_connectorx(size: Size, backend: str) -> dict[str, Any]:
    """``SELECT *`` of every table into pyarrow Tables through connectorx."""
    began = time.perf_counter()
    import connectorx

    imported = time.perf_counter() - began
    rss_import = current_rss_mb()
    if backend == "sqlite":
        conn = f"sqlite://{size.sqlite_path}"
    else:
        conn = f"postgresql://postgres@127.0.0.1:5432/{size.pg_database}"
    cpu_began = cpu_seconds()
    began = time.perf_counter()
    tables = [
        connectorx.read_sql(conn, f"SELECT * FROM {table}", return_type="arrow")
        for table in DATA_TABLES
    ]
    seconds = time.perf_counter() - began
    cpu = cpu_seconds() - cpu_began
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "import_seconds": imported,
        "rss_after_import_mb": rss_import,
        "rows": sum(t.num_rows for t in tables),
    }


def measure(method: str, size: Size, backend: str, only: str | None = None) -> dict[str, Any]:
    """Run ``method`` once in this process and return its measurement.

    ``cpu_seconds`` is this process's CPU time over the measured work (not the database
    server's): less sensitive than wall time to other load on the machine.
    """
    timer = PhaseTimer()
    if method == "hpo-tui":
        result = run_hpo_tui(size, backend, timer)  # phases exclusive: "other" = not listed
    elif method == "optuna":
        result = run_optuna(size, backend, only)
    elif method == "raw-star":
        result = run_raw(size, backend, [f"SELECT * FROM {t}" for t in DATA_TABLES])
    elif method == "raw-cols":
        result = run_raw(size, backend, HPO_TUI_SELECTS)
    elif method == "adbc":
        result = run_adbc(size, backend)
    elif method == "connectorx":
        result = run_connectorx(size, backend)
    else:
        raise ValueError(f"unknown method {method!r}")
    result.setdefault("peak_rss_mb", peak_rss_mb())
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``METHOD BACKEND SIZE [--study NAME]``; prints one JSON line."""
    parser = argparse.ArgumentParser(description="One benchmark measurement (JSON on stdout).")
    parser.add_argument("method", choices=METHODS)
    parser.add_argument("backend", choices=["sqlite", "postgresql"])
    parser.add_argument("size", type=Size.parse)
    parser.add_argument("--study", default=None, help="optuna only: read this study alone")
    args = parser.parse_args(argv)
    result = measure(args.method, args.size, args.backend, args.study)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
