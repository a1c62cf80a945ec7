"""Bulk, read-only reader of Optuna's RDB schema (SQLite, PostgreSQL, MySQL/MariaDB).

One short read-only transaction runs a handful of ``SELECT``s over whole tables (not one query
per trial), decoding Optuna's encodings exactly: value types FINITE/INF_POS/INF_NEG/NAN, params
as internal float + distribution JSON, attrs as Python-flavoured JSON. SQLite is opened through
a read-only URI (``mode=ro``), so SQLite itself refuses any write; servers get a read-only
transaction. No table is created, no schema is migrated or stamped.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import sqlite3
import sys
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd

from hpo_tui.core.errors import SourceError
from hpo_tui.core.storage.raw import (
    ATTR_COLUMNS,
    HEARTBEAT_COLUMNS,
    PARAM_COLUMNS,
    STUDY_COLUMNS,
    TRIAL_COLUMNS,
    VALUE_COLUMNS,
    RawTables,
    decode_attr_texts,
    decoded,
    external_param_values,
    frame,
    no_heartbeats,
    raw_from_frozen,
    to_utc,
)
from hpo_tui.core.storage.sources import Source, SourceKind

OPTUNA_TABLES = {
    "studies",
    "study_directions",
    "trials",
    "trial_params",
    "trial_values",
    "trial_intermediate_values",
    "trial_user_attributes",
    "trial_system_attributes",
    "study_user_attributes",
    "study_system_attributes",
}


@dataclass(frozen=True)
class SchemaLayout:
    """Which encoding columns a schema head has."""

    value_type: bool
    intermediate_value_type: bool


# Heads whose layout is known (Optuna 2.4 – 5.x). Others go through Optuna's own API.
KNOWN_HEADS = {
    "v2.4.0.a": SchemaLayout(value_type=False, intermediate_value_type=False),
    "v2.6.0.a": SchemaLayout(value_type=False, intermediate_value_type=False),
    "v3.0.0.a": SchemaLayout(value_type=False, intermediate_value_type=False),
    "v3.0.0.b": SchemaLayout(value_type=False, intermediate_value_type=False),
    "v3.0.0.c": SchemaLayout(value_type=False, intermediate_value_type=True),
    "v3.0.0.d": SchemaLayout(value_type=True, intermediate_value_type=True),
    "v3.2.0.a": SchemaLayout(value_type=True, intermediate_value_type=True),
}

_SPECIAL_FLOATS = {"INF_POS": np.inf, "INF_NEG": -np.inf, "NAN": np.nan}


def sqlite_readonly_uri(path: str) -> str:
    """A ``file:`` URI that makes SQLite refuse every write to ``path``.

    A WAL-mode database without a ``-wal`` file (no writer has it open) is opened
    ``immutable``: a read-only connection would otherwise create ``-wal`` and ``-shm`` files
    beside it and leave them there. With a ``-wal`` file present, its content must be read,
    so the normal read-only mode (which uses the existing ``-shm``) is kept.
    """
    uri = f"file:{quote(path)}?mode=ro"
    if _is_wal(path) and not os.path.exists(path + "-wal"):
        uri += "&immutable=1"
    return uri


def _is_wal(path: str) -> bool:
    """True when the database header says WAL mode (file format versions 2 at 18 and 19)."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return len(header) == 20 and header[18] == 2 and header[19] == 2


def _adbc_driver(module: str, switch: str, off: str) -> Any:
    """The DB-API module of an ADBC driver (``hpo-tui[fast]``): None when it is not
    installed or the environment variable ``switch`` says ``off``."""
    if os.environ.get(switch, "").lower() == off:
        return None
    try:
        return importlib.import_module(f"{module}.dbapi")
    except ImportError:
        return None


def _adbc_sqlite() -> Any:
    """The ADBC SQLite driver: result sets straight into Arrow columns, about twice as fast
    as building a Python tuple per row; ``HPO_TUI_SQLITE_DRIVER=sqlite3`` forces the
    standard library."""
    return _adbc_driver("adbc_driver_sqlite", "HPO_TUI_SQLITE_DRIVER", "sqlite3")


def _adbc_postgresql() -> Any:
    """The ADBC PostgreSQL driver: the large tables as binary ``COPY`` straight into Arrow
    columns; ``HPO_TUI_PG_BULK_READER=copy`` forces the text ``COPY`` through psycopg2."""
    return _adbc_driver("adbc_driver_postgresql", "HPO_TUI_PG_BULK_READER", "copy")


def _connectorx() -> Any:
    """connectorx (``hpo-tui[fast]``): MySQL/MariaDB result sets straight into Arrow columns,
    about seven times as fast as PyMySQL's rows; ``HPO_TUI_MYSQL_BULK_READER=pymysql`` forces
    PyMySQL. None when not installed."""
    if os.environ.get("HPO_TUI_MYSQL_BULK_READER", "").lower() == "pymysql":
        return None
    try:
        return importlib.import_module("connectorx")
    except ImportError:
        return None


def connectorx_url(location: str) -> str | None:
    """connectorx's URL for a SQLAlchemy MySQL URL (the driver name dropped), or None for a
    URL with query options: connectorx does not take SQLAlchemy's, and they may matter (TLS)."""
    scheme, _, rest = location.partition("://")
    if scheme.lower().split("+")[0] not in ("mysql", "mariadb") or "?" in rest:
        return None
    return f"mysql://{rest}"


