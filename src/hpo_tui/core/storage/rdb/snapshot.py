"""Bulk reads on a second connection that still show the moment the main transaction sees.

The large tables (attrs, intermediate values) go through an Arrow driver on a connection of
its own; a sweep may write between the two connections' reads. Two ways keep them at one
moment:

- PostgreSQL, :class:`SharedSnapshot`: the main transaction exports its snapshot
  (``pg_export_snapshot()``) and the ADBC connection imports it;
- MySQL/MariaDB, :class:`SettledTrials`: no snapshot can be shared, but Optuna refuses to
  change a finished trial's params, attrs and intermediate values, so the rows of the trials
  finished in the main transaction's snapshot are the same in any later one. Those are read
  outside it; the unfinished trials' rows come from the snapshot itself, and trials newer
  than it are left out.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hpo_tui.core.storage.rdb.drivers import adbc_postgresql
from hpo_tui.core.storage.rdb.reader import adbc_arrow
from hpo_tui.core.storage.rdb.urls import BulkTarget

PG_READ_ONLY = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
_SNAPSHOT_ID = re.compile(r"^[0-9A-Fa-f]+-[0-9A-Fa-f]+(?:-[0-9]+)?$")
UNFINISHED = ("RUNNING", "WAITING")


class SharedSnapshot:
    """An ADBC PostgreSQL connection reading the main transaction's snapshot.

    Any failure (no driver, a server that refuses to export, a connection that fails, an
    error mid-read) leaves it closed for the rest of the read: the caller then reads through
    ``COPY`` on the main connection, which sees the same snapshot. Its errors are never
    shown: the driver's may quote the URI, password included.
    """

    def __init__(self, target: BulkTarget) -> None:
        self._target: BulkTarget | None = target
        self._snapshot: str | None = None
        self._bulk: tuple[Any, Any] | None = None  # (connection, cursor), opened on use

    def export(self, conn: Any, cursor: Any) -> None:
        """Export the main transaction's snapshot: its first statement (PostgreSQL refuses
        it later in a subtransaction). If the server refuses (a standby of an old version,
        a restricted role), the transaction starts over without it."""
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = str(cursor.fetchone()[0])
        except Exception:
            conn.rollback()
            cursor.execute(PG_READ_ONLY)
            return
        if _SNAPSHOT_ID.match(snapshot):  # it goes into SQL text below
            self._snapshot = snapshot

    def arrow(self, sql: str, types: dict[str, Any]) -> Any:
        """``sql`` as an Arrow table read on the snapshot, or None when there is no bulk
        connection. Raises the driver's error (see the class)."""
        cursor = self._cursor()
        return adbc_arrow(cursor, sql, types) if cursor is not None else None

    def _cursor(self) -> Any:
        """The bulk cursor, opened on the first bulk read: one attempt."""
        if self._bulk is not None:
            return self._bulk[1]
        target, snapshot = self._target, self._snapshot
        self._target = self._snapshot = None
        driver = adbc_postgresql()
        if target is None or snapshot is None or driver is None:
            return None
        conn = None
        try:
            conn = driver.connect(target.uri)  # not autocommit: the driver has BEGUN
            cursor = conn.cursor()
            cursor.execute(PG_READ_ONLY)
            cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        except Exception:
            if conn is not None:
                with contextlib.suppress(Exception):
                    conn.close()
            return None
        self._bulk = (conn, cursor)
        return cursor

    def close(self) -> None:
        """Close the bulk connection, if open; later :meth:`arrow` calls return None."""
        self._target = self._snapshot = None
        if self._bulk is not None:
            conn, cursor = self._bulk
            self._bulk = None
            with contextlib.suppress(Exception):
                cursor.close()
                conn.rollback()
            with contextlib.suppress(Exception):
                conn.close()


@dataclass(frozen=True)
class SettledTrials:
    """The trials of the main transaction's snapshot (see the module docstring)."""

    highest: int  # the highest trial id
    unfinished: list[int]
    count: int  # every trial, finished or not

    @classmethod
    def of(cls, rows: Sequence[tuple[Any, Any]]) -> SettledTrials:
        """From the ``(trial_id, state)`` rows of the ``trials`` table."""
        unfinished = [
            int(t) for t, state in rows if str(getattr(state, "name", state)) in UNFINISHED
        ]
        highest = max((int(t) for t, _state in rows), default=-1)
        return cls(highest, unfinished, len(rows))

    @classmethod
    def read(cls, rows: Callable[[str], list[tuple[Any, ...]]]) -> SettledTrials:
        """Read in the snapshot with ``rows`` (a reader's): a few rows, whatever the count of
        finished trials."""
        ((count, highest),) = rows("SELECT COUNT(*), MAX(trial_id) FROM trials")
        states = ", ".join(f"'{state}'" for state in UNFINISHED)
        unfinished = rows(f"SELECT trial_id FROM trials WHERE state IN ({states})")
        return cls(
            -1 if highest is None else int(highest), [int(t) for (t,) in unfinished], int(count)
        )

    def settled_filter(self) -> str:
        """A ``WHERE`` clause for the rows of the finished trials of the snapshot."""
        outside = (
            f" AND trial_id NOT IN ({', '.join(map(str, self.unfinished))})"
            if self.unfinished
            else ""
        )
        return f" WHERE trial_id <= {self.highest}{outside}"

    def count_sql(self) -> str:
        """Counts the snapshot's trials that still exist: a deleted study removes finished
        trials, and then the settled rows read outside differ from the snapshot's."""
        return f"SELECT COUNT(*) FROM trials WHERE trial_id <= {self.highest}"
