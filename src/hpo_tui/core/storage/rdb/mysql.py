"""MySQL/MariaDB: PyMySQL in a ``READ ONLY, WITH CONSISTENT SNAPSHOT`` transaction; the large
tables of the trials that cannot change any more as Arrow through connectorx
(``hpo-tui[fast]``), on a connection of its own (see :class:`~.snapshot.SettledTrials`)."""

from __future__ import annotations

import contextlib
import sys
from typing import Any

from hpo_tui.core.storage.rdb import errors
from hpo_tui.core.storage.rdb.drivers import connectorx
from hpo_tui.core.storage.rdb.reader import CursorReader, cast_columns
from hpo_tui.core.storage.rdb.snapshot import SettledTrials
from hpo_tui.core.storage.rdb.urls import BulkTarget, connectorx_url

ID_CHUNK = 900  # trial ids per ``IN (...)``: keeps statements short


class MysqlReader(CursorReader):
    """A MySQL or MariaDB storage (see the module). They have no infinite DOUBLE: the value
    type column is read beside the value.

    Args:
        conn: A DB-API connection (PyMySQL, through SQLAlchemy).
        location: The storage URL, for connectorx.
    """

    key_column = "`key`"  # a reserved word
    tables_sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"

    def __init__(self, conn: Any, location: str) -> None:
        super().__init__(conn)
        self._bulk = bulk_target(location)
        self._settled: SettledTrials | None = None

    def begin(self) -> None:
        self.cursor.execute("START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT")

    def _settled_trials(self) -> SettledTrials:
        if self._settled is None:
            self._settled = SettledTrials.read(self.rows)
        return self._settled

    def _connectorx_arrow(self, sql: str, types: dict[str, Any] | None) -> Any:
        """``sql`` read by connectorx on a connection of its own, cast to ``types`` if given."""
        assert self._bulk is not None
        table = connectorx().read_sql(self._bulk.uri, sql, return_type="arrow")
        return table if types is None else cast_columns(table, types)

    def _settled_read(
        self, sql: str, types: dict[str, Any] | None
    ) -> tuple[Any, list[tuple[Any, ...]]] | None:
        """The rows of ``sql`` as of this snapshot: those of the finished trials read by
        connectorx (an Arrow table, cast to ``types`` when given), the unfinished trials'
        rows by PyMySQL inside the snapshot. None when there is no connectorx, when it fails
        (its error is never shown: it may quote the URL) or when a study was deleted since
        the snapshot: then PyMySQL reads the whole table inside the snapshot."""
        if self._bulk is None:
            return None
        settled = self._settled_trials()
        try:
            outside = self._connectorx_arrow(sql + settled.settled_filter(), types)
            still = connectorx().read_sql(self._bulk.uri, settled.count_sql(), return_type="arrow")
        except Exception:
            self._bulk = None
            return None
        if still.column(0)[0].as_py() != settled.count:  # trials deleted since the snapshot
            self._bulk = None
            return None
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(settled.unfinished), ID_CHUNK):
            chunk = ", ".join(map(str, settled.unfinished[start : start + ID_CHUNK]))
            rows.extend(self.rows(f"{sql} WHERE trial_id IN ({chunk})"))
        return outside, rows

    def bulk_rows(self, sql: str) -> list[tuple[Any, ...]] | None:
        """The smaller per-trial tables (trials, values, params) the way :meth:`arrow` reads
        the large ones, then made rows: a column at a time, not a PyMySQL row at a time."""
        read = self._settled_read(sql, None)
        if read is None:
            return None
        outside, rows = read
        columns = [column.to_pylist() for column in outside.columns]
        return [*zip(*columns, strict=True), *rows] if columns else rows

    def arrow(self, sql: str, types: dict[str, Any]) -> Any:
        """A bulk table as of this snapshot (see :meth:`_settled_read`), or None."""
        read = self._settled_read(sql, types)
        if read is None:
            return None
        import pyarrow as pa

        outside, rows = read
        if not rows:
            return outside
        moving = pa.table(
            {
                name: pa.array([row[i] for row in rows], type=kind)
                for i, (name, kind) in enumerate(types.items())
            }
        )
        return pa.concat_tables([outside, moving])

    @classmethod
    def error_types(cls) -> tuple[type[BaseException], ...]:
        found: list[type[BaseException]] = []
        sqlalchemy_errors = sys.modules.get("sqlalchemy.exc")
        if sqlalchemy_errors is not None:
            found.append(sqlalchemy_errors.DBAPIError)
        with contextlib.suppress(ImportError):
            import pymysql

            found.append(pymysql.Error)
        return tuple(found)

    @staticmethod
    def problem(exc: BaseException) -> str:
        return errors.server_problem(exc)


def bulk_target(location: str) -> BulkTarget | None:
    """Where connectorx connects, or None: not installed, or a URL it cannot take."""
    if connectorx() is None:
        return None
    url = connectorx_url(location)
    return BulkTarget(url) if url is not None else None