def _mysql_bulk_target(location: str) -> BulkTarget | None:
    if _connectorx() is None:
        return None
    url = connectorx_url(location)
    return BulkTarget(url) if url is not None else None


@dataclass(frozen=True)
class BulkTarget:
    """Where the bulk connection goes: a libpq URI (PostgreSQL) or a connectorx URL
    (MySQL/MariaDB), password included (never shown)."""

    uri: str = field(repr=False)


def libpq_uri(location: str) -> str:
    """The libpq URI of a SQLAlchemy PostgreSQL URL: the driver name dropped, a 5 s connect
    timeout unless one is given. libpq reads the rest of such a URL as SQLAlchemy does
    (percent-decoded user info, query parameters passed to libpq)."""
    scheme, _, rest = location.partition("://")
    if scheme.lower().split("+")[0] not in _PG_SCHEMES:
        raise ValueError("not a PostgreSQL URL")
    path, mark, query = rest.partition("?")
    names = {item.partition("=")[0] for item in query.split("&")} if mark else set()
    if "connect_timeout" not in names:
        query = f"{query}&connect_timeout=5" if query else "connect_timeout=5"
    return f"postgresql://{path}?{query}"


_PG_SCHEMES = ("postgres", "postgresql")
_PG_READ_ONLY = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
_SNAPSHOT_ID = re.compile(r"^[0-9A-Fa-f]+-[0-9A-Fa-f]+(?:-[0-9]+)?$")


def _stdlib_sqlite(source: Source) -> sqlite3.Connection:
    """A read-only connection through Python's ``sqlite3`` (autocommit: we BEGIN ourselves)."""
    conn = sqlite3.connect(
        sqlite_readonly_uri(source.location), uri=True, timeout=5.0, isolation_level=None
    )
    conn.execute("PRAGMA query_only = 1")
    return conn


@contextmanager
def _sqlite_connection(source: Source) -> Iterator[tuple[Any, str, BulkTarget | None]]:
    adbc = _adbc_sqlite()
    conn = _adbc_connection(source, adbc) if adbc is not None else None
    if conn is None:
        try:
            conn = _stdlib_sqlite(source)
        except sqlite3.Error as exc:
            raise SourceError(source.display, f"cannot open SQLite database ({exc})") from None
    try:
        yield conn, "sqlite", None
    finally:
        conn.close()


def _adbc_connection(source: Source, adbc: Any) -> Any:
    """A read-only ADBC connection, or ``None`` when the driver cannot open the file: then
    ``sqlite3`` opens it, and reports the problem if there is one."""
    try:
        conn = adbc.connect(sqlite_readonly_uri(source.location), autocommit=True)
    except Exception:
        return None
    try:
        cursor = conn.cursor()
        cursor.execute("PRAGMA query_only = 1")
        cursor.execute("PRAGMA busy_timeout = 5000")  # as sqlite3's timeout=5.0
        cursor.close()
    except Exception:
        conn.close()
        return None
    return conn


def _server_url(location: str) -> str:
    """Pick an installed driver when the URL names none (SQLAlchemy 2.1 defaults to psycopg 3)."""
    import importlib.util

    scheme, _, rest = location.partition("://")
    scheme = scheme.lower()
    if scheme in ("mysql", "mariadb", "mariadb+pymysql"):
        return f"mysql+pymysql://{rest}"
    if scheme in ("postgres", "postgresql"):
        driver = "psycopg" if importlib.util.find_spec("psycopg") else "psycopg2"
        return f"postgresql+{driver}://{rest}"
    return location


def server_problem(exc: BaseException) -> str:
    """A one-line, password-free description of a database driver error."""
    known = _known_server_problem(exc)
    if known is not None:
        return known
    text = str(getattr(exc, "orig", None) or exc)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return first[:200]


def _known_server_problem(exc: BaseException) -> str | None:
    """The usual connection failures, in words of our own (``None`` for anything else)."""
    lowered = str(getattr(exc, "orig", None) or exc).lower()
    if "password authentication failed" in lowered or "access denied" in lowered:
        return "authentication failed (wrong user or password)"
    if "role" in lowered and "does not exist" in lowered:
        return "authentication failed (no such user)"
    if ("does not exist" in lowered and "database" in lowered) or "unknown database" in lowered:
        return "database does not exist"
    if (
        "connection refused" in lowered
        or "can't connect" in lowered
        or "could not connect" in (lowered)
    ):
        return "server not reachable (connection refused)"
    if "timeout" in lowered or "timed out" in lowered:
        return "server not reachable (timed out)"
    return None


def _psycopg2_connection(source: Source) -> Any:
    """A psycopg2 connection made by psycopg2 itself, or ``None``: then SQLAlchemy opens the
    URL, as it always did. Importing SQLAlchemy and building an engine cost ≈ 0.25 s, a
    large part of a small campaign's load.

    Only for URLs that libpq reads as SQLAlchemy does: a ``postgresql``/``postgres`` scheme
    (psycopg2 or no driver named) and no ``/``, ``?`` or ``#`` in the user info (SQLAlchemy
    allows them in a password, libpq ends the host part there). A failure other than the
    usual ones (wrong password, no database, no server) also goes to SQLAlchemy: libpq's
    message may quote any part of the URL, the password included.
    """
    scheme, _, rest = source.location.partition("://")
    userinfo = rest.partition("?")[0].rpartition("@")[0]
    if scheme.lower() not in (*_PG_SCHEMES, "postgresql+psycopg2") or any(
        c in userinfo for c in "/?#"
    ):
        return None
    try:
        import psycopg2
    except ImportError:
        return None
    try:
        return psycopg2.connect(libpq_uri(source.location))
    except Exception as exc:
        problem = _known_server_problem(exc)
        if problem is None:
            return None
        raise SourceError(source.display, problem) from None


