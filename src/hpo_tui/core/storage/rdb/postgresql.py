"""PostgreSQL: psycopg2 (or psycopg through SQLAlchemy) in a ``REPEATABLE READ, READ ONLY``
transaction; the large tables as Arrow through the ADBC driver on the same snapshot
(``hpo-tui[fast]``), else as CSV through ``COPY ... TO STDOUT``, parsed by Arrow."""

from __future__ import annotations

import contextlib
import io
import sys
from typing import Any

from hpo_tui.core.errors import SourceError
from hpo_tui.core.storage.rdb import errors
from hpo_tui.core.storage.rdb.drivers import adbc_postgresql
from hpo_tui.core.storage.rdb.reader import CursorReader
from hpo_tui.core.storage.rdb.snapshot import PG_READ_ONLY, SharedSnapshot
from hpo_tui.core.storage.rdb.urls import BulkTarget, libpq_reads_like_sqlalchemy, libpq_uri
from hpo_tui.core.storage.sources import Source


class PostgresReader(CursorReader):
    """A PostgreSQL storage (see the module).

    Args:
        conn: A DB-API connection (psycopg2, or psycopg 3 through SQLAlchemy).
        location: The storage URL, for the bulk connection.
    """

    folded_specials = ("'Infinity'::float8", "'-Infinity'::float8", "'NaN'::float8")
    now_sql = "SELECT LOCALTIMESTAMP"
    tables_sql = (
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    )

    def __init__(self, conn: Any, location: str) -> None:
        super().__init__(conn)
        target = bulk_target(location)
        self._shared = SharedSnapshot(target) if target is not None else None

    def begin(self) -> None:
        self.cursor.execute(PG_READ_ONLY)
        if self._shared is not None:
            self._shared.export(self.conn, self.cursor)

    def end(self) -> None:
        super().end()
        if self._shared is not None:
            self._shared.close()

    def arrow(self, sql: str, types: dict[str, Any]) -> Any:
        """Through ADBC on the shared snapshot; after any failure there, through ``COPY``
        (PostgreSQL prints floats in shortest round-trip form, so values are exact)."""
        if self._shared is not None:
            try:
                table = self._shared.arrow(sql, types)
            except Exception:  # never shown: the driver's error may hold the URI
                table = None
            if table is not None:
                return table
            self._shared.close()  # no second attempt: COPY reads the same snapshot
            self._shared = None
        return self._copy(sql, types)

    def _copy(self, sql: str, types: dict[str, Any]) -> Any:
        if not hasattr(self.cursor, "copy_expert"):  # psycopg2's; psycopg 3 reads rows
            return None
        import pyarrow as pa
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

    @classmethod
    def error_types(cls) -> tuple[type[BaseException], ...]:
        found: list[type[BaseException]] = []
        sqlalchemy_errors = sys.modules.get("sqlalchemy.exc")  # only if a connection used it
        if sqlalchemy_errors is not None:
            found.append(sqlalchemy_errors.DBAPIError)
        for module in ("psycopg2", "psycopg"):  # whichever driver connected
            with contextlib.suppress(ImportError):
                found.append(__import__(module).Error)
        return tuple(found)

    @staticmethod
    def problem(exc: BaseException) -> str:
        return errors.server_problem(exc)


def bulk_target(location: str) -> BulkTarget | None:
    """Where the bulk reads connect (ADBC), or ``None``: no driver, or a URL libpq cannot
    take; then they go through ``COPY`` on the main connection."""
    if adbc_postgresql() is None:
        return None
    try:
        return BulkTarget(libpq_uri(location))
    except ValueError:
        return None


def connect_psycopg2(source: Source) -> Any:
    """A psycopg2 connection made by psycopg2 itself, or ``None``: then SQLAlchemy opens the
    URL, as it always did. Importing SQLAlchemy and building an engine cost ≈ 0.25 s, a
    large part of a small campaign's load.

    Only for URLs that libpq reads as SQLAlchemy does (:func:`libpq_reads_like_sqlalchemy`).
    A failure other than the usual ones (wrong password, no database, no server) also goes
    to SQLAlchemy: libpq's message may quote any part of the URL, the password included.
    """
    if not libpq_reads_like_sqlalchemy(source.location):
        return None
    try:
        import psycopg2
    except ImportError:
        return None
    try:
        return psycopg2.connect(libpq_uri(source.location))
    except Exception as exc:
        problem = errors.known_server_problem(exc)
        if problem is None:
            return None
        raise SourceError(source.display, problem) from None
