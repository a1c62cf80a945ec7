"""Build synthetic Optuna storages of S studies x T trials x N steps, in Optuna's real schema.

The schema, the studies and their directions are created by Optuna itself
(``optuna.create_study`` on an ``RDBStorage``); the trials and everything hanging off them are
then bulk-inserted in ONE transaction with ``executemany`` (SQLite, MySQL/MariaDB) or
``COPY`` (PostgreSQL), in exactly the representation Optuna 5
writes:

- ``trials``: mostly COMPLETE, some PRUNED (stopped early) and FAIL (diverged: the last reported
  value is NaN or +inf); naive UTC datetimes (SQLite: ``YYYY-MM-DD HH:MM:SS.ffffff`` strings);
- ``trial_values``: one FINITE value for COMPLETE and PRUNED trials (a pruned trial's value is
  its last intermediate value), none for FAIL;
- ``trial_params``: ``learning_rate`` (float, log), ``n_layers`` (int), ``optimizer``
  (categorical, stored as the index of the choice) with ``distribution_to_json`` JSON;
- ``trial_intermediate_values``: one row per reported step, ``intermediate_value_type`` FINITE,
  or NAN / INF_POS with a NULL value for the diverged trials' last step;
- ``trial_user_attributes``: ``train_losses`` and ``val_losses``, ``json.dumps`` of a list with
  one float per reported step (bare ``NaN``/``Infinity`` tokens included, as Python writes);
  none for the ``-iv`` sizes (intermediate values only, e.g. ``12x5000x100-iv``).

SQLite rows go in with ``executemany``; PostgreSQL rows with ``COPY ... FROM STDIN`` (CSV
written by the ``csv`` module; floats as ``repr``, i.e. exactly); MySQL/MariaDB rows with
PyMySQL's ``executemany`` (multi-row ``INSERT``s, floats as ``repr``). Optuna's MySQL schema
keeps datetimes to whole seconds (``DATETIME``): the server drops the fractions.

Storages are cached under ``bench/.cache/`` (SQLite) or in the database
``hpo_tui_bench_<size>`` on the local PostgreSQL server (127.0.0.1:5432) or MariaDB server
(127.0.0.1:3306, root), keyed by size.

Usage::

    .venv/bin/python bench/generate.py [--sizes 12x50x100]
                                       [--backend sqlite|postgresql|mysql|both|all]
                                       [--force] [--drop] [--check]

(``both``: SQLite and PostgreSQL; ``all``: the three.)

``--check`` builds a small storage and compares what Optuna's public API
(``optuna.load_study(...).get_trials()``) returns with what was inserted.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from common import (
    BUDGETS,
    CACHE_DIR,
    HORIZONS,
    MY_HOST,
    MY_PORT,
    MY_USER,
    PG_ADMIN_DB,
    Size,
    parse_backends,
    parse_sizes,
    pg_dsn,
    study_names,
)

SEED = 20261125
OPTIMIZERS = ("adam", "sgd", "rmsprop")
STATE_WEIGHTS = {"COMPLETE": 0.80, "PRUNED": 0.14, "FAIL": 0.06}
CHECK_SIZES = (Size(3, 40, 12), Size(3, 40, 12, list_attrs=False))

_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # what SQLAlchemy's DateTime writes into SQLite
_EPOCH = datetime(2026, 1, 5, 8, 0, 0)  # naive UTC, like Optuna 5 stores


@dataclass
class StudyData:
    """The trials of one study, as arrays (row ``i`` is trial number ``i``)."""

    name: str
    states: list[str]
    n_steps: np.ndarray  # (T,) reported steps per trial
    val: np.ndarray  # (T, N) validation loss; the intermediate values; NaN past n_steps
    train: np.ndarray  # (T, N) training loss
    values: np.ndarray  # (T,) objective value, NaN when the trial has none (FAIL)
    learning_rate: np.ndarray  # (T,)
    n_layers: np.ndarray  # (T,) int
    optimizer: np.ndarray  # (T,) index into OPTIMIZERS
    start: list[datetime]  # naive UTC
    complete: list[datetime]  # naive UTC


def _distributions() -> dict[str, Any]:
    """The three search-space distributions, as Optuna objects."""
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    return {
        "learning_rate": FloatDistribution(1e-5, 1e-1, log=True),
        "n_layers": IntDistribution(1, 8),
        "optimizer": CategoricalDistribution(OPTIMIZERS),
    }


def make_study(size: Size, index: int, name: str) -> StudyData:
    """Deterministic synthetic trials of study number ``index`` (vectorized, no Optuna)."""
    rng = np.random.default_rng([SEED, size.studies, size.trials, size.steps, index])
    t, n = size.trials, size.steps
    names = list(STATE_WEIGHTS)
    state_idx = rng.choice(len(names), size=t, p=list(STATE_WEIGHTS.values()))
    states = [names[i] for i in state_idx]

    n_steps = np.full(t, n, dtype=np.int64)
    pruned = state_idx == names.index("PRUNED")
    failed = state_idx == names.index("FAIL")
    n_steps[pruned] = rng.integers(max(1, n // 10), max(1, n // 2) + 1, size=int(pruned.sum()))
    n_steps[failed] = rng.integers(max(1, n // 5), n + 1, size=int(failed.sum()))

    learning_rate = np.exp(rng.uniform(np.log(1e-5), np.log(1e-1), size=t))
    n_layers = rng.integers(1, 9, size=t)
    optimizer = rng.integers(0, len(OPTIMIZERS), size=t)

    budget_rank = (index % (len(BUDGETS) * len(HORIZONS))) // len(HORIZONS)  # see study_names
    floor = 0.2 + 0.05 * budget_rank + 0.1 * rng.random(t)
    rate = 0.5 + 4.0 * (np.log10(learning_rate) + 5.0) / 4.0 + 0.1 * n_layers
    steps = np.arange(n, dtype=float) / max(1, n - 1)
    decay = np.exp(-np.outer(rate, steps) * 3.0)
    val = floor[:, None] + (1.0 + rng.random(t))[:, None] * decay
    val = val + 0.01 * rng.standard_normal((t, n))
    train = val * (0.85 + 0.1 * rng.random(t))[:, None] - 0.01 * rng.random((t, n))

    # Diverged (FAIL) trials blow up over their last few steps, ending in NaN or +inf.
    for row in np.flatnonzero(failed):
        last = int(n_steps[row]) - 1
        blow = max(0, last - 3)
        growth = 10.0 ** np.arange(1, last - blow + 1)
        val[row, blow:last] *= growth[: last - blow]
        train[row, blow:last] *= growth[: last - blow]
        val[row, last] = np.nan if rng.random() < 0.5 else np.inf
        train[row, last] = val[row, last]
    mask = np.arange(n)[None, :] >= n_steps[:, None]
    val[mask] = np.nan
    train[mask] = np.nan

    values = val[np.arange(t), n_steps - 1].copy()
    values[failed] = np.nan

    durations = n_steps * rng.uniform(0.5, 2.0, size=t)
    gaps = rng.uniform(0.01, 0.5, size=t)
    offsets = np.concatenate([[0.0], np.cumsum(durations + gaps)[:-1]])
    base = _EPOCH + timedelta(days=index)
    start = [base + timedelta(seconds=float(s)) for s in offsets]
    complete = [s + timedelta(seconds=float(d)) for s, d in zip(start, durations, strict=True)]
    return StudyData(
        name=name,
        states=states,
        n_steps=n_steps,
        val=val,
        train=train,
        values=values,
        learning_rate=learning_rate,
        n_layers=n_layers,
        optimizer=optimizer,
        start=start,
        complete=complete,
    )


def _stored(value: float) -> tuple[float | None, str]:
    """Optuna's stored representation of an intermediate value (value, type)."""
    if math.isnan(value):
        return None, "NAN"
    if value == math.inf:
        return None, "INF_POS"
    if value == -math.inf:
        return None, "INF_NEG"
    return value, "FINITE"