def _bulk_target(url: str) -> BulkTarget | None:
    """Where PostgreSQL's bulk reads connect (ADBC), or ``None``: no driver, or a URL libpq
    cannot take; then they go through ``COPY`` on the main connection."""
    if _adbc_postgresql() is None:
        return None
    try:
        return BulkTarget(libpq_uri(url))
    except ValueError:
        return None


@contextmanager
def _server_connection(source: Source) -> Iterator[tuple[Any, str, BulkTarget | None]]:
    conn = _psycopg2_connection(source)
    if conn is not None:
        try:
            yield conn, "postgresql", _bulk_target(source.location)
        finally:
            conn.close()
        return

    import sqlalchemy
    from sqlalchemy.pool import NullPool

    url = _server_url(source.location)
    try:
        engine = sqlalchemy.create_engine(
            url, poolclass=NullPool, connect_args={"connect_timeout": 5}
        )
    except ModuleNotFoundError as exc:
        extra = "postgresql" if "psycopg" in str(exc) else "mysql"
        raise SourceError(
            source.display, f"database driver missing: pip install 'hpo-tui[{extra}]'"
        ) from None
    except Exception as exc:
        raise SourceError(source.display, f"invalid database URL ({type(exc).__name__})") from None
    try:
        conn = engine.raw_connection()
    except Exception as exc:
        engine.dispose()
        raise SourceError(source.display, server_problem(exc)) from None
    dialect = engine.dialect.name
    bulk = None
    if dialect == "postgresql":
        bulk = _bulk_target(url)
    elif dialect in ("mysql", "mariadb"):
        bulk = _mysql_bulk_target(source.location)
    try:
        yield conn, dialect, bulk
    finally:
        conn.close()
        engine.dispose()


