"""SQLite files, through the ADBC driver when it is installed, else Python's ``sqlite3``.

Both open the file through a read-only URI (``mode=ro``) with ``PRAGMA query_only``: SQLite
itself refuses any write. The transaction is deferred, so a writer is blocked only while the
SELECTs run.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from hpo_tui.core.errors import SourceError
from hpo_tui.core.storage.rdb import errors
from hpo_tui.core.storage.rdb.drivers import adbc_sqlite
from hpo_tui.core.storage.rdb.reader import BATCH_ROWS, CursorReader, RdbReader, adbc_arrow
from hpo_tui.core.storage.rdb.urls import sqlite_readonly_uri
from hpo_tui.core.storage.sources import Source

# ADBC infers each column's Arrow type from the first batch of rows; one batch for the whole
# result makes it see every row (NULLs first, numbers later).
_ADBC_BATCH_ROWS = "adbc.sqlite.query.batch_rows"


class _SqliteDialect:
    """What both SQLite readers write the same way."""

    # SQLite reads 9e999 as +inf; a NULL value is NaN.
    folded_specials: ClassVar[tuple[str, str, str] | None] = ("9e999", "-9e999", "NULL")
    tables_sql: ClassVar[str] = "SELECT name FROM sqlite_master WHERE type = 'table'"

    @staticmethod
    def problem(exc: BaseException) -> str:
        return errors.sqlite_problem(exc)


class SqliteReader(_SqliteDialect, CursorReader):
    """Python's ``sqlite3``, a tuple per row."""

    def begin(self) -> None:
        self.cursor.execute("BEGIN")  # deferred: a SHARED lock only while we read

    def end(self) -> None:
        with contextlib.suppress(Exception):
            self.cursor.execute("ROLLBACK")

    @classmethod
    def error_types(cls) -> tuple[type[BaseException], ...]:
        return (sqlite3.Error,)


class AdbcSqliteReader(_SqliteDialect, RdbReader):
    """The ADBC SQLite driver: result sets as Arrow columns, about twice as fast as a Python
    tuple per row. A result it cannot type (a column whose values have several storage
    classes: never in files Optuna writes) is read again through ``sqlite3`` on the same
    file, in a transaction of its own opened on first need.
    """

    def __init__(self, conn: Any, open_fallback: Callable[[], sqlite3.Connection]) -> None:
        self.conn = conn
        self.cursor = conn.cursor()
        self.cursor.adbc_statement.set_options(**{_ADBC_BATCH_ROWS: str(2**30)})
        self._open_fallback = open_fallback
        self._fallback: sqlite3.Connection | None = None

    def begin(self) -> None:
        self.cursor.execute("BEGIN")

    def end(self) -> None:
        with contextlib.suppress(Exception):
            self.cursor.execute("ROLLBACK")
        if self._fallback is not None:
            self._fallback.close()
            self._fallback = None

    def _fallback_cursor(self) -> sqlite3.Cursor:
        if self._fallback is None:
            self._fallback = self._open_fallback()
            self._fallback.execute("BEGIN")
        return self._fallback.cursor()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        # ADBC's DB-API fetch builds rows in Python, one at a time; by columns is faster.
        try:
            self.cursor.execute(sql)
            table = self.cursor.fetch_arrow_table()
        except Exception:  # an untypable column
            cursor = self._fallback_cursor()
            cursor.execute(sql)
            return list(cursor.fetchall())
        return list(zip(*(column.to_pylist() for column in table.columns), strict=True))

    def batches(self, sql: str, size: int = BATCH_ROWS) -> Iterator[list[tuple[Any, ...]]]:
        yield self.rows(sql)  # already columnar: one batch

    def arrow(self, sql: str, types: dict[str, Any]) -> Any:
        """None when the driver rejects the result (it infers a column's type from its first
        rows, and a later row of another type is an error): the row path then reads it."""
        try:
            return adbc_arrow(self.cursor, sql, types)
        except Exception:  # any ADBC/Arrow error: a read statement leaves the transaction intact
            return None

    @classmethod
    def error_types(cls) -> tuple[type[BaseException], ...]:
        driver = adbc_sqlite()
        return (sqlite3.Error, driver.Error) if driver is not None else (sqlite3.Error,)


def _stdlib_connection(source: Source) -> sqlite3.Connection:
    """A read-only connection through Python's ``sqlite3`` (autocommit: we BEGIN ourselves)."""
    conn = sqlite3.connect(
        sqlite_readonly_uri(source.location), uri=True, timeout=5.0, isolation_level=None
    )
    conn.execute("PRAGMA query_only = 1")
    return conn


def _adbc_connection(source: Source, driver: Any) -> Any:
    """A read-only ADBC connection, or ``None`` when the driver cannot open the file: then
    ``sqlite3`` opens it, and reports the problem if there is one."""
    try:
        conn = driver.connect(sqlite_readonly_uri(source.location), autocommit=True)
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


@contextmanager
def open_sqlite(source: Source) -> Iterator[RdbReader]:
    """A reader on the SQLite file ``source`` (not yet in its transaction); closed on exit."""
    driver = adbc_sqlite()
    conn = _adbc_connection(source, driver) if driver is not None else None
    reader: RdbReader
    if conn is not None:
        reader = AdbcSqliteReader(conn, lambda: _stdlib_connection(source))
    else:
        try:
            conn = _stdlib_connection(source)
        except sqlite3.Error as exc:
            raise SourceError(source.display, f"cannot open SQLite database ({exc})") from None
        reader = SqliteReader(conn)
    try:
        yield reader
    finally:
        conn.close()