@dataclass
class Rows:
    """Rows to insert, per table, in the column order of :data:`INSERTS`."""

    trials: list[tuple[Any, ...]]
    trial_values: list[tuple[Any, ...]]
    trial_params: list[tuple[Any, ...]]
    trial_intermediate_values: list[tuple[Any, ...]]
    trial_user_attributes: list[tuple[Any, ...]]

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        return {name: len(rows) for name, rows in vars(self).items()}


INSERTS = {
    "trials": ("trial_id", "number", "study_id", "state", "datetime_start", "datetime_complete"),
    "trial_values": ("trial_id", "objective", "value", "value_type"),
    "trial_params": ("trial_id", "param_name", "param_value", "distribution_json"),
    "trial_intermediate_values": (
        "trial_id",
        "step",
        "intermediate_value",
        "intermediate_value_type",
    ),
    "trial_user_attributes": ("trial_id", '"key"', "value_json"),
}


def build_rows(
    studies: Sequence[tuple[int, StudyData]],
    first_trial_id: int,
    datetimes_as_text: bool,
    list_attrs: bool = True,
) -> Rows:
    """All rows of every study; ``studies`` pairs each study's ``study_id`` with its data.

    ``list_attrs=False`` leaves out the ``train_losses``/``val_losses`` user attrs.
    """
    from optuna.distributions import distribution_to_json

    dists = _distributions()
    dist_json = {name: distribution_to_json(d) for name, d in dists.items()}
    rows = Rows([], [], [], [], [])
    trial_id = first_trial_id

    def when(moment: datetime) -> Any:
        return moment.strftime(_DATETIME_FORMAT) if datetimes_as_text else moment

    for study_id, data in studies:
        for number, state in enumerate(data.states):
            k = int(data.n_steps[number])
            rows.trials.append(
                (
                    trial_id,
                    number,
                    study_id,
                    state,
                    when(data.start[number]),
                    when(data.complete[number]),
                )
            )
            if state != "FAIL":
                rows.trial_values.append((trial_id, 0, float(data.values[number]), "FINITE"))
            rows.trial_params.extend(
                (
                    (
                        trial_id,
                        "learning_rate",
                        float(data.learning_rate[number]),
                        dist_json["learning_rate"],
                    ),
                    (trial_id, "n_layers", float(data.n_layers[number]), dist_json["n_layers"]),
                    (trial_id, "optimizer", float(data.optimizer[number]), dist_json["optimizer"]),
                )
            )
            val = data.val[number, :k].tolist()
            train = data.train[number, :k].tolist() if list_attrs else []
            if math.isfinite(val[-1]):
                rows.trial_intermediate_values.extend(
                    zip([trial_id] * k, range(k), val, ["FINITE"] * k, strict=True)
                )
            else:
                rows.trial_intermediate_values.extend(
                    (trial_id, step, *_stored(v)) for step, v in enumerate(val)
                )
            if list_attrs:
                rows.trial_user_attributes.append((trial_id, "train_losses", json.dumps(train)))
                rows.trial_user_attributes.append((trial_id, "val_losses", json.dumps(val)))
            trial_id += 1
    return rows


