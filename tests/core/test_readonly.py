"""Opening a storage never writes a byte, creates a file, or adds a table."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from hpo_tui.core import SourceError, load_campaign
from tests.conftest import BuiltStorage
from tests.helpers.snapshot_fs import fs_state


@pytest.fixture(autouse=True, params=["default", "sqlite3"])
def sqlite_driver(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test twice: SQLite read through the ADBC driver (when installed) and through
    Python's ``sqlite3``."""
    if request.param == "sqlite3":
        monkeypatch.setenv("HPO_TUI_SQLITE_DRIVER", "sqlite3")
    return str(request.param)


@pytest.fixture
def private_copy(tmp_path: Path, sqlite_storage: BuiltStorage, journal_storage: BuiltStorage):
    """Copies in a folder of their own, so the listing covers exactly what we open."""
    folder = tmp_path / "campaign"
    folder.mkdir()
    shutil.copy2(sqlite_storage.spec, folder / "study.db")
    shutil.copy2(journal_storage.spec, folder / "journal.log")
    return folder


def test_loading_files_changes_nothing(private_copy: Path) -> None:
    before = fs_state(private_copy)
    load_campaign([str(private_copy / "study.db")])
    load_campaign([str(private_copy / "journal.log")])
    load_campaign([str(private_copy)])
    load_campaign([f"sqlite:///{private_copy / 'study.db'}"])
    assert fs_state(private_copy) == before


def test_missing_path_is_not_created(tmp_path: Path) -> None:
    for spec in (str(tmp_path / "new.db"), f"sqlite:///{tmp_path / 'new2.db'}"):
        with pytest.raises(SourceError, match="no such file"):
            load_campaign([spec])
    assert list(tmp_path.iterdir()) == []


def test_empty_file_is_refused_untouched(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    before = fs_state(tmp_path)
    with pytest.raises(SourceError, match="empty file"):
        load_campaign([str(empty)])
    assert fs_state(tmp_path) == before


@pytest.mark.parametrize("table", ["notes", "trials"])
def test_foreign_sqlite_gets_no_tables(tmp_path: Path, table: str) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute(f"INSERT INTO {table} (body) VALUES ('hello')")
    conn.close()
    before = fs_state(tmp_path)
    with pytest.raises(SourceError, match="not an Optuna storage"):
        load_campaign([str(path)])
    assert fs_state(tmp_path) == before
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert tables == {table}


def test_empty_sqlite_database_gets_no_tables(tmp_path: Path) -> None:
    path = tmp_path / "blank.db"
    sqlite3.connect(path).close()  # a valid SQLite file with no tables (0 bytes on disk)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 1")  # make it a real, non-empty database file
    conn.close()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(SourceError, match="no tables"):
        load_campaign([str(path)])
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_truncated_sqlite_is_a_clear_error(tmp_path: Path, sqlite_storage: BuiltStorage) -> None:
    data = Path(sqlite_storage.spec).read_bytes()
    path = tmp_path / "cut.db"
    path.write_bytes(data[: len(data) // 3])
    before = fs_state(tmp_path)
    with pytest.raises(SourceError) as info:
        load_campaign([str(path)])
    assert str(path) in str(info.value)
    assert fs_state(tmp_path) == before


def _table_digest(url: str) -> str:
    """A digest of every Optuna table's rows on a server."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    digest = hashlib.sha256()
    with engine.connect() as conn:
        names = sorted(sqlalchemy.inspect(conn).get_table_names())
        for name in names:
            digest.update(name.encode())
            rows = conn.execute(sqlalchemy.text(f"SELECT * FROM {name}")).fetchall()
            for row in sorted(map(repr, rows)):
                digest.update(row.encode())
    engine.dispose()
    return digest.hexdigest()


@pytest.mark.parametrize(
    ("fixture", "pg_bulk"),
    [("pg_storage", "adbc"), ("pg_storage", "copy"), ("mysql_storage", None)],
)
def test_servers_unchanged(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, fixture: str, pg_bulk: str
) -> None:
    if pg_bulk is not None:
        monkeypatch.setenv("HPO_TUI_PG_BULK_READER", pg_bulk)
    storage: BuiltStorage = request.getfixturevalue(fixture)
    before = _table_digest(storage.spec)
    load_campaign([storage.spec])
    assert _table_digest(storage.spec) == before


def test_wal_database_gets_no_sidecar_files(tmp_path: Path, sqlite_storage: BuiltStorage) -> None:
    folder = tmp_path / "wal"
    folder.mkdir()
    path = folder / "wal.db"
    shutil.copy2(sqlite_storage.spec, path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode=WAL").fetchone() == ("wal",)
    conn.close()  # the last connection: SQLite removes -wal and -shm
    assert sorted(p.name for p in folder.iterdir()) == ["wal.db"]
    before = fs_state(folder)
    campaign = load_campaign([str(path)])
    assert len(campaign.trials) > 0
    assert fs_state(folder) == before


def test_wal_database_with_an_active_writer_is_read_in_full(
    tmp_path: Path, sqlite_storage: BuiltStorage
) -> None:
    path = tmp_path / "live.db"
    shutil.copy2(sqlite_storage.spec, path)
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA journal_mode=WAL")
    expected = len(load_campaign([str(path)]).trials)
    writer.execute("UPDATE trials SET state = 'FAIL' WHERE number = 0")  # lives in the -wal file
    writer.commit()
    campaign = load_campaign([str(path)])
    assert len(campaign.trials) == expected
    assert (campaign.trials.loc[campaign.trials["number"] == 0, "state"] == "FAIL").all()
    writer.close()