class _Reader:
    """Runs the SELECTs inside one short read-only transaction."""

    def __init__(
        self,
        conn: Any,
        dialect: str,
        fallback: Callable[[], sqlite3.Connection] | None = None,
        bulk: BulkTarget | None = None,
    ) -> None:
        self.conn = conn
        self.dialect = dialect
        self.cursor = conn.cursor()
        self._bulk_target = bulk
        self._bulk: tuple[Any, Any] | None = None  # (ADBC connection, cursor), opened on use
        self._snapshot: str | None = None
        self._settled: tuple[int, list[int], int] | None = None  # see _settled_trials
        self.adbc = hasattr(self.cursor, "adbc_statement")
        if self.adbc:
            # ADBC infers each column's Arrow type from the first batch of rows; one batch
            # for the whole result makes it see every row (NULLs first, numbers later).
            self.cursor.adbc_statement.set_options(**{_ADBC_BATCH_ROWS: str(2**30)})
        self._open_fallback = fallback
        self._fallback: sqlite3.Connection | None = None

    def _fallback_cursor(self) -> Any:
        """A ``sqlite3`` cursor on the same file, for a result ADBC cannot type (a column
        whose values have several storage classes: never in files Optuna writes)."""
        if self._open_fallback is None:
            raise RuntimeError("no fallback reader")
        if self._fallback is None:
            self._fallback = self._open_fallback()
            self._fallback.execute("BEGIN")
        return self._fallback.cursor()

    def begin(self) -> None:
        if self.dialect == "sqlite":
            self.cursor.execute("BEGIN")  # deferred: a SHARED lock only while we read
        elif self.dialect == "postgresql":
            self.cursor.execute(_PG_READ_ONLY)
            if self._bulk_target is not None:
                self._export_snapshot()
        elif self.dialect in ("mysql", "mariadb"):
            self.cursor.execute("START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT")

    def end(self) -> None:
        try:
            if self.dialect == "sqlite":
                self.cursor.execute("ROLLBACK")
            else:
                self.conn.rollback()
        except Exception:
            pass
        if self._fallback is not None:
            self._fallback.close()
            self._fallback = None
        self._close_bulk()

    def _close_bulk(self) -> None:
        """Close the bulk connection, if one is open; later bulk reads use ``COPY``."""
        if self._bulk is not None:
            conn, cursor = self._bulk
            self._bulk = None
            with contextlib.suppress(Exception):
                cursor.close()
                conn.rollback()
            with contextlib.suppress(Exception):
                conn.close()

    def _export_snapshot(self) -> None:
        """Export this transaction's snapshot for the bulk connection (first statement of
        the transaction; PostgreSQL refuses it later in a subtransaction). If the server
        refuses (a standby of an old version, a restricted role), the transaction starts
        over without it and the bulk reads go through ``COPY``."""
        try:
            self.cursor.execute("SELECT pg_export_snapshot()")
            snapshot = str(self.cursor.fetchone()[0])
        except Exception:
            self.conn.rollback()
            self.cursor.execute(_PG_READ_ONLY)
            return
        if _SNAPSHOT_ID.match(snapshot):
            self._snapshot = snapshot

    def _bulk_cursor(self) -> Any:
        """An ADBC PostgreSQL cursor whose read-only transaction imports this transaction's
        snapshot, so the bulk tables are read as of the same moment as the rest; None when
        there is no driver or any step fails (then the bulk reads go through psycopg2's
        ``COPY``). Opened once, on the first bulk read."""
        if self._bulk is not None:
            return self._bulk[1]
        target, snapshot = self._bulk_target, self._snapshot
        self._bulk_target = self._snapshot = None  # one attempt
        driver = _adbc_postgresql()
        if target is None or snapshot is None or driver is None:
            return None
        conn = None
        try:
            conn = driver.connect(target.uri)  # not autocommit: the driver has BEGUN
            cursor = conn.cursor()
            cursor.execute(_PG_READ_ONLY)
            cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        except Exception:
            if conn is not None:
                with contextlib.suppress(Exception):
                    conn.close()
            return None
        self._bulk = (conn, cursor)
        return cursor

    def _adbc_arrow(self, cursor: Any, sql: str, types: dict[str, Any]) -> Any:
        """``sql`` through an ADBC cursor, its columns cast to ``types``."""
        import pyarrow as pa

        cursor.execute(sql)
        table = cursor.fetch_arrow_table()
        names = list(types)
        return pa.table(
            [table.column(i).cast(types[name]) for i, name in enumerate(names)], names=names
        )

    def _settled_trials(self) -> tuple[int, list[int], int]:
        """``(highest trial id, unfinished trial ids, number of trials)`` in this snapshot.

        Optuna refuses to change a finished trial's params, attrs and intermediate values,
        so the rows of the trials finished in this snapshot are the same in any later one:
        those are read outside the snapshot (connectorx); the unfinished trials' rows come
        from the snapshot itself, and trials newer than it are left out.
        """
        if self._settled is None:
            rows = self.rows("SELECT trial_id, state FROM trials")
            unfinished = [
                int(t) for t, state in rows if str(getattr(state, "name", state)) in _UNFINISHED
            ]
            highest = max((int(t) for t, _state in rows), default=-1)
            self._settled = (highest, unfinished, len(rows))
        return self._settled

    def _connectorx_arrow(self, sql: str, types: dict[str, Any]) -> Any:
        """``sql`` read by connectorx on a connection of its own, cast to ``types``."""
        import pyarrow as pa

        assert self._bulk_target is not None
        table = _connectorx().read_sql(self._bulk_target.uri, sql, return_type="arrow")
        names = list(types)
        return pa.table(
            [table.column(i).cast(types[name]) for i, name in enumerate(names)], names=names
        )

    def _mysql_arrow(self, sql: str, types: dict[str, Any]) -> Any:
        """A MySQL/MariaDB bulk table as of this snapshot (see :meth:`_settled_trials`), or
        None when connectorx fails (its error is never shown: it may quote the URL) or a
        study was deleted since the snapshot: then PyMySQL reads it inside the snapshot."""
        import pyarrow as pa

        highest, unfinished, count = self._settled_trials()
        outside = f" AND trial_id NOT IN ({', '.join(map(str, unfinished))})" if unfinished else ""
        try:
            settled = self._connectorx_arrow(f"{sql} WHERE trial_id <= {highest}{outside}", types)
            assert self._bulk_target is not None
            still = _connectorx().read_sql(
                self._bulk_target.uri,
                f"SELECT COUNT(*) FROM trials WHERE trial_id <= {highest}",
                return_type="arrow",
            )
        except Exception:
            self._bulk_target = None
            return None
        if still.column(0)[0].as_py() != count:  # trials deleted since the snapshot
            self._bulk_target = None
            return None
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(unfinished), _ID_CHUNK):
            chunk = ", ".join(map(str, unfinished[start : start + _ID_CHUNK]))
            rows.extend(self.rows(f"{sql} WHERE trial_id IN ({chunk})"))
        if not rows:
            return settled
        moving = pa.table(
            {
                name: pa.array([row[i] for row in rows], type=kind)
                for i, (name, kind) in enumerate(types.items())
            }
        )
        return pa.concat_tables([settled, moving])

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.adbc:
            # ADBC's DB-API fetch builds rows in Python, one at a time; by columns is faster.
            try:
                self.cursor.execute(sql)
                table = self.cursor.fetch_arrow_table()
            except Exception:  # an untypable column (see _fallback_cursor)
                cursor = self._fallback_cursor()
                cursor.execute(sql)
                return list(cursor.fetchall())
            return list(zip(*(column.to_pylist() for column in table.columns), strict=True))
        self.cursor.execute(sql)
        return list(self.cursor.fetchall())

    def arrow(self, sql: str, types: dict[str, Any]) -> Any:
        """The result of ``sql`` as a ``pyarrow.Table`` with columns ``types`` (name → Arrow
        type), when the connection can produce one without a Python object per row: an
        ADBC cursor (SQLite; PostgreSQL through a second connection on the same snapshot, see
        :meth:`_bulk_cursor`), or PostgreSQL's ``COPY ... TO STDOUT`` (CSV, parsed by Arrow;
        PostgreSQL prints floats in shortest round-trip form, so values are exact). ``None``
        otherwise.
        """
        import pyarrow as pa

        if self.adbc:
            return self._adbc_arrow(self.cursor, sql, types)
        if self.dialect in ("mysql", "mariadb"):
            return self._mysql_arrow(sql, types) if self._bulk_target is not None else None
        if self.dialect == "postgresql":
            bulk = self._bulk_cursor()
            if bulk is not None:
                try:
                    return self._adbc_arrow(bulk, sql, types)
                except Exception:  # the driver's error (never shown: it may hold the URI);
                    self._close_bulk()  # COPY on the main connection reads the same snapshot
        if self.dialect == "postgresql" and hasattr(self.cursor, "copy_expert"):
            import io

            import pyarrow.csv as pacsv

            buffer = io.BytesIO()
            self.cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", buffer)
            if not buffer.getbuffer().nbytes:  # no rows: Arrow's CSV reader wants one
                return pa.table({name: pa.array([], type=kind) for name, kind in types.items()})
            buffer.seek(0)
            return pacsv.read_csv(
                buffer,
                read_options=pacsv.ReadOptions(column_names=list(types)),
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    column_types=types, quoted_strings_can_be_null=False
                ),
            )
        return None

    def batches(self, sql: str, size: int = 262_144) -> Iterator[list[tuple[Any, ...]]]:
        """The result of ``sql`` in lists of at most ``size`` rows (bounded memory)."""
        if self.adbc:
            yield self.rows(sql)  # already columnar: one batch
            return
        self.cursor.execute(sql)
        while True:
            batch = self.cursor.fetchmany(size)
            if not batch:
                return
            yield batch

    def tables(self) -> set[str]:
        if self.dialect == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
        elif self.dialect == "postgresql":
            sql = (
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        else:
            sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
        return {str(r[0]) for r in self.rows(sql)}


def _decode_special(values: pd.Series, types: pd.Series | None) -> np.ndarray:
    out = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan, copy=True)
    if types is None:
        return out  # pre-3.0 heads: NULL meant NaN, infinities were stored as floats
    kinds = types.astype(str).to_numpy()
    for name, special in _SPECIAL_FLOATS.items():
        out[kinds == name] = special
    return out