def expected_trial(data: StudyData, number: int, list_attrs: bool = True) -> dict[str, Any]:
    """What Optuna should return for trial ``number`` of ``data`` (datetimes aware UTC)."""
    k = int(data.n_steps[number])
    val = data.val[number, :k].tolist()
    return {
        "number": number,
        "state": data.states[number],
        "value": None if data.states[number] == "FAIL" else float(data.values[number]),
        "params": {
            "learning_rate": float(data.learning_rate[number]),
            "n_layers": int(data.n_layers[number]),
            "optimizer": OPTIMIZERS[int(data.optimizer[number])],
        },
        "intermediate_values": dict(enumerate(val)),
        "user_attrs": {
            "train_losses": data.train[number, :k].tolist(),
            "val_losses": val,
        }
        if list_attrs
        else {},
        "datetime_start": data.start[number].replace(tzinfo=UTC),
        "datetime_complete": data.complete[number].replace(tzinfo=UTC),
    }


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def _create_studies(url: str, names: Sequence[str]) -> None:
    """Create the schema and the (empty) studies with Optuna's own API."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = optuna.storages.RDBStorage(url)
    try:
        for name in names:
            study = optuna.create_study(storage=storage, study_name=name, direction="minimize")
            study.set_user_attr("generator", "hpo-tui bench/generate.py")
    finally:
        storage.remove_session()
        storage.engine.dispose()


def _insert_sql(table: str, placeholder: str, quote: str = '"') -> str:
    columns = [c.replace('"', quote) for c in INSERTS[table]]  # MySQL quotes with backticks
    marks = ", ".join([placeholder] * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"


def _study_data(size: Size, ids: dict[str, int]) -> list[tuple[int, StudyData]]:
    return [
        (ids[name], make_study(size, index, name))
        for index, name in enumerate(study_names(size.studies))
    ]


def _trial_rows(
    cur: Any, size: Size, datetimes_as_text: bool
) -> tuple[list[tuple[int, StudyData]], Rows]:
    """The studies Optuna created in ``cur``'s database and the rows of their trials, trial
    ids from the first free one."""
    cur.execute("SELECT study_name, study_id FROM studies")
    studies = _study_data(size, {str(k): int(v) for k, v in cur.fetchall()})
    cur.execute("SELECT COALESCE(MAX(trial_id), 0) + 1 FROM trials")
    first = int(cur.fetchone()[0])
    rows = build_rows(
        studies, first, datetimes_as_text=datetimes_as_text, list_attrs=size.list_attrs
    )
    return studies, rows


def _holds_every_trial(conn: Any, size: Size) -> bool:
    """True when the database of ``conn`` holds every study and trial of ``size``."""
    with conn.cursor() as cur:
        cur.execute("SELECT (SELECT COUNT(*) FROM studies), (SELECT COUNT(*) FROM trials)")
        studies, trials = cur.fetchone()
    return bool(studies == size.studies and trials == size.n_trials)


def _ensure_database(
    size: Size,
    backend: str,
    url: str,
    complete: Callable[[Size], bool],
    write: Callable[[Size], tuple[list[tuple[int, StudyData]], Rows]],
    force: bool,
) -> str:
    """``url``, after writing ``size`` there with ``write`` unless ``complete(size)``."""
    if force or not complete(size):
        began = time.perf_counter()
        _, rows = write(size)
        _report(size, backend, rows, time.perf_counter() - began, url)
    return url


def write_sqlite(size: Size, path: Path) -> tuple[list[tuple[int, StudyData]], Rows]:
    """Create a complete storage of ``size`` in the new SQLite file ``path``."""
    names = study_names(size.studies)
    _create_studies(f"sqlite:///{path}", names)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")  # this connection only; the file is temporary
        studies, rows = _trial_rows(conn.cursor(), size, datetimes_as_text=True)
        conn.execute("BEGIN")
        for table in INSERTS:
            conn.executemany(_insert_sql(table, "?"), getattr(rows, table))
        conn.execute("COMMIT")
    finally:
        conn.close()
    return studies, rows


def ensure_sqlite(size: Size, force: bool = False) -> Path:
    """The cached SQLite storage of ``size``, generated first when missing (or ``force``)."""
    path = size.sqlite_path
    if path.exists() and not force:
        return path
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    began = time.perf_counter()
    _, rows = write_sqlite(size, tmp)
    tmp.replace(path)
    _report(size, "sqlite", rows, time.perf_counter() - began, str(path))
    return path


@contextmanager
def _cursor_of(connect: Callable[[], Any]) -> Iterator[Any]:
    """A cursor on a fresh connection ``connect()`` (a server's admin), closed afterwards."""
    conn = connect()
    try:
        with conn.cursor() as cur:
            yield cur
    finally:
        conn.close()


def _complete_at(connect: Callable[[], Any], error: type[Exception], size: Size) -> bool:
    """Whether the database ``connect()`` opens holds every study and trial of ``size``
    (False when it cannot be opened or read: ``error``, the driver's base exception)."""
    try:
        conn = connect()
    except error:
        return False
    try:
        return _holds_every_trial(conn, size)
    except error:
        return False
    finally:
        conn.close()


def _admin() -> Any:
    import psycopg2

    conn = psycopg2.connect(pg_dsn(PG_ADMIN_DB))
    conn.autocommit = True
    return conn


def _pg_complete(size: Size) -> bool:
    """True when this size's database exists and holds every study and trial."""
    import psycopg2

    with _cursor_of(_admin) as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (size.pg_database,))
        if cur.fetchone() is None:
            return False
    return _complete_at(lambda: psycopg2.connect(size.pg_dsn), psycopg2.Error, size)


