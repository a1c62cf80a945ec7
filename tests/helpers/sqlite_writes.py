"""Test storages are written without waiting for the disk.

Each SQLite connection that SQLAlchemy opens in the test process (Optuna's ``RDBStorage``)
gets ``PRAGMA synchronous = OFF`` and ``journal_mode = MEMORY``, as the demo builder's own
writer does. A test storage is thousands of one-row transactions, each otherwise an fsync and a
journal file created and deleted: one study of 2 × 1,100 reports took 25 s instead of 4 s on a
shared disk. The bytes written are the same; only crash safety, which no test needs, is given
up. Readers are untouched (hpo-tui reads through ``sqlite3`` or ADBC, not SQLAlchemy, and a
read-only connection refuses nothing here: neither pragma writes to the file).
"""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy
from sqlalchemy import event

_installed = False


def _unsynced(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous = OFF")
        dbapi_connection.execute("PRAGMA journal_mode = MEMORY")


def write_sqlite_without_fsync() -> None:
    """Install the pragmas for every SQLAlchemy engine of this process (once)."""
    global _installed
    if not _installed:
        event.listen(sqlalchemy.engine.Engine, "connect", _unsynced)
        _installed = True