def _attrs(rows: list[tuple[Any, ...]], what: str, source: Source) -> pd.DataFrame:
    try:
        values = decode_attr_texts([text for _owner, _key, text in rows])
    except ValueError as exc:
        raise SourceError(source.display, f"{what} holds invalid JSON ({exc})") from None
    if not rows:
        return frame([], ATTR_COLUMNS)
    owners, keys, _texts = zip(*rows, strict=True)
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return pd.DataFrame(
        {"trial_id": pd.Series(owners), "key": pd.Series(keys, dtype=object), "value": column}
    )


def _trial_attrs(
    reader: _Reader,
    table: str,
    key: str,
    trial_ids: list[int] | None,
    source: Source,
    pool: ThreadPoolExecutor | None = None,
) -> Callable[[], pd.DataFrame]:
    """``trial_id, key, value`` of a trial attribute table, decoded: read now, returned by
    the thunk. With ``pool``, the decoding (Arrow kernels, which release the GIL) runs there
    while the caller reads the next table."""
    what = "a trial user attribute" if "user" in table else "a trial system attribute"
    sql = f"SELECT trial_id, {key}, value_json FROM {table}"
    arrow = None
    if trial_ids is None:
        arrow = _arrow_or_none(
            reader, sql, {"trial_id": "int64", "key": "large_string", "value_json": "large_string"}
        )
    if arrow is None:
        frame_ = _attrs(_rows_for(reader, sql, trial_ids), what, source)
        return lambda: frame_

    def decode() -> pd.DataFrame:
        texts = arrow.column("value_json")
        values = decode_attr_texts(None, texts.combine_chunks())
        column = np.empty(len(values), dtype=object)
        column[:] = values
        return pd.DataFrame(
            {
                "trial_id": _column_numpy(arrow, "trial_id"),
                "key": np.asarray(arrow.column("key").to_pylist(), dtype=object),
                "value": column,
            }
        )

    future = pool.submit(decode) if pool is not None else None

    def result() -> pd.DataFrame:
        try:
            return future.result() if future is not None else decode()
        except ValueError as exc:
            raise SourceError(source.display, f"{what} holds invalid JSON ({exc})") from None

    return result


def _study_attr_dicts(rows: list[tuple[Any, ...]], source: Source) -> dict[Any, dict[str, Any]]:
    out: dict[Any, dict[str, Any]] = {}
    for owner, key, value in _attrs(rows, "a study attribute", source).itertuples(index=False):
        # A few per study, kept whole: number lists (NSGA-II's parent populations) decoded.
        out.setdefault(owner, {})[key] = decoded(value)
    return out


_ADBC_BATCH_ROWS = "adbc.sqlite.query.batch_rows"
_UNFINISHED = ("RUNNING", "WAITING")
_ID_CHUNK = 900  # below SQLite's default limit of host parameters / keeps statements short


def _batches_for(
    reader: _Reader, sql: str, trial_ids: list[int] | None
) -> Iterator[list[tuple[Any, ...]]]:
    """``sql`` for every trial, or only for ``trial_ids`` (in chunks of ``IN (...)``)."""
    if trial_ids is None:
        yield from reader.batches(sql)
        return
    for start in range(0, len(trial_ids), _ID_CHUNK):
        chunk = ", ".join(str(int(t)) for t in trial_ids[start : start + _ID_CHUNK])
        yield reader.rows(f"{sql} WHERE trial_id IN ({chunk})")