def drop_postgresql(size: Size) -> bool:
    """Drop this size's database; True when it existed."""
    with _cursor_of(_admin) as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (size.pg_database,))
        existed = cur.fetchone() is not None
        cur.execute(f'DROP DATABASE IF EXISTS "{size.pg_database}" WITH (FORCE)')
    return existed


def write_postgresql(size: Size) -> tuple[list[tuple[int, StudyData]], Rows]:
    """(Re)create this size's database and fill it (studies by Optuna, trials in bulk)."""
    import psycopg2

    drop_postgresql(size)
    with _cursor_of(_admin) as cur:
        cur.execute(f'CREATE DATABASE "{size.pg_database}"')
    _create_studies(size.pg_url, study_names(size.studies))
    conn = psycopg2.connect(size.pg_dsn)
    try:
        with conn.cursor() as cur:  # one transaction, committed below
            studies, rows = _trial_rows(cur, size, datetimes_as_text=False)
            for table in INSERTS:
                _copy(cur, table, getattr(rows, table))
            # trial ids were given explicitly: move the serial on, as Optuna's inserts would.
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('trials', 'trial_id'), MAX(trial_id)) "
                "FROM trials"
            )
        conn.commit()
    finally:
        conn.close()
    conn = psycopg2.connect(size.pg_dsn)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("VACUUM (FREEZE, ANALYZE)")  # set hint bits now, not in the first read
    finally:
        conn.close()
    return studies, rows


