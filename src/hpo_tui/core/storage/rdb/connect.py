"""Open the reader of a source, and run one read-only transaction on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from hpo_tui.core.errors import SourceError
from hpo_tui.core.storage.rdb import errors
from hpo_tui.core.storage.rdb.mysql import MysqlReader
from hpo_tui.core.storage.rdb.postgresql import PostgresReader, connect_psycopg2
from hpo_tui.core.storage.rdb.reader import RdbReader
from hpo_tui.core.storage.rdb.sqlite import open_sqlite
from hpo_tui.core.storage.rdb.urls import sqlalchemy_url
from hpo_tui.core.storage.sources import Source, SourceKind

# SQLAlchemy's dialect name → the reader of that server.
_SERVER_READERS: dict[str, type[PostgresReader] | type[MysqlReader]] = {
    "postgresql": PostgresReader,
    "mysql": MysqlReader,
    "mariadb": MysqlReader,
}


@contextmanager
def _open_server(source: Source) -> Iterator[RdbReader]:
    """A reader on a database server; its connection is closed on exit."""
    conn = connect_psycopg2(source)
    if conn is not None:
        try:
            yield PostgresReader(conn, source.location)
        finally:
            conn.close()
        return

    import sqlalchemy
    from sqlalchemy.pool import NullPool

    try:
        engine = sqlalchemy.create_engine(
            sqlalchemy_url(source.location),
            poolclass=NullPool,
            connect_args={"connect_timeout": 5},
        )
    except ModuleNotFoundError as exc:
        extra = "postgresql" if (exc.name or "").startswith("psycopg") else "mysql"
        raise SourceError(
            source.display, f"database driver missing: pip install 'hpo-tui[{extra}]'"
        ) from None
    except Exception as exc:
        raise SourceError(source.display, f"invalid database URL ({type(exc).__name__})") from None
    reader_class = _SERVER_READERS.get(engine.dialect.name)
    if reader_class is None:
        engine.dispose()
        raise SourceError(source.display, f"unsupported database {engine.dialect.name!r}")
    try:
        raw: Any = engine.raw_connection()
    except Exception as exc:
        engine.dispose()
        raise SourceError(source.display, errors.server_problem(exc)) from None
    try:
        yield reader_class(raw, source.location)
    finally:
        raw.close()
        engine.dispose()


def open_reader(source: Source) -> AbstractContextManager[RdbReader]:
    """A context manager giving the reader of ``source`` (a SQLite file or a server), not yet
    in its transaction."""
    return open_sqlite(source) if source.kind is SourceKind.SQLITE else _open_server(source)


@contextmanager
def read_transaction(source: Source) -> Iterator[RdbReader]:
    """A reader inside one short read-only transaction; driver errors become one line.

    The connection is closed on exit: nothing stays open between two reads, so the workers
    writing the study are never blocked by an idle viewer.

    Raises:
        SourceError: the database cannot be opened or read.
    """
    with open_reader(source) as reader:
        try:
            reader.begin()
            try:
                yield reader
            finally:
                reader.end()
        except reader.error_types() as exc:
            raise SourceError(source.display, reader.problem(exc)) from None
