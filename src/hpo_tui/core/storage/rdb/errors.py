"""Database errors in a few words of our own: one line, never a password.

What went wrong is read from the code the database gives, not from its message (which a
server may word in another language, and which may quote the URL):

- PostgreSQL: the SQLSTATE (psycopg2's ``pgcode``, psycopg's and ADBC's ``sqlstate``):
  ``28P01`` wrong password, ``28000`` unknown role, ``3D000`` no such database, class
  ``08`` connection failures, ``57P01``–``57P03`` a server shutting down or starting up;
- MySQL/MariaDB: the driver's error number (``args[0]``): ``1045``/``1698`` access denied,
  ``1044`` no access to the database, ``1049`` unknown database, ``2003`` cannot connect
  (refused or timed out: the socket error PyMySQL keeps), ``2006``/``2013`` connection lost;
- SQLite: the result code (``sqlite_errorcode``): corrupt, not a database, busy/locked,
  cannot open.

One gap: libpq keeps the SQLSTATE of an error met while *connecting* (a wrong password, an
unknown database or role) to itself, and psycopg2, psycopg 3 and the ADBC driver get only
its message (psycopg/psycopg#1188). For those connection errors alone, and only for errors
of a libpq-based driver without an SQLSTATE, libpq's message is matched against the
server's and libpq's English wording (:func:`_libpq_connect_problem`); anything else is
shown as the first line of the driver's message.
"""

from __future__ import annotations

import re
import sqlite3

AUTH_FAILED = "authentication failed (wrong user or password)"
NO_SUCH_USER = "authentication failed (no such user)"
NO_DATABASE = "database does not exist"
REFUSED = "server not reachable (connection refused)"
TIMED_OUT = "server not reachable (timed out)"
CONNECTION_LOST = "connection to the server lost"
NOT_READY = "server not available (starting up or shutting down)"
CORRUPT = "corrupt or truncated SQLite database"
LOCKED = "database is locked by a writer (try again)"
CANNOT_OPEN = "cannot open database file"

_SQLSTATES = {
    "28P01": AUTH_FAILED,  # invalid_password
    "28000": NO_SUCH_USER,  # invalid_authorization_specification: an unknown role
    "3D000": NO_DATABASE,  # invalid_catalog_name
    "08001": REFUSED,  # sqlclient_unable_to_establish_sqlconnection
    "08004": REFUSED,  # sqlserver_rejected_establishment_of_sqlconnection
    "57P01": CONNECTION_LOST,  # admin_shutdown: the server ended the session
    "57P02": CONNECTION_LOST,  # crash_shutdown
    "57P03": NOT_READY,  # cannot_connect_now
}
_SQLSTATE_CLASSES = {"08": CONNECTION_LOST}  # connection_exception

_MYSQL_CODES = {
    1044: AUTH_FAILED,  # ER_DBACCESS_DENIED_ERROR
    1045: AUTH_FAILED,  # ER_ACCESS_DENIED_ERROR
    1698: AUTH_FAILED,  # ER_ACCESS_DENIED_NO_PASSWORD_ERROR
    1049: NO_DATABASE,  # ER_BAD_DB_ERROR
    2006: CONNECTION_LOST,  # CR_SERVER_GONE_ERROR
    2013: CONNECTION_LOST,  # CR_SERVER_LOST
}
_MYSQL_CANNOT_CONNECT = 2003  # CR_CONN_HOST_ERROR
_MYSQL_DRIVERS = ("pymysql", "MySQLdb")

_SQLITE_CODES = {
    5: LOCKED,  # SQLITE_BUSY
    6: LOCKED,  # SQLITE_LOCKED
    11: CORRUPT,  # SQLITE_CORRUPT
    14: CANNOT_OPEN,  # SQLITE_CANTOPEN
    26: CORRUPT,  # SQLITE_NOTADB
}

_LIBPQ_DRIVERS = ("psycopg2", "psycopg")
_LIBPQ_MISSING = re.compile(r'FATAL:\s+(role|database) ".*" does not exist')


def first_line(exc: BaseException) -> str:
    """The first line of an error's message (at most 200 characters), or its type's name."""
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]


def driver_error(exc: BaseException) -> BaseException:
    """The driver's own error: SQLAlchemy wraps it as ``orig``."""
    orig = getattr(exc, "orig", None)
    return orig if isinstance(orig, BaseException) else exc


def server_problem(exc: BaseException) -> str:
    """A one-line, password-free description of a database server's or driver's error."""
    known = known_server_problem(exc)
    return known if known is not None else first_line(driver_error(exc))


def known_server_problem(exc: BaseException) -> str | None:
    """The usual failures, in words of our own; ``None`` for anything else."""
    error = driver_error(exc)
    code = mysql_error_code(error)
    if code is not None:
        return _mysql_problem(code, error)
    sqlstate = sqlstate_of(error)
    if sqlstate is not None:
        return _SQLSTATES.get(sqlstate) or _SQLSTATE_CLASSES.get(sqlstate[:2])
    if _is_libpq_error(error):
        return _libpq_connect_problem(str(error))
    return None


def sqlstate_of(error: BaseException) -> str | None:
    """The SQLSTATE a PostgreSQL driver attached to ``error`` (None: it has none)."""
    for name in ("sqlstate", "pgcode"):  # psycopg 3 and ADBC; psycopg2
        value = getattr(error, name, None)
        if isinstance(value, str) and len(value) == 5:
            return value.upper()
    return None


def mysql_error_code(error: BaseException) -> int | None:
    """The error number of a MySQL driver's error (its first argument), else None."""
    if type(error).__module__.split(".")[0] not in _MYSQL_DRIVERS:
        return None
    code = error.args[0] if error.args else None
    return code if isinstance(code, int) else None


def _mysql_problem(code: int, error: BaseException) -> str | None:
    if code != _MYSQL_CANNOT_CONNECT:
        return _MYSQL_CODES.get(code)
    # PyMySQL keeps the socket's error; its text names no host, port or password.
    cause = getattr(error, "original_exception", None) or error.__cause__
    if isinstance(cause, TimeoutError):
        return TIMED_OUT
    if isinstance(cause, OSError) and not isinstance(cause, ConnectionRefusedError):
        reason = cause.strerror or type(cause).__name__
        return f"server not reachable ({reason})"
    return REFUSED


def _is_libpq_error(error: BaseException) -> bool:
    return type(error).__module__.split(".")[0] in _LIBPQ_DRIVERS


def _libpq_connect_problem(message: str) -> str | None:
    """A libpq connection failure, told by its message: the only place libpq leaves it
    (see the module docstring). The server's wording (PostgreSQL's ``auth.c`` and
    ``postinit.c``) and libpq's own (``fe-connect.c``)."""
    if "password authentication failed" in message:
        return AUTH_FAILED
    missing = _LIBPQ_MISSING.search(message)
    if missing is not None:
        return NO_SUCH_USER if missing.group(1) == "role" else NO_DATABASE
    if "Connection refused" in message:
        return REFUSED
    if "timeout expired" in message or "Connection timed out" in message:
        return TIMED_OUT
    return None


def sqlite_problem(exc: BaseException) -> str:
    """A one-line description of an error of a SQLite file, by SQLite's result code."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(exc, sqlite3.Error) and isinstance(code, int):
        known = _SQLITE_CODES.get(code & 0xFF)  # the primary code of an extended one
        if known is not None:
            return known
    return first_line(exc)