def _copy(cur: Any, table: str, rows: Sequence[tuple[Any, ...]], chunk: int = 500_000) -> None:
    """``COPY table FROM STDIN`` in CSV: an empty unquoted field is NULL, floats by ``repr``."""
    columns = ", ".join(INSERTS[table])
    sql = f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)"
    for begin in range(0, len(rows), chunk):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows(
            tuple(
                "" if v is None else v.isoformat(" ") if isinstance(v, datetime) else v for v in row
            )
            for row in rows[begin : begin + chunk]
        )
        buffer.seek(0)
        cur.copy_expert(sql, buffer)


def ensure_postgresql(size: Size, force: bool = False) -> str:
    """The URL of this size's database, generated first when missing (or ``force``)."""
    return _ensure_database(size, "postgresql", size.pg_url, _pg_complete, write_postgresql, force)


def _mysql(database: str | None = None) -> Any:
    import pymysql

    return pymysql.connect(
        host=MY_HOST,
        port=MY_PORT,
        user=MY_USER,
        password="",
        database=database,
        autocommit=database is None,
        connect_timeout=5,
    )


def _mysql_complete(size: Size) -> bool:
    """True when this size's MySQL database exists and holds every study and trial."""
    import pymysql

    return _complete_at(lambda: _mysql(size.mysql_database), pymysql.Error, size)


def drop_mysql(size: Size) -> bool:
    """Drop this size's MySQL database; True when it existed."""
    with _cursor_of(_mysql) as cur:
        existed = bool(cur.execute("SHOW DATABASES LIKE %s", (size.mysql_database,)))
        cur.execute(f"DROP DATABASE IF EXISTS `{size.mysql_database}`")
    return existed


