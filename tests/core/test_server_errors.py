"""Database errors are told by their codes (SQLSTATE, MySQL error numbers, SQLite result
codes), not by their wording, and shown as one line without a password.

Most cases are real errors from the PostgreSQL and MariaDB servers and from SQLite. The codes
no server here can produce (it trusts every login, and a timeout needs an unreachable host)
are checked on error objects made the way the driver makes them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hpo_tui.core.errors import SourceError
from hpo_tui.core.storage.rdb import errors, read_rdb
from hpo_tui.core.storage.rdb.mysql import MysqlReader
from hpo_tui.core.storage.rdb.postgresql import PostgresReader
from hpo_tui.core.storage.sources import resolve_sources


def _problem_of(url: str) -> str:
    """The one-line message of reading ``url`` (it must fail), password masked."""
    (source,) = resolve_sources([url])
    with pytest.raises(SourceError) as caught:
        read_rdb(source)
    message = str(caught.value)
    assert "\n" not in message and "hunter2" not in message
    assert message.startswith(source.display + ": ")
    return message.removeprefix(source.display + ": ")


def _server(url: str) -> str:
    """``scheme://[user[:password]@]host:port`` of a test database URL."""
    return url.rsplit("/", 1)[0]


def _without_user(url: str) -> str:
    scheme, _, rest = _server(url).partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


# --- PostgreSQL -----------------------------------------------------------------------------


def _pg_variants(pg_database: str, user: str, database: str) -> list[str]:
    """The same target through psycopg2 directly and through SQLAlchemy (a password with a
    ``/`` is one libpq would read differently, so SQLAlchemy opens it)."""
    host = _without_user(pg_database).partition("://")[2]
    return [
        f"postgresql://{user}:hunter2@{host}/{database}",
        f"postgresql://{user}:hunter2/x@{host}/{database}",
    ]


def test_pg_unknown_role(pg_database: str) -> None:
    for url in _pg_variants(pg_database, "nobody_here", "postgres"):
        assert _problem_of(url) == errors.NO_SUCH_USER, url


def test_pg_unknown_database(pg_database: str) -> None:
    for url in _pg_variants(pg_database, "postgres", "no_such_database_here"):
        assert _problem_of(url) == errors.NO_DATABASE, url


def test_pg_connection_refused() -> None:
    assert _problem_of("postgresql://postgres:hunter2@127.0.0.1:1/x") == errors.REFUSED


# The reader's first statement (listing the tables) replaced by one the server refuses: a
# real error in the middle of a read.


