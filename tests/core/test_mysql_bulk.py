"""MySQL/MariaDB bulk reads: connectorx (``hpo-tui[fast]``) and PyMySQL give the same
campaign, and the bulk tables show the same moment as the rest of the read."""

from __future__ import annotations

from collections.abc import Callable

import optuna
import pandas as pd
import pytest
from optuna.trial import TrialState

from hpo_tui.core import load_campaign
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.storage.rdb import drivers
from hpo_tui.core.storage.rdb.mysql import MysqlReader
from tests.helpers.compare import assert_same_campaign
from tests.helpers.fixture_campaign import LIVE, populate

pytest.importorskip("connectorx")


@pytest.fixture(scope="module")
def mysql_spec(fresh_database: Callable[[str], str]) -> str:
    """A database of this module's own (the snapshot test writes to it)."""
    url = fresh_database("mysql")
    populate(url)
    return url


def _load(spec: str, bulk: str, monkeypatch: pytest.MonkeyPatch) -> Campaign:
    with monkeypatch.context() as patch:
        patch.setenv("HPO_TUI_MYSQL_BULK_READER", bulk)
        assert (drivers.connectorx() is None) == (bulk == "pymysql")
        return load_campaign([spec])


def _count_bulk_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL of every bulk read that went through connectorx."""
    reads: list[str] = []
    original = MysqlReader._connectorx_arrow

    def counted(self: MysqlReader, sql: str, types: dict) -> object:
        reads.append(sql)
        return original(self, sql, types)

    monkeypatch.setattr(MysqlReader, "_connectorx_arrow", counted)
    return reads


def test_connectorx_and_pymysql_read_the_same(
    mysql_spec: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = _count_bulk_reads(monkeypatch)
    fast = _load(mysql_spec, "connectorx", monkeypatch)
    tables = [sql.split(" FROM ")[1].split()[0] for sql in reads]
    # Every per-trial table, the small ones too (PyMySQL reads ~60 µs a row in Python).
    assert sorted(tables) == [
        "trial_heartbeats",
        "trial_intermediate_values",
        "trial_params",
        "trial_system_attributes",
        "trial_user_attributes",
        "trial_values",
        "trials",
    ]
    assert_same_campaign(fast, _load(mysql_spec, "pymysql", monkeypatch))
    assert len(reads) == 7
    assert len(fast.curves) > 0


def _state_of(campaign: Campaign, number: int) -> str:
    trials = campaign.trials
    (state,) = trials[(trials["study"] == LIVE) & (trials["number"] == number)]["state"]
    return str(state)


def test_bulk_reads_see_the_snapshot_of_the_whole_read(
    mysql_spec: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers that write while hpo-tui reads (a running trial reports a step, a new trial
    starts and reports, a waiting one starts, the running one finishes) must not show up in
    the tables read outside the snapshot (trials, values, params, attrs, curves)."""
    before = _load(mysql_spec, "connectorx", monkeypatch)
    name = LIVE
    study = optuna.load_study(study_name=name, storage=mysql_spec)
    (running,) = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    original = MysqlReader.arrow
    wrote: list[bool] = []

    def write_then_read(self: MysqlReader, sql: str, types: dict) -> object:
        if not wrote:  # the read has begun: its snapshot is taken
            study._storage.set_trial_intermediate_value(running._trial_id, 999, 0.125)
            for _ in range(2):  # the enqueued (WAITING) trial starts, then a new one
                started = study.ask()
                started.report(0.5, 0)
                started.set_user_attr("val_losses", [0.5, 0.25])
                study._storage.set_trial_system_attr(started._trial_id, "note", "meanwhile")
            study.tell(running.number, 0.25)  # finished after the snapshot: still RUNNING
            wrote.append(True)
        return original(self, sql, types)

    monkeypatch.setattr(MysqlReader, "arrow", write_then_read)
    during = _load(mysql_spec, "connectorx", monkeypatch)
    assert wrote, "the concurrent writes did not happen"
    pd.testing.assert_frame_equal(during.curves, before.curves, check_exact=True)
    assert_same_campaign(during, before)
    monkeypatch.setattr(MysqlReader, "arrow", original)
    after = _load(mysql_spec, "connectorx", monkeypatch)
    assert len(after.trials) == len(before.trials) + 1
    assert (after.curves["step"] == 999).sum() == 1  # the writes are there afterwards
    assert _state_of(before, running.number) == _state_of(during, running.number) == "RUNNING"
    assert _state_of(after, running.number) == "COMPLETE"
    assert_same_campaign(after, _load(mysql_spec, "pymysql", monkeypatch))


def test_a_connectorx_failure_falls_back_to_pymysql(
    mysql_spec: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error of connectorx (it could quote the URL with its password: never shown) sends
    the bulk tables through PyMySQL, inside the same snapshot."""
    import connectorx

    expected = _load(mysql_spec, "pymysql", monkeypatch)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("mysql://root:s3cret@127.0.0.1/hpo: connection lost")

    monkeypatch.setattr(connectorx, "read_sql", broken)
    assert_same_campaign(_load(mysql_spec, "connectorx", monkeypatch), expected)