def write_mysql(size: Size) -> tuple[list[tuple[int, StudyData]], Rows]:
    """(Re)create this size's MySQL database and fill it (studies by Optuna, trials in bulk)."""
    drop_mysql(size)
    with _cursor_of(_mysql) as cur:
        cur.execute(f"CREATE DATABASE `{size.mysql_database}`")
    _create_studies(size.mysql_url, study_names(size.studies))
    conn = _mysql(size.mysql_database)
    try:
        with conn.cursor() as cur:  # one transaction, committed below
            studies, rows = _trial_rows(cur, size, datetimes_as_text=False)
            for table in INSERTS:
                sql = _insert_sql(table, "%s", quote="`")
                table_rows = getattr(rows, table)
                for begin in range(0, len(table_rows), 50_000):  # statements < max packet
                    cur.executemany(sql, table_rows[begin : begin + 50_000])
        conn.commit()
    finally:
        conn.close()
    return studies, rows


def ensure_mysql(size: Size, force: bool = False) -> str:
    """The URL of this size's MySQL database, generated first when missing (or ``force``)."""
    return _ensure_database(size, "mysql", size.mysql_url, _mysql_complete, write_mysql, force)


def ensure(size: Size, backend: str, force: bool = False) -> str:
    """What hpo-tui is given for ``size`` on ``backend``: a file path or a database URL."""
    if backend == "sqlite":
        return str(ensure_sqlite(size, force))
    if backend == "mysql":
        return ensure_mysql(size, force)
    return ensure_postgresql(size, force)


def _report(size: Size, backend: str, rows: Rows, seconds: float, where: str) -> None:
    counts = ", ".join(f"{k} {v:,}" for k, v in rows.counts().items())
    print(
        f"generated {size.label} on {backend} in {seconds:.1f} s ({counts}) → {where}",
        file=sys.stderr,
    )


# ---------------------------------------------------------------------------------------------
# Verification through Optuna's public API
# ---------------------------------------------------------------------------------------------