def _rows_for(reader: _Reader, sql: str, trial_ids: list[int] | None) -> list[tuple[Any, ...]]:
    """All rows of :func:`_batches_for`."""
    rows: list[tuple[Any, ...]] = []
    for batch in _batches_for(reader, sql, trial_ids):
        rows.extend(batch)
    return rows


# Optuna's value types folded into the value by the database, so that no type string per row
# reaches Python: SQLite reads 9e999 as +inf and returns NULL (NaN) for NAN rows; PostgreSQL
# has IEEE literals. MySQL/MariaDB have no infinite DOUBLE: they return the type column.
_FOLDED_SPECIALS = {
    "sqlite": ("9e999", "-9e999", "NULL"),
    "postgresql": ("'Infinity'::float8", "'-Infinity'::float8", "'NaN'::float8"),
}


def _arrow_or_none(reader: _Reader, sql: str, types: dict[str, str]) -> Any:
    """:meth:`_Reader.arrow` with Arrow type names; ``None`` when the connection cannot, or
    when the ADBC driver rejects the result (it infers a column's type from its first rows,
    and a later row of another type is an error): the row path then reads it."""
    import pyarrow as pa

    arrow_types = {name: getattr(pa, kind)() for name, kind in types.items()}
    if not reader.adbc:
        return reader.arrow(sql, arrow_types)
    try:
        return reader.arrow(sql, arrow_types)
    except Exception:  # any ADBC/Arrow error: a read statement leaves the transaction intact
        return None


def _column_numpy(table: Any, name: str) -> np.ndarray:
    """One Arrow column as numpy (nulls of a float column become NaN)."""
    return np.asarray(table.column(name).to_numpy())


def _intermediate(
    reader: _Reader, layout: SchemaLayout, trial_ids: list[int] | None
) -> pd.DataFrame:
    """``trial_id, step, value`` of the intermediate values, built column by column from
    bounded batches (no DataFrame of millions of row tuples)."""
    folded = _FOLDED_SPECIALS.get(reader.dialect) if layout.intermediate_value_type else None
    table = "trial_intermediate_values"
    if folded is not None:
        pos, neg, nan = folded
        sql = (
            "SELECT trial_id, step, CASE intermediate_value_type "
            "WHEN 'FINITE' THEN intermediate_value "
            f"WHEN 'INF_POS' THEN {pos} WHEN 'INF_NEG' THEN {neg} ELSE {nan} END FROM {table}"
        )
    elif layout.intermediate_value_type:
        sql = f"SELECT trial_id, step, intermediate_value, intermediate_value_type FROM {table}"
    else:
        sql = f"SELECT trial_id, step, intermediate_value FROM {table}"
    if trial_ids is None and reader.dialect in ("mysql", "mariadb"):
        mysql = _mysql_intermediate(reader, sql, layout)
        if mysql is not None:
            return mysql
    if trial_ids is None and (folded is not None or not layout.intermediate_value_type):
        table = _arrow_or_none(
            reader, sql, {"trial_id": "int64", "step": "int64", "value": "float64"}
        )
        if table is not None:
            return pd.DataFrame(  # copy=False: no consolidation copy of millions of rows
                {name: _column_numpy(table, name) for name in ("trial_id", "step", "value")},
                copy=False,
            )
    ids: list[np.ndarray] = []
    steps: list[np.ndarray] = []
    values: list[np.ndarray] = []
    for batch in _batches_for(reader, sql, trial_ids):
        n = len(batch)
        ids.append(np.fromiter((row[0] for row in batch), np.int64, n))
        steps.append(np.fromiter((row[1] for row in batch), np.int64, n))
        raw = [row[2] for row in batch]
        types = (
            pd.Series([row[3] for row in batch], dtype=object)
            if layout.intermediate_value_type and folded is None
            else None
        )
        if types is None:
            try:
                values.append(np.array(raw, dtype=float))  # None (SQL NULL) becomes NaN
                continue
            except (TypeError, ValueError):
                pass
        values.append(_decode_special(pd.Series(raw, dtype=object), types))
        del batch, raw
    if not ids:
        return pd.DataFrame(
            {
                "trial_id": pd.Series([], dtype=object),
                "step": pd.Series([], dtype=object),
                "value": pd.Series([], dtype=object),
            }
        )
    return pd.DataFrame(
        {
            "trial_id": np.concatenate(ids),
            "step": np.concatenate(steps),
            "value": np.concatenate(values),
        }
    )


def _mysql_intermediate(reader: _Reader, sql: str, layout: SchemaLayout) -> pd.DataFrame | None:
    """The intermediate values of MySQL/MariaDB as Arrow columns (None: no bulk reader);
    their value types (no infinite DOUBLE there) are applied column-wise."""
    types = {"trial_id": "int64", "step": "int64", "value": "float64"}
    if layout.intermediate_value_type:
        types["value_type"] = "large_string"
    table = _arrow_or_none(reader, sql, types)
    if table is None:
        return None
    values = _column_numpy(table, "value").astype(float, copy=True)
    if layout.intermediate_value_type:
        kinds = table.column("value_type").to_numpy(zero_copy_only=False)
        for name, special in _SPECIAL_FLOATS.items():
            values[kinds == name] = special
    return pd.DataFrame(
        {"trial_id": _column_numpy(table, "trial_id"), "step": _column_numpy(table, "step")}
        | {"value": values},
        copy=False,
    )