def test_pg_error_mid_read_is_told_by_its_sqlstate(
    pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    unknown_database = "SELECT has_database_privilege('no_such_database_here', 'CONNECT')"
    monkeypatch.setattr(PostgresReader, "tables_sql", unknown_database)  # 3D000
    assert _problem_of(pg_database) == errors.NO_DATABASE


def test_pg_wording_alone_does_not_classify(
    pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """42P01 (undefined table) whose text reads like a missing database: shown as it is."""
    monkeypatch.setattr(PostgresReader, "tables_sql", 'SELECT 1 FROM "database does not exist"')
    assert _problem_of(pg_database) == 'relation "database does not exist" does not exist'


# --- MySQL / MariaDB ------------------------------------------------------------------------


def test_mysql_access_denied(mysql_database: str) -> None:
    host = _without_user(mysql_database).partition("://")[2]
    assert _problem_of(f"mysql://nobody_here:hunter2@{host}/x") == errors.AUTH_FAILED


def test_mysql_unknown_database(mysql_database: str) -> None:
    assert _problem_of(_server(mysql_database) + "/no_such_database_here") == errors.NO_DATABASE


def test_mysql_connection_refused() -> None:
    assert _problem_of("mysql://root:hunter2@127.0.0.1:1/x") == errors.REFUSED


def test_mysql_error_in_another_language_is_told_by_its_number(
    mysql_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MariaDB speaking French ("Base 'x' inconnue", 1049): the number decides."""
    begin = MysqlReader.begin

    def french_begin(self: MysqlReader) -> None:
        self.cursor.execute("SET lc_messages = 'fr_FR'")
        begin(self)

    monkeypatch.setattr(MysqlReader, "begin", french_begin)
    monkeypatch.setattr(MysqlReader, "tables_sql", "USE no_such_database_here")
    assert _problem_of(mysql_database) == errors.NO_DATABASE


def test_mysql_cannot_connect_tells_timeout_from_refusal() -> None:
    """PyMySQL's 2003 keeps the socket error as ``original_exception`` (connections.py)."""
    pymysql = pytest.importorskip("pymysql")

    def cannot_connect(cause: OSError) -> Exception:
        exc = pymysql.err.OperationalError(2003, f"Can't connect to MySQL server on 'h' ({cause})")
        exc.original_exception = cause
        return exc

    assert errors.server_problem(cannot_connect(TimeoutError("timed out"))) == errors.TIMED_OUT
    refused = ConnectionRefusedError(111, "Connection refused")
    assert errors.server_problem(cannot_connect(refused)) == errors.REFUSED
    unknown = OSError(-2, "Name or service not known")
    assert errors.server_problem(cannot_connect(unknown)) == (
        "server not reachable (Name or service not known)"
    )
    lost = pymysql.err.OperationalError(2013, "Lost connection to MySQL server during query")
    assert errors.server_problem(lost) == errors.CONNECTION_LOST


# --- SQLSTATEs no server here produces ------------------------------------------------------


@pytest.mark.parametrize(
    ("sqlstate", "expected"),
    [
        ("28P01", errors.AUTH_FAILED),
        ("28000", errors.NO_SUCH_USER),
        ("3D000", errors.NO_DATABASE),
        ("08001", errors.REFUSED),
        ("08006", errors.CONNECTION_LOST),  # class 08: any other connection exception
        ("57P01", errors.CONNECTION_LOST),
        ("57P03", errors.NOT_READY),
    ],
)
def test_sqlstates_whatever_the_wording(sqlstate: str, expected: str) -> None:
    """An error carrying an SQLSTATE (ADBC, psycopg 3), in German, and wrapped by SQLAlchemy."""
    adbc = pytest.importorskip("adbc_driver_manager")
    sqlalchemy_exc = pytest.importorskip("sqlalchemy.exc")
    error = adbc.OperationalError(
        "FATAL:  Passwort-Authentifizierung für Benutzer »alice« fehlgeschlagen",
        status_code=adbc.AdbcStatusCode.IO,
        sqlstate=sqlstate,
    )
    assert errors.server_problem(error) == expected
    wrapped = sqlalchemy_exc.OperationalError("SELECT 1", None, error)
    assert errors.server_problem(wrapped) == expected


def test_an_unlisted_sqlstate_shows_the_first_line() -> None:
    adbc = pytest.importorskip("adbc_driver_manager")
    error = adbc.ProgrammingError(
        "permission denied for table trials\nDETAIL: more",
        status_code=adbc.AdbcStatusCode.UNAUTHORIZED,
        sqlstate="42501",
    )
    assert errors.server_problem(error) == "permission denied for table trials"


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        ('FATAL:  password authentication failed for user "alice"', errors.AUTH_FAILED),
        ("timeout expired", errors.TIMED_OUT),
    ],
)
def test_libpq_connection_failures_without_sqlstate(failure: str, expected: str) -> None:
    """libpq gives no SQLSTATE for a failed connection (psycopg/psycopg#1188): its words
    are all there is. Messages as libpq writes them; not producible on a trusting server."""
    psycopg2 = pytest.importorskip("psycopg2")
    error = psycopg2.OperationalError(
        f'connection to server at "db.example" (10.0.0.5), port 5432 failed: {failure}\n'
    )
    assert error.pgcode is None
    assert errors.server_problem(error) == expected


# --- SQLite ---------------------------------------------------------------------------------


def test_sqlite_busy_is_told_by_its_result_code(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("CREATE TABLE t (x)")
    writer.execute("BEGIN EXCLUSIVE")
    reader = sqlite3.connect(path, timeout=0)
    try:
        with pytest.raises(sqlite3.OperationalError) as caught:
            reader.execute("SELECT * FROM t").fetchall()
    finally:
        reader.close()
        writer.close()
    assert caught.value.sqlite_errorname == "SQLITE_BUSY"
    assert errors.sqlite_problem(caught.value) == errors.LOCKED


def test_sqlite_not_a_database_is_told_by_its_result_code(tmp_path: Path) -> None:
    path = tmp_path / "noise.db"
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 16)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        with pytest.raises(sqlite3.DatabaseError) as caught:
            conn.execute("SELECT name FROM sqlite_master").fetchall()
    finally:
        conn.close()
    assert caught.value.sqlite_errorname in ("SQLITE_NOTADB", "SQLITE_CORRUPT")
    assert errors.sqlite_problem(caught.value) == errors.CORRUPT