def _same_float(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return (math.isnan(a) and math.isnan(b)) or a == b


def _same_list(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(_same_float(x, y) for x, y in zip(a, b, strict=True))


def compare_trial(frozen: Any, expected: dict[str, Any], whole_seconds: bool = False) -> list[str]:
    """Differences between an Optuna ``FrozenTrial`` and :func:`expected_trial`'s dict
    (``whole_seconds``: the storage drops the fractions of datetimes, as MySQL's schema)."""
    if whole_seconds:
        expected = {
            **expected,
            "datetime_start": expected["datetime_start"].replace(microsecond=0),
            "datetime_complete": expected["datetime_complete"].replace(microsecond=0),
        }
    problems = []
    got_dists = {name: type(d).__name__ for name, d in frozen.distributions.items()}
    want_dists = {name: type(d).__name__ for name, d in _distributions().items()}
    checks = {
        "number": frozen.number == expected["number"],
        "state": frozen.state.name == expected["state"],
        "value": _same_float(frozen.value, expected["value"]),
        "params": frozen.params == expected["params"]
        and type(frozen.params["n_layers"]) is int
        and type(frozen.params["optimizer"]) is str,
        "distributions": got_dists == want_dists and frozen.distributions == _distributions(),
        "intermediate_values": sorted(frozen.intermediate_values)
        == sorted(expected["intermediate_values"])
        and all(
            _same_float(frozen.intermediate_values[s], v)
            for s, v in expected["intermediate_values"].items()
        ),
        "user_attrs": set(frozen.user_attrs) == set(expected["user_attrs"])
        and all(_same_list(frozen.user_attrs[k], v) for k, v in expected["user_attrs"].items()),
        "datetime_start": frozen.datetime_start is not None
        and frozen.datetime_start.astimezone(UTC) == expected["datetime_start"],
        "datetime_complete": frozen.datetime_complete is not None
        and frozen.datetime_complete.astimezone(UTC) == expected["datetime_complete"],
    }
    for field_name, ok in checks.items():
        if not ok:
            problems.append(f"trial {expected['number']}: {field_name} differs")
    return problems


def check(backend: str, size: Size) -> list[str]:
    """Build a small storage of ``size`` on ``backend`` and compare trials read back by Optuna.

    For every study, the first COMPLETE, PRUNED and FAIL trial (and the last trial) are
    compared field by field with ``optuna.load_study(...).get_trials()``; hpo-tui's
    ``load_campaign`` must also see every trial and every curve point.
    """
    import tempfile

    import optuna

    with tempfile.TemporaryDirectory() as tmp:
        if backend == "sqlite":
            path = Path(tmp) / "check.db"
            studies, rows = write_sqlite(size, path)
            url = f"sqlite:///{path}"
            spec = str(path)
        elif backend == "mysql":
            studies, rows = write_mysql(size)
            url = spec = size.mysql_url
        else:
            studies, rows = write_postgresql(size)
            url = spec = size.pg_url
        problems: list[str] = []
        storage = optuna.storages.RDBStorage(url)
        compared = 0
        try:
            for _study_id, data in studies:
                trials = optuna.load_study(study_name=data.name, storage=storage).get_trials()
                if len(trials) != size.trials:
                    problems.append(f"{data.name}: {len(trials)} trials, not {size.trials}")
                    continue
                picks = {data.states.index(s) for s in STATE_WEIGHTS if s in data.states}
                picks.add(size.trials - 1)
                for number in sorted(picks):
                    found = compare_trial(
                        trials[number],
                        expected_trial(data, number, size.list_attrs),
                        whole_seconds=backend == "mysql",
                    )
                    problems.extend(f"{data.name} {p}" for p in found)
                    compared += 1
        finally:
            storage.remove_session()
            storage.engine.dispose()

        from hpo_tui.core import load_campaign

        campaign = load_campaign([spec])
        if len(campaign.trials) != size.n_trials:
            problems.append(f"hpo-tui sees {len(campaign.trials)} trials, not {size.n_trials}")
        n_curve = rows.counts()["trial_intermediate_values"] + sum(
            len(json.loads(r[2])) for r in rows.trial_user_attributes
        )
        if len(campaign.curves) != n_curve:
            problems.append(f"hpo-tui sees {len(campaign.curves)} curve points, not {n_curve}")
        print(
            f"check {backend}: {size.label}, {compared} trials compared field by field with "
            f"optuna.load_study().get_trials(), hpo-tui load_campaign row counts: "
            f"{'OK' if not problems else 'FAILED'}"
        )
    if backend == "postgresql":
        drop_postgresql(size)
    if backend == "mysql":
        drop_mysql(size)
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: generate (default), ``--drop`` or ``--check``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="12x50x100,12x2000x100")
    parser.add_argument(
        "--backend", default="sqlite", choices=["sqlite", "postgresql", "mysql", "both", "all"]
    )
    parser.add_argument("--force", action="store_true", help="regenerate even when cached")
    parser.add_argument(
        "--drop", action="store_true", help="drop the databases / delete the cached files"
    )
    parser.add_argument(
        "--check", action="store_true", help="verify a small storage through Optuna's API"
    )
    args = parser.parse_args(argv)
    backends = (
        ["mysql"]
        if args.backend == "mysql"
        else ["sqlite", "postgresql", "mysql"]
        if args.backend == "all"
        else parse_backends(args.backend)
    )
    if args.check:
        problems = [p for backend in backends for size in CHECK_SIZES for p in check(backend, size)]
        for problem in problems:
            print(f"  {problem}")
        return 1 if problems else 0
    for size in parse_sizes(args.sizes):
        for backend in backends:
            if args.drop:
                if backend == "sqlite":
                    existed = size.sqlite_path.exists()
                    size.sqlite_path.unlink(missing_ok=True)
                elif backend == "mysql":
                    existed = drop_mysql(size)
                else:
                    existed = drop_postgresql(size)
                print(f"{size.label} {backend}: {'dropped' if existed else 'absent'}")
            else:
                print(f"{size.label} {backend}: {ensure(size, backend, force=args.force)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