def read_rdb_tables(
    reader: _Reader, source: Source, layout: SchemaLayout, trial_ids: list[int] | None = None
) -> RawTables:
    """Read the Optuna tables through ``reader`` (inside its transaction).

    Args:
        reader: An open reader inside its read transaction.
        source: For error messages.
        layout: The schema's encoding columns.
        trial_ids: Read only these trials (study tables are always read whole: they are small).
    """
    version = reader.rows("SELECT library_version FROM version_info")
    library_version = str(version[0][0]) if version and version[0][0] else ""
    # Optuna < 5 wrote naive local time; Optuna 5 writes naive UTC (see docs/data-model.md).
    naive_is_local = (
        not library_version[:2].rstrip(".").isdigit() or int(library_version.split(".")[0]) < 5
    )

    key = "`key`" if reader.dialect in ("mysql", "mariadb") else '"key"'  # reserved in MySQL
    study_rows = reader.rows("SELECT study_id, study_name FROM studies")
    direction_rows = reader.rows(
        "SELECT study_id, objective, direction FROM study_directions ORDER BY study_id, objective"
    )
    study_user = _study_attr_dicts(
        reader.rows(f"SELECT study_id, {key}, value_json FROM study_user_attributes"), source
    )
    study_system = _study_attr_dicts(
        reader.rows(f"SELECT study_id, {key}, value_json FROM study_system_attributes"), source
    )
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hpo-tui-decode") as pool:
        # Learning curves stored as attrs are decoded (Arrow kernels, which release the GIL)
        # while the other tables are read: the longest task starts first.
        user_attrs = _trial_attrs(reader, "trial_user_attributes", key, trial_ids, source, pool)
        trial_rows = _rows_for(
            reader,
            "SELECT trial_id, study_id, number, state, datetime_start, datetime_complete "
            "FROM trials",
            trial_ids,
        )
        value_sql = "SELECT trial_id, objective, value" + (
            ", value_type FROM trial_values" if layout.value_type else " FROM trial_values"
        )
        value_rows = _rows_for(reader, value_sql, trial_ids)
        param_rows = _rows_for(
            reader,
            "SELECT trial_id, param_name, param_value, distribution_json FROM trial_params",
            trial_ids,
        )
        system_attrs = _trial_attrs(reader, "trial_system_attributes", key, trial_ids, source)
        intermediate = _intermediate(reader, layout, trial_ids)
        heartbeats = _heartbeats(reader, trial_ids)

    directions: dict[Any, list[str]] = {}
    for study_id, _objective, direction in direction_rows:
        directions.setdefault(study_id, []).append(str(getattr(direction, "name", direction)))
    studies = frame(
        [
            (
                sid,
                name,
                directions.get(sid, ["MINIMIZE"]),
                study_user.get(sid, {}),
                study_system.get(sid, {}),
            )
            for sid, name in study_rows
        ],
        STUDY_COLUMNS,
    )

    trials = frame(trial_rows, TRIAL_COLUMNS)
    trials["state"] = trials["state"].map(lambda s: str(getattr(s, "name", s))).astype(object)
    for column in ("datetime_start", "datetime_complete"):
        trials[column] = to_utc(trials[column], naive_is_local=naive_is_local)

    if layout.value_type:
        values_raw = frame(value_rows, [*VALUE_COLUMNS, "value_type"])
        value_types: pd.Series | None = values_raw["value_type"]
    else:
        values_raw = frame(value_rows, VALUE_COLUMNS)
        value_types = None
    values = values_raw[["trial_id", "objective"]].copy()
    values["value"] = _decode_special(values_raw["value"], value_types)

    params = frame(param_rows, ["trial_id", "param_name", "internal", "distribution_json"])
    try:
        external = external_param_values(params["internal"], params["distribution_json"])
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise SourceError(source.display, f"a param distribution is invalid ({exc})") from None
    params = params.assign(value=external)[PARAM_COLUMNS]

    return RawTables(
        studies=studies,
        trials=trials,
        values=values,
        params=params,
        trial_user_attrs=user_attrs(),
        trial_system_attrs=system_attrs(),
        intermediate=intermediate,
        heartbeats=heartbeats,
    )


# The database's own "now", in the convention Optuna's heartbeats are written in: SQLite's
# CURRENT_TIMESTAMP is UTC; PostgreSQL and MySQL/MariaDB store now() in the session's time
# zone, which LOCALTIMESTAMP (PostgreSQL) and CURRENT_TIMESTAMP (MySQL) give in the same way.
_DB_NOW = {"postgresql": "SELECT LOCALTIMESTAMP"}
_ZONE_STEP = pd.Timedelta(minutes=15)  # every time zone's offset is a multiple of this


