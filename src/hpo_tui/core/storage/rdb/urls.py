"""What each driver is given to connect: storage URLs rewritten for SQLite, libpq, connectorx
and SQLAlchemy. The password travels inside these strings; none of them is ever shown (the
user sees :attr:`Source.display`, masked)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import quote

PG_SCHEMES = ("postgres", "postgresql")
MYSQL_SCHEMES = ("mysql", "mariadb")


@dataclass(frozen=True)
class BulkTarget:
    """Where the bulk connection goes: a libpq URI (PostgreSQL) or a connectorx URL
    (MySQL/MariaDB), password included (never shown)."""

    uri: str = field(repr=False)


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


def libpq_uri(location: str) -> str:
    """The libpq URI of a SQLAlchemy PostgreSQL URL: the driver name dropped, a 5 s connect
    timeout unless one is given. libpq reads the rest of such a URL as SQLAlchemy does
    (percent-decoded user info, query parameters passed to libpq).

    Raises:
        ValueError: ``location`` is not a PostgreSQL URL.
    """
    scheme, _, rest = location.partition("://")
    if scheme.lower().split("+")[0] not in PG_SCHEMES:
        raise ValueError("not a PostgreSQL URL")
    path, mark, query = rest.partition("?")
    names = {item.partition("=")[0] for item in query.split("&")} if mark else set()
    if "connect_timeout" not in names:
        query = f"{query}&connect_timeout=5" if query else "connect_timeout=5"
    return f"postgresql://{path}?{query}"


def libpq_reads_like_sqlalchemy(location: str) -> bool:
    """Whether libpq itself can take ``location`` and read it as SQLAlchemy would: a
    ``postgresql``/``postgres`` scheme (psycopg2 or no driver named) and no ``/``, ``?`` or
    ``#`` in the user info (SQLAlchemy allows them in a password, libpq ends the host part
    there, and its error message could then quote part of the password)."""
    scheme, _, rest = location.partition("://")
    userinfo = rest.partition("?")[0].rpartition("@")[0]
    if scheme.lower() not in (*PG_SCHEMES, "postgresql+psycopg2"):
        return False
    return not any(c in userinfo for c in "/?#")


def connectorx_url(location: str) -> str | None:
    """connectorx's URL for a SQLAlchemy MySQL URL (the driver name dropped), or None for a
    URL with query options: connectorx does not take SQLAlchemy's, and they may matter (TLS)."""
    scheme, _, rest = location.partition("://")
    if scheme.lower().split("+")[0] not in MYSQL_SCHEMES or "?" in rest:
        return None
    return f"mysql://{rest}"


def sqlalchemy_url(location: str) -> str:
    """The URL with an installed driver named when it names none (SQLAlchemy 2.1 defaults to
    psycopg 3 for PostgreSQL; PyMySQL is the driver of the ``mysql`` extra)."""
    import importlib.util

    scheme, _, rest = location.partition("://")
    scheme = scheme.lower()
    if scheme in (*MYSQL_SCHEMES, "mariadb+pymysql"):
        return f"mysql+pymysql://{rest}"
    if scheme in PG_SCHEMES:
        driver = "psycopg" if importlib.util.find_spec("psycopg") else "psycopg2"
        return f"postgresql+{driver}://{rest}"
    return location
