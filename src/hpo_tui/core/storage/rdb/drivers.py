"""The optional Arrow drivers (``hpo-tui[fast]``), each with an environment switch that turns
it off. Imported on first use: a load that never needs one never pays its import."""

from __future__ import annotations

import importlib
import os
from typing import Any


def _optional(module: str, switch: str, off: str) -> Any:
    """``module``, or None when it is not installed or ``switch`` is set to ``off``."""
    if os.environ.get(switch, "").lower() == off:
        return None
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def adbc_sqlite() -> Any:
    """The DB-API module of the ADBC SQLite driver: result sets straight into Arrow columns,
    about twice as fast as building a Python tuple per row; ``HPO_TUI_SQLITE_DRIVER=sqlite3``
    forces the standard library."""
    return _optional("adbc_driver_sqlite.dbapi", "HPO_TUI_SQLITE_DRIVER", "sqlite3")


def adbc_postgresql() -> Any:
    """The DB-API module of the ADBC PostgreSQL driver: the large tables as binary ``COPY``
    straight into Arrow columns; ``HPO_TUI_PG_BULK_READER=copy`` forces the text ``COPY``
    through psycopg2."""
    return _optional("adbc_driver_postgresql.dbapi", "HPO_TUI_PG_BULK_READER", "copy")


def connectorx() -> Any:
    """connectorx: MySQL/MariaDB result sets straight into Arrow columns, about seven times as
    fast as PyMySQL's rows; ``HPO_TUI_MYSQL_BULK_READER=pymysql`` forces PyMySQL."""
    return _optional("connectorx", "HPO_TUI_MYSQL_BULK_READER", "pymysql")
