"""The one small interface behind which every RDB reader sits.

A reader is one short read-only transaction on one Optuna storage. The table reads
(:mod:`.read`) see only this interface; each connection path is one class:

- :class:`~.sqlite.SqliteReader`: Python's ``sqlite3``;
- :class:`~.sqlite.AdbcSqliteReader`: the ADBC SQLite driver (Arrow), ``sqlite3`` beside it
  for what ADBC cannot type;
- :class:`~.postgresql.PostgresReader`: psycopg2 (or psycopg through SQLAlchemy), bulk
  tables through ADBC on the same snapshot, else ``COPY``;
- :class:`~.mysql.MysqlReader`: PyMySQL, bulk tables through connectorx for the trials that
  cannot change any more.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any, ClassVar

BATCH_ROWS = 262_144


class RdbReader(ABC):
    """Reads inside one read-only transaction: :meth:`begin`, any reads, :meth:`end`."""

    #: The attribute tables' ``key`` column in SQL (a reserved word in MySQL).
    key_column: ClassVar[str] = '"key"'
    #: SQL for +inf, -inf and NaN, so that the database folds Optuna's value type into the
    #: value and no type string per row reaches Python; None: the type column is read.
    folded_specials: ClassVar[tuple[str, str, str] | None] = None
    #: Lists the tables of the database (or schema) the connection reads.
    tables_sql: ClassVar[str]
    #: The database's own "now", in the convention Optuna's heartbeats are written in:
    #: SQLite's CURRENT_TIMESTAMP is UTC; MySQL/MariaDB's CURRENT_TIMESTAMP and PostgreSQL's
    #: LOCALTIMESTAMP are the session's time zone, as the stored ``now()`` is.
    now_sql: ClassVar[str] = "SELECT CURRENT_TIMESTAMP"

    @abstractmethod
    def begin(self) -> None:
        """Start the read-only transaction."""

    @abstractmethod
    def end(self) -> None:
        """Leave the transaction and close any helper connection (never raises)."""

    @abstractmethod
    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Every row of ``sql``."""

    @abstractmethod
    def batches(self, sql: str, size: int = BATCH_ROWS) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of ``sql`` in lists of at most ``size`` rows (bounded memory)."""

    def arrow(self, sql: str, types: dict[str, Any]) -> Any:
        """The result of ``sql`` as a ``pyarrow.Table`` with columns ``types`` (name → Arrow
        type), when this connection can produce one without a Python object per row;
        ``None`` otherwise (the caller then reads rows)."""
        return None

    def bulk_rows(self, sql: str) -> list[tuple[Any, ...]] | None:
        """Every row of ``sql`` (a per-trial table, no ``WHERE``) as of the transaction, when
        this reader has a faster way than :meth:`rows`; ``None`` otherwise."""
        return None

    def tables(self) -> set[str]:
        """The names of the tables the connection sees."""
        return {str(row[0]) for row in self.rows(self.tables_sql)}

    @classmethod
    @abstractmethod
    def error_types(cls) -> tuple[type[BaseException], ...]:
        """The driver errors a read may raise (those :meth:`problem` describes)."""

    @staticmethod
    @abstractmethod
    def problem(exc: BaseException) -> str:
        """A one-line, password-free description of a driver error."""


class CursorReader(RdbReader):
    """A reader over a DB-API connection whose cursor returns Python rows."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.cursor = conn.cursor()

    def end(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.rollback()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        self.cursor.execute(sql)
        return list(self.cursor.fetchall())

    def batches(self, sql: str, size: int = BATCH_ROWS) -> Iterator[list[tuple[Any, ...]]]:
        self.cursor.execute(sql)
        while True:
            batch = self.cursor.fetchmany(size)
            if not batch:
                return
            yield batch


def cast_columns(table: Any, types: dict[str, Any]) -> Any:
    """``table``'s columns, in order, renamed to and cast to ``types``."""
    import pyarrow as pa

    names = list(types)
    return pa.table(
        [table.column(i).cast(types[name]) for i, name in enumerate(names)], names=names
    )


def adbc_arrow(cursor: Any, sql: str, types: dict[str, Any]) -> Any:
    """``sql`` through an ADBC cursor, its columns cast to ``types``."""
    cursor.execute(sql)
    return cast_columns(cursor.fetch_arrow_table(), types)