def _heartbeats(reader: _Reader, trial_ids: list[int] | None) -> pd.DataFrame:
    """``trial_id, heartbeat`` (UTC) of the ``trial_heartbeats`` table, when it exists.

    Optuna writes a heartbeat with the database's clock (``CURRENT_TIMESTAMP`` / ``now()``),
    naive, in the session's time zone on servers. It is mapped to UTC by the offset between
    the database's "now" and this machine's UTC "now", rounded to a quarter hour: the zone's
    offset, not the clocks' drift, so a heartbeat read twice gives the same time.
    """
    if "trial_heartbeats" not in reader.tables():  # created with the storage since Optuna 2.9
        return no_heartbeats()
    rows = _rows_for(reader, "SELECT trial_id, heartbeat FROM trial_heartbeats", trial_ids)
    if not rows:
        return no_heartbeats()
    database_now = reader.rows(_DB_NOW.get(reader.dialect, "SELECT CURRENT_TIMESTAMP"))[0][0]
    here_now = pd.Timestamp.now(tz="UTC").tz_localize(None)
    offset = (pd.Timestamp(database_now) - here_now).round(_ZONE_STEP)
    table = frame(rows, HEARTBEAT_COLUMNS)
    stored = pd.to_datetime(table["heartbeat"].astype(object), format="ISO8601")
    if getattr(stored.dt, "tz", None) is not None:  # a driver that gives aware times
        heartbeat = stored.dt.tz_convert("UTC")
    else:
        heartbeat = (stored - offset).dt.tz_localize("UTC")
    heartbeat = heartbeat.astype("datetime64[ns, UTC]")
    return pd.DataFrame(
        {"trial_id": table["trial_id"].to_numpy(dtype=np.int64), "heartbeat": heartbeat}
    )


def _open(source: Source) -> Callable[[], Any]:
    if source.kind is SourceKind.SQLITE:
        return lambda: _sqlite_connection(source)
    return lambda: _server_connection(source)


def schema_head(reader: _Reader, source: Source) -> str:
    """The alembic head of the storage, after checking it holds Optuna's tables."""
    tables = reader.tables()
    if not tables:
        raise SourceError(source.display, "database has no tables (not an Optuna storage)")
    missing = OPTUNA_TABLES - tables
    if missing:
        raise SourceError(
            source.display,
            f"not an Optuna storage (missing table {sorted(missing)[0]!r})",
        )
    if "alembic_version" not in tables:
        raise SourceError(source.display, "Optuna tables without alembic_version (unknown schema)")
    rows = reader.rows("SELECT version_num FROM alembic_version")
    if not rows:
        raise SourceError(source.display, "alembic_version is empty (unknown schema)")
    return str(rows[0][0])


@contextmanager
def read_transaction(source: Source) -> Iterator[_Reader]:
    """A reader inside one short read-only transaction; driver errors become one line.

    The connection is closed on exit: nothing stays open between two reads, so the workers
    writing the study are never blocked by an idle viewer.
    """
    with _open(source)() as (conn, dialect, bulk):
        errors: tuple[type[BaseException], ...] = (sqlite3.Error, *_driver_error_types(dialect))
        fallback = (lambda: _stdlib_sqlite(source)) if source.kind is SourceKind.SQLITE else None
        reader = _Reader(conn, dialect, fallback, bulk)
        try:
            reader.begin()
            try:
                yield reader
            finally:
                reader.end()
        except errors as exc:
            raise SourceError(source.display, _read_problem(exc)) from None


def read_rdb(source: Source) -> RawTables:
    """Read a whole RDB storage (SQLite file or server) without writing to it.

    Raises:
        SourceError: when the database cannot be opened, is not an Optuna storage, or is
            corrupt.
    """
    with read_transaction(source) as reader:
        head = schema_head(reader, source)
        layout = KNOWN_HEADS.get(head)
        if layout is not None:
            return read_rdb_tables(reader, source, layout)
    if source.kind is SourceKind.SQLITE:
        return read_with_optuna_api(source, head)
    raise SourceError(source.display, f"unknown Optuna schema {head!r} (hpo-tui reads 2.4–5.x)")


def _driver_error_types(dialect: str) -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = []
    if dialect == "sqlite":
        adbc = _adbc_sqlite()
        return (adbc.Error,) if adbc is not None else ()
    sqlalchemy_errors = sys.modules.get("sqlalchemy.exc")  # only if a connection used it
    if sqlalchemy_errors is not None:
        errors.append(sqlalchemy_errors.DBAPIError)
    if dialect == "postgresql":
        for module in ("psycopg2", "psycopg"):  # whichever driver SQLAlchemy picked
            with contextlib.suppress(ImportError):
                errors.append(__import__(module).Error)
    elif dialect in ("mysql", "mariadb"):
        try:
            import pymysql

            errors.append(pymysql.Error)
        except ImportError:
            pass
    return tuple(errors)


def _read_problem(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    lowered = text.lower()
    if "malformed" in lowered or "not a database" in lowered:
        return "corrupt or truncated SQLite database"
    if "locked" in lowered:
        return "database is locked by a writer (try again)"
    if "unable to open" in lowered:
        return "cannot open database file"
    return server_problem(exc) if not isinstance(exc, sqlite3.Error) else text[:200]


def read_with_optuna_api(source: Source, head: str) -> RawTables:
    """Fallback for unknown schema heads: Optuna's API over a read-only SQLite URI.

    The read-only URI makes SQLite refuse the writes ``RDBStorage`` may attempt on open.
    """
    import optuna

    url = "sqlite:///" + sqlite_readonly_uri(source.location) + "&uri=true"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            storage = optuna.storages.RDBStorage(
                url, skip_compatibility_check=True, skip_table_creation=True
            )
            studies = storage.get_all_studies()
            trials = {
                s._study_id: storage.get_all_trials(s._study_id, deepcopy=False) for s in studies
            }
    except Exception as exc:
        raise SourceError(
            source.display, f"unknown Optuna schema {head!r} and Optuna could not read it ({exc})"
        ) from None
    return raw_from_frozen(studies, trials)
