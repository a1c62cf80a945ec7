"""Timeline: bars, stalled trials, idle gaps and trials per hour.

Stalled trials are checked on real storages run with ``heartbeat_interval`` whose worker was
killed mid-trial (``tests.helpers.heartbeat``), against Optuna's own ``_get_stale_trial_ids``
(SQLite, PostgreSQL — also with the session in another time zone — and MariaDB); durations,
gaps and hours against the FrozenTrials' datetimes.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.timeline import (
    DEFAULT_STALL_S,
    GAP_COLUMNS,
    HOUR_COLUMNS,
    MIN_IDLE_GAP_S,
    MIN_STALL_S,
    STUDY_TIMELINE_COLUMNS,
    TIMELINE_COLUMNS,
    timeline,
)
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.model.live import LiveCampaign
from tests.conftest import BuiltStorage
from tests.helpers import fixture_campaign as fx
from tests.helpers.heartbeat import (
    ALIVE,
    GRACE,
    HEARTBEAT_STUDY,
    KILLED,
    PLAIN_STUDY,
    write_heartbeat_campaign,
)
from tests.helpers.optuna_storage import optuna_storage

KOLKATA = "?options=-c%20timezone%3DAsia/Kolkata"  # +05:30: a session zone off the hour


@pytest.fixture(scope="module", params=["sqlite", "postgresql", "postgresql-kolkata", "mysql"])
def heartbeats(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """(what hpo-tui opens, the Optuna URL, Optuna's verdict) per backend."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("heartbeat") / "hb.db"
        url = f"sqlite:///{path}"
        return str(path), url, write_heartbeat_campaign(url)
    backend = request.param.split("-")[0]
    url = request.getfixturevalue("fresh_database")(backend)
    if request.param == "postgresql-kolkata":
        url += KOLKATA  # the writer's and the reader's sessions both in Asia/Kolkata
    return url, url, write_heartbeat_campaign(url)


def _study_id(campaign: Campaign, name: str) -> int:
    studies = campaign.studies
    return int(studies.loc[studies["study"] == name, "study_id"].iloc[0])


def _rows(table: pd.DataFrame, campaign: Campaign, name: str) -> pd.DataFrame:
    return table[table["study_id"] == _study_id(campaign, name)].set_index("number")


def test_the_killed_worker_s_trial_is_stalled_as_optuna_says(heartbeats) -> None:
    spec, url, verdict = heartbeats
    campaign = load_campaign([spec])
    study = [_study_id(campaign, HEARTBEAT_STUDY)]
    # At the moment Optuna judged (the alive trial's heartbeat is only GRACE seconds fresh).
    result = timeline(campaign, study, now=verdict["at"], stall_after_s=GRACE)
    rows = result.trials.set_index("number")
    # Optuna: the killed trial is stale, the alive one is not.
    trial_ids = {
        t.number: t._trial_id
        for t in optuna.load_study(study_name=HEARTBEAT_STUDY, storage=url).get_trials()
    }
    optuna_stale = {n for n, tid in trial_ids.items() if tid in verdict["stale_trial_ids"]}
    assert optuna_stale == {KILLED}
    assert set(rows.index[rows["stalled"]]) == optuna_stale
    assert rows.loc[KILLED, "stalled_by"] == "heartbeat"
    # The alive trial's start is older than the threshold: only its heartbeat keeps it alive.
    alive = rows.loc[ALIVE]
    assert (result.now - alive["datetime_start"]).total_seconds() > GRACE
    assert alive["silent_s"] < GRACE
    assert result.stalled["number"].tolist() == [KILLED]


def test_heartbeats_are_utc_between_start_and_now(heartbeats) -> None:
    """Each heartbeat, once mapped to UTC, lies within its trial's life (the database clock
    keeps whole seconds in SQLite: a second of slack)."""
    spec, _url, _ = heartbeats
    campaign = load_campaign([spec])
    study = _study_id(campaign, HEARTBEAT_STUDY)
    trials = campaign.study_trials(study).set_index("key")
    beats = campaign.heartbeats.set_index("key")["last_heartbeat"]
    assert set(beats.index) == set(trials.index)  # every trial of the study recorded one
    slack = pd.Timedelta(seconds=1)
    now = pd.Timestamp.now(tz="UTC")
    for key, beat in beats.items():
        start, end = trials.loc[key, "datetime_start"], trials.loc[key, "datetime_complete"]
        assert start - slack <= beat <= (end if pd.notna(end) else now) + slack, key
    plain = _study_id(campaign, PLAIN_STUDY)
    assert not beats.index.isin(campaign.study_trials(plain)["key"]).any()


def test_without_heartbeats_the_start_decides(heartbeats) -> None:
    spec, _, _ = heartbeats
    campaign = load_campaign([spec])
    study = _study_id(campaign, PLAIN_STUDY)
    running = campaign.study_trials(study).set_index("number")
    start = running.loc[1, "datetime_start"]
    before = timeline(campaign, [study], now=start + timedelta(seconds=9), stall_after_s=10)
    after = timeline(campaign, [study], now=start + timedelta(seconds=11), stall_after_s=10)
    assert not before.trials.set_index("number").loc[1, "stalled"]
    row = after.trials.set_index("number").loc[1]
    assert row["stalled"] and row["stalled_by"] == "start"
    assert row["silent_s"] == pytest.approx(11.0)


def test_reading_heartbeats_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "hb.db"
    write_heartbeat_campaign(f"sqlite:///{path}")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    names = sorted(p.name for p in tmp_path.iterdir())
    campaign = load_campaign([str(path)])
    assert len(campaign.heartbeats) == 5
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == names


def test_a_refresh_reads_a_new_heartbeat(tmp_path: Path) -> None:
    """A running trial's heartbeat moves on between two reads: the refresh takes it, and
    the refreshed campaign's heartbeats equal a fresh load's."""
    path = tmp_path / "live.db"
    url = f"sqlite:///{path}"
    from tests.helpers.heartbeat import heartbeat_storage

    storage = heartbeat_storage(url)
    study = optuna.create_study(study_name="live_2M_h1", storage=storage)
    trial = study.ask()
    storage.record_heartbeat(trial._trial_id)
    live = LiveCampaign([str(path)])
    first = live.campaign.heartbeats["last_heartbeat"].iloc[0]
    time.sleep(1.1)  # SQLite's CURRENT_TIMESTAMP keeps whole seconds
    storage.record_heartbeat(trial._trial_id)
    summary = live.refresh()
    assert summary.changed
    second = live.campaign.heartbeats["last_heartbeat"].iloc[0]
    assert second > first
    pd.testing.assert_frame_equal(live.campaign.heartbeats, load_campaign([str(path)]).heartbeats)


def _local_to_utc(moment: datetime) -> pd.Timestamp:
    """A FrozenTrial datetime (naive local time from RDB storages in Optuna 5, aware from
    journals) as a UTC timestamp."""
    return pd.Timestamp(moment.astimezone(UTC) if moment.tzinfo is None else moment)


def test_bars_and_durations_equal_the_frozen_trials(any_storage: BuiltStorage) -> None:
    campaign = load_campaign([any_storage.spec])
    study = optuna.load_study(study_name=fx.MAIN, storage=optuna_storage(any_storage))
    now = datetime(2030, 1, 1, tzinfo=UTC)
    table = timeline(campaign, [_study_id(campaign, fx.MAIN)], now=now).trials
    assert list(table.columns) == TIMELINE_COLUMNS
    rows = table.set_index("number")
    for trial in study.get_trials():
        row = rows.loc[trial.number]
        assert row["state"] == trial.state.name
        assert row["datetime_start"] == _local_to_utc(trial.datetime_start)
        assert row["datetime_end"] == _local_to_utc(trial.datetime_complete)
        assert row["duration_s"] == pytest.approx(trial.duration.total_seconds(), abs=1e-6)


def test_a_running_trial_s_bar_ends_now(any_storage: BuiltStorage) -> None:
    campaign = load_campaign([any_storage.spec])
    now = datetime(2030, 1, 1, tzinfo=UTC)
    rows = timeline(campaign, [_study_id(campaign, fx.LIVE)], now=now).trials
    running = rows[rows["state"] == "RUNNING"].iloc[0]
    assert running["datetime_end"] == pd.Timestamp(now)
    waiting = rows[rows["state"] == "WAITING"].iloc[0]
    assert pd.isna(waiting["datetime_start"]) and pd.isna(waiting["datetime_end"])
    # No heartbeat in this storage: the start decides, and the default threshold is twice the
    # median duration of the finished trials (far below the years to ``now``).
    assert running["stalled"] and running["stalled_by"] == "start"


@pytest.fixture(scope="module")
def gapped(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[Any]]:
    """One study: trials 0 and 1 back to back, a 0.6 s pause, trial 2, a 0.3 s pause, 3."""
    path = tmp_path_factory.mktemp("gaps") / "gaps.db"
    study = optuna.create_study(study_name="gaps_2M_h1", storage=f"sqlite:///{path}")
    for pause in (0.0, 0.0, 0.6, 0.3):
        time.sleep(pause)
        trial = study.ask()
        study.tell(trial, 1.0)
    return str(path), study.get_trials()


def test_idle_gaps_are_the_pauses_longer_than_the_threshold(gapped) -> None:
    path, frozen = gapped
    campaign = load_campaign([path])
    pauses = [
        (_local_to_utc(b.datetime_start) - _local_to_utc(a.datetime_complete)).total_seconds()
        for a, b in itertools.pairwise(frozen)
    ]
    assert pauses[1] > 0.5 and 0.25 < pauses[2] < 0.5 and pauses[0] < 0.25
    result = timeline(campaign, idle_gap_s=0.25)
    assert list(result.gaps.columns) == GAP_COLUMNS
    assert result.gaps["gap_s"].tolist() == pytest.approx([pauses[1], pauses[2]], abs=1e-6)
    assert result.gaps["gap_start"].iloc[0] == _local_to_utc(frozen[1].datetime_complete)
    assert result.gaps["gap_end"].iloc[0] == _local_to_utc(frozen[2].datetime_start)
    only_long = timeline(campaign, idle_gap_s=0.5)
    assert only_long.gaps["gap_s"].tolist() == pytest.approx([pauses[1]], abs=1e-6)
    # By default a gap is at least a minute: none here.
    assert timeline(campaign).gaps.empty
    summary = result.studies.iloc[0]
    assert list(result.studies.columns) == STUDY_TIMELINE_COLUMNS
    busy = sum(t.duration.total_seconds() for t in frozen)  # sequential: no overlap
    span = (
        _local_to_utc(frozen[-1].datetime_complete) - _local_to_utc(frozen[0].datetime_start)
    ).total_seconds()
    assert summary["busy_s"] == pytest.approx(busy, abs=1e-6)
    assert summary["span_s"] == pytest.approx(span, abs=1e-6)
    assert summary["idle_s"] == pytest.approx(sum(pauses), abs=1e-6)
    assert summary["n_gaps"] == 2
    assert summary["idle_gap_s"] == 0.25
    assert summary["trials_per_hour"] == pytest.approx(4 / (span / 3600))


def test_overlapping_trials_leave_no_gap(tmp_path: Path) -> None:
    """Two workers: trial 0 runs across trial 1 and the pause after it."""
    path = tmp_path / "overlap.db"
    study = optuna.create_study(study_name="overlap", storage=f"sqlite:///{path}")
    long = study.ask()
    short = study.ask()
    study.tell(short, 1.0)
    time.sleep(0.4)
    study.tell(long, 2.0)
    time.sleep(0.4)
    later = study.ask()
    study.tell(later, 3.0)
    result = timeline(load_campaign([str(path)]), idle_gap_s=0.2)
    frozen = study.get_trials()
    expected = (
        _local_to_utc(frozen[2].datetime_start) - _local_to_utc(frozen[0].datetime_complete)
    ).total_seconds()
    assert result.gaps["gap_s"].tolist() == pytest.approx([expected], abs=1e-6)


def test_trials_per_hour_count_completions_by_utc_hour(any_storage: BuiltStorage) -> None:
    campaign = load_campaign([any_storage.spec])
    study = optuna.load_study(study_name=fx.MAIN, storage=optuna_storage(any_storage))
    hours = timeline(campaign, [_study_id(campaign, fx.MAIN)]).per_hour
    assert list(hours.columns) == HOUR_COLUMNS
    expected: dict[pd.Timestamp, dict[str, int]] = {}
    for trial in study.get_trials():
        hour = _local_to_utc(trial.datetime_complete).floor("h")
        counts = expected.setdefault(hour, {"COMPLETE": 0, "PRUNED": 0, "FAIL": 0})
        counts[trial.state.name] += 1
    first, last = min(expected), max(expected)
    assert hours["hour"].iloc[0] == first and hours["hour"].iloc[-1] == last
    assert len(hours) == int((last - first) / pd.Timedelta(hours=1)) + 1
    for row in hours.itertuples(index=False):
        counts = expected.get(row.hour, {"COMPLETE": 0, "PRUNED": 0, "FAIL": 0})
        assert (row.n_complete, row.n_pruned, row.n_fail) == (
            counts["COMPLETE"],
            counts["PRUNED"],
            counts["FAIL"],
        )
        assert row.n_finished == sum(counts.values())


def test_default_thresholds(any_storage: BuiltStorage) -> None:
    """Stall: twice the median duration of COMPLETE/PRUNED trials, at least 5 minutes; a
    study with none gets an hour. Gap: the median, at least a minute."""
    campaign = load_campaign([any_storage.spec])
    main = _study_id(campaign, fx.MAIN)
    trials = campaign.study_trials(main)
    finished = trials[trials["state"].isin(["COMPLETE", "PRUNED"])]
    median = float(np.median(finished["duration_s"]))
    summary = timeline(campaign, [main]).studies.iloc[0]
    assert summary["stall_after_s"] == max(MIN_STALL_S, 2 * median)
    assert summary["idle_gap_s"] == max(MIN_IDLE_GAP_S, median)
    assert (DEFAULT_STALL_S, MIN_STALL_S, MIN_IDLE_GAP_S) == (3600.0, 300.0, 60.0)


def test_long_trials_set_the_stall_threshold(tmp_path: Path) -> None:
    """Above the floor the median decides: trials of 10 min and 20 min (median 15 min, worked
    out by hand) give a 30 min threshold. Durations cannot be set through Optuna, so the
    campaign's trials are moved in time after the load."""
    path = tmp_path / "long.db"
    study = optuna.create_study(study_name="long", storage=f"sqlite:///{path}")
    for _ in range(2):
        study.tell(study.ask(), 1.0)
    study.ask()
    campaign = load_campaign([str(path)])
    trials = campaign.trials
    starts = trials["datetime_start"]
    trials["datetime_complete"] = [
        starts.iloc[0] + pd.Timedelta(minutes=10),
        starts.iloc[1] + pd.Timedelta(minutes=20),
        pd.NaT,
    ]
    summary = timeline(campaign).studies.iloc[0]
    assert summary["stall_after_s"] == 1800.0
    assert summary["idle_gap_s"] == 900.0


def test_a_threshold_must_be_positive(sqlite_storage: BuiltStorage) -> None:
    campaign = load_campaign([sqlite_storage.spec])
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="positive"):
            timeline(campaign, stall_after_s=bad)
        with pytest.raises(ValueError, match="positive"):
            timeline(campaign, idle_gap_s=bad)
