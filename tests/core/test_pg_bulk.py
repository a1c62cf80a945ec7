"""PostgreSQL bulk reads: the ADBC reader (``hpo-tui[fast]``) and ``COPY`` through psycopg2
give the same campaign, from the same snapshot as the rest of the read."""

from __future__ import annotations

import pandas as pd
import psycopg2
import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.storage.rdb import drivers, urls
from hpo_tui.core.storage.rdb.postgresql import PostgresReader
from hpo_tui.core.storage.rdb.snapshot import SharedSnapshot
from tests.conftest import BuiltStorage
from tests.helpers.compare import assert_same_campaign

pytest.importorskip("adbc_driver_postgresql")


def _load(spec: str, bulk: str, monkeypatch: pytest.MonkeyPatch) -> Campaign:
    with monkeypatch.context() as patch:
        patch.setenv("HPO_TUI_PG_BULK_READER", bulk)
        assert (drivers.adbc_postgresql() is None) == (bulk == "copy")
        return load_campaign([spec])


def _count_bulk_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL of every bulk read that went through ADBC."""
    reads: list[str] = []
    original = SharedSnapshot.arrow

    def counted(self: SharedSnapshot, sql: str, types: dict) -> object:
        table = original(self, sql, types)
        if table is not None:
            reads.append(sql)
        return table

    monkeypatch.setattr(SharedSnapshot, "arrow", counted)
    return reads


def test_adbc_and_copy_read_the_same(
    pg_storage: BuiltStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = _count_bulk_reads(monkeypatch)
    adbc = _load(pg_storage.spec, "adbc", monkeypatch)
    assert len(reads) == 3  # user attrs, system attrs, intermediate values
    assert_same_campaign(adbc, _load(pg_storage.spec, "copy", monkeypatch))
    assert len(reads) == 3


def test_bulk_reads_see_the_snapshot_of_the_whole_read(
    pg_storage: BuiltStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that commits while hpo-tui reads must not show up in the bulk tables only:
    the ADBC connection imports the snapshot of the transaction that read the trials."""
    before = _load(pg_storage.spec, "adbc", monkeypatch)
    dsn = pg_storage.spec.replace("postgresql+psycopg2://", "postgresql://")
    original = PostgresReader.arrow
    inserted: list[int] = []

    def write_then_read(self: PostgresReader, sql: str, types: dict) -> object:
        if not inserted:  # the read has begun; the bulk connection is not open yet
            with psycopg2.connect(dsn) as writer, writer.cursor() as cur:
                cur.execute("SELECT trial_id FROM trials ORDER BY trial_id LIMIT 1")
                (trial_id,) = cur.fetchone()
                cur.execute(
                    "INSERT INTO trial_intermediate_values "
                    "(trial_id, step, intermediate_value, intermediate_value_type) "
                    "VALUES (%s, 999999, 0.125, 'FINITE')",
                    (trial_id,),
                )
            inserted.append(trial_id)
        return original(self, sql, types)

    monkeypatch.setattr(PostgresReader, "arrow", write_then_read)
    try:
        during = _load(pg_storage.spec, "adbc", monkeypatch)
        assert inserted, "the concurrent write did not happen"
        pd.testing.assert_frame_equal(during.curves, before.curves, check_exact=True)
        monkeypatch.setattr(PostgresReader, "arrow", original)
        after = _load(pg_storage.spec, "adbc", monkeypatch)
        assert (after.curves["step"] == 999999).sum() == 1  # the write is there afterwards
    finally:
        with psycopg2.connect(dsn) as writer, writer.cursor() as cur:
            cur.execute("DELETE FROM trial_intermediate_values WHERE step = 999999")


def test_a_bulk_connection_that_fails_falls_back_to_copy(
    pg_storage: BuiltStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    import adbc_driver_postgresql.dbapi

    expected = _load(pg_storage.spec, "copy", monkeypatch)

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("cannot load the driver library")

    reads = _count_bulk_reads(monkeypatch)
    monkeypatch.setattr(adbc_driver_postgresql.dbapi, "connect", broken)
    assert_same_campaign(_load(pg_storage.spec, "adbc", monkeypatch), expected)
    assert reads == []


def test_the_bulk_uri_keeps_the_password_out_of_sight() -> None:
    """The libpq URI carries the password to the driver; it is never what we display."""
    uri = urls.libpq_uri("postgresql+psycopg2://alice:s3cret@db.example:6543/hpo?sslmode=require")
    assert uri.startswith("postgresql://alice:s3cret@db.example:6543/hpo?")
    assert "sslmode=require" in uri and "connect_timeout=5" in uri
    assert "s3cret" not in repr(urls.BulkTarget(uri))


def test_a_bulk_read_that_fails_midway_falls_back_to_copy(
    pg_storage: BuiltStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error of the ADBC driver in the middle of the read (it could quote the URI, so it
    is never shown) closes the bulk connection; the remaining tables come through COPY on the
    main connection, which reads the same snapshot."""
    expected = _load(pg_storage.spec, "copy", monkeypatch)
    original = SharedSnapshot.arrow
    calls: list[str] = []

    def second_fails(self: SharedSnapshot, sql: str, types: dict) -> object:
        calls.append(sql)
        if len(calls) == 2:
            raise RuntimeError("postgresql://alice:s3cret@db/hpo: connection lost")
        return original(self, sql, types)

    monkeypatch.setattr(SharedSnapshot, "arrow", second_fails)
    assert_same_campaign(_load(pg_storage.spec, "adbc", monkeypatch), expected)
    assert len(calls) == 2  # the third table was not tried through ADBC
