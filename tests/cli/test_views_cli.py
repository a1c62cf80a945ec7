"""``hpo-tui history``, ``edf`` and ``timeline``: the same numbers as the core (and so as
Optuna's, see tests/core/test_history.py, test_edf.py, test_timeline.py), exact in csv/json;
bad input is one line and exit 2."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import optuna
import pytest
from optuna.visualization._edf import _get_edf_info

from hpo_tui.cli import main
from tests.conftest import BuiltStorage
from tests.helpers import fixture_campaign as fx
from tests.helpers.export_compare import csv_frame
from tests.helpers.heartbeat import GRACE, HEARTBEAT_STUDY, KILLED, write_heartbeat_campaign
from tests.helpers.optuna_storage import optuna_storage
from tests.helpers.sqlite_file import written_sqlite


def test_history_csv_holds_every_value_exactly(
    sqlite_storage: BuiltStorage, capsys: pytest.CaptureFixture
) -> None:
    assert main(["history", sqlite_storage.spec, "--study", fx.MAIN, "--format", "csv"]) == 0
    table = csv_frame(capsys.readouterr().out)
    study = optuna.load_study(study_name=fx.MAIN, storage=optuna_storage(sqlite_storage))
    trials = study.get_trials()
    assert table["number"].tolist() == [t.number for t in trials]
    best = np.inf
    for row, trial in zip(table.itertuples(index=False), trials, strict=True):
        if trial.state.name == "COMPLETE":
            assert row.value == trial.value  # inf is written "inf", read back as inf
            best = min(best, trial.value)
        else:
            assert np.isnan(row.value)
        assert row.best_value == best  # no constraints: every COMPLETE trial counts
    assert "study_id" not in table.columns


def test_history_by_time_in_json(
    sqlite_storage: BuiltStorage, capsys: pytest.CaptureFixture
) -> None:
    args = ["history", sqlite_storage.spec, "--study", fx.LIVE, "--by", "time", "--format", "json"]
    assert main(args) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["state"] for r in records] == ["COMPLETE", "COMPLETE"]  # RUNNING/WAITING: no end
    assert all(r["datetime_complete"].endswith("+00:00") for r in records)


def test_history_table_notes_a_multi_objective_study(
    sqlite_storage: BuiltStorage, capsys: pytest.CaptureFixture
) -> None:
    assert main(["history", sqlite_storage.spec, "--study", fx.MULTI]) == 0
    captured = capsys.readouterr()
    assert f"{fx.MULTI} is multi-objective" in captured.err
    assert "0 trials" in captured.out


def test_edf_points_are_optunas(
    sqlite_storage: BuiltStorage, capsys: pytest.CaptureFixture
) -> None:
    args = ["edf", sqlite_storage.spec, "--study", fx.MAIN, "--study", fx.LIVE]
    assert main([*args, "--points", "100", "--format", "csv"]) == 0
    table = csv_frame(capsys.readouterr().out)
    storage = optuna_storage(sqlite_storage)
    studies = [optuna.load_study(study_name=n, storage=storage) for n in (fx.MAIN, fx.LIVE)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        info = _get_edf_info(studies)
    for line in info.lines:
        rows = table[table["study"] == line.study_name]
        assert np.array_equal(rows["x"].to_numpy(), info.x_values)  # exact through the text
        assert np.array_equal(rows["fraction"].to_numpy(), line.y_values)


def test_edf_without_points_lists_each_distinct_value(
    sqlite_storage: BuiltStorage, capsys: pytest.CaptureFixture
) -> None:
    assert main(["edf", sqlite_storage.spec, "--study", fx.MAXIMIZE, "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    study = optuna.load_study(study_name=fx.MAXIMIZE, storage=optuna_storage(sqlite_storage))
    values = sorted(t.value for t in study.get_trials())
    assert [r["value"] for r in records] == values
    assert [r["fraction"] for r in records] == [(i + 1) / len(values) for i in range(len(values))]


@pytest.mark.parametrize("points", ["1", "x"])
def test_edf_refuses_bad_points(sqlite_storage: BuiltStorage, points: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["edf", sqlite_storage.spec, "--points", points])
    assert exit_info.value.code == 2
    assert "--points" in capsys.readouterr().err


def test_an_unknown_study_is_one_line_and_exit_2(
    sqlite_storage: BuiltStorage, capsys: pytest.CaptureFixture
) -> None:
    for command in ("history", "edf", "timeline"):
        assert main([command, sqlite_storage.spec, "--study", "nope"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "no study named 'nope'" in err


@pytest.fixture(scope="module")
def heartbeat_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return written_sqlite(tmp_path_factory, "cli-heartbeat/hb.db", write_heartbeat_campaign)


def test_timeline_lists_the_killed_worker_s_trial(
    heartbeat_db: str, capsys: pytest.CaptureFixture
) -> None:
    args = ["timeline", heartbeat_db, "--study", HEARTBEAT_STUDY, "--view", "stalled"]
    assert main([*args, "--stall-after", str(GRACE), "--format", "csv"]) == 0
    # The alive trial's heartbeat gets older too once the fixture is written: only the
    # killed one is sure to be listed (tests/core/test_timeline.py fixes "now" instead).
    table = csv_frame(capsys.readouterr().out).set_index("number")
    assert KILLED in table.index
    assert table.loc[KILLED, "stalled_by"] == "heartbeat"
    assert table.loc[KILLED, "last_heartbeat"].endswith("+00:00")
    assert table.index[0] == KILLED  # the longest silent first
    assert main([*args, "--stall-after", str(GRACE)]) == 0
    out = capsys.readouterr().out
    assert "1 stalled trial" in out and "heartbeat" in out


def test_timeline_studies_view_counts_the_stalled(
    heartbeat_db: str, capsys: pytest.CaptureFixture
) -> None:
    assert main(["timeline", heartbeat_db, "--stall-after", str(GRACE)]) == 0
    out = capsys.readouterr().out
    assert "--view stalled lists them" in out
    assert main(["timeline", heartbeat_db, "--format", "json", "--stall-after", "2"]) == 0
    studies = {r["study"]: r for r in json.loads(capsys.readouterr().out)}
    assert studies[HEARTBEAT_STUDY]["n_running"] == 2
    assert studies[HEARTBEAT_STUDY]["n_stalled"] >= 1  # the killed trial (see above)
    assert studies[HEARTBEAT_STUDY]["stall_after_s"] == 2.0


@pytest.mark.parametrize("view", ["trials", "gaps", "hours"])
def test_timeline_views_in_csv(sqlite_storage: BuiltStorage, view: str, capsys) -> None:
    assert main(["timeline", sqlite_storage.spec, "--view", view, "--format", "csv"]) == 0
    table = csv_frame(capsys.readouterr().out)
    assert "study" in table.columns and "study_id" not in table.columns
    if view == "trials":
        assert len(table) == sum(len(s["trials"]) for s in sqlite_storage.expected.values())


@pytest.mark.parametrize("flag", ["--stall-after", "--idle-gap"])
@pytest.mark.parametrize("value", ["0", "-5", "soon", "inf"])
def test_timeline_refuses_a_bad_threshold(
    sqlite_storage: BuiltStorage, flag: str, value: str, capsys
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["timeline", sqlite_storage.spec, flag, value])
    assert exit_info.value.code == 2
    assert flag in capsys.readouterr().err


def test_the_table_says_missing_and_durations_in_words(
    sqlite_storage: BuiltStorage, capsys: pytest.CaptureFixture
) -> None:
    assert main(["timeline", sqlite_storage.spec, "--study", fx.LIVE, "--view", "trials"]) == 0
    out = capsys.readouterr().out
    assert "NaT" not in out and "nan" not in out
    assert "—" in out  # the WAITING trial has no start


def test_the_sources_column_appears_with_two_sources(
    tmp_path: Path, sqlite_storage: BuiltStorage, capsys: pytest.CaptureFixture
) -> None:
    other = tmp_path / "other.db"
    study = optuna.create_study(study_name=fx.MAIN, storage=f"sqlite:///{other}")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    args = ["history", sqlite_storage.spec, str(other), "--study", fx.MAIN, "--format", "csv"]
    assert main(args) == 0
    table = csv_frame(capsys.readouterr().out)
    assert table.columns[:2].tolist() == ["study", "source"]
    assert table["source"].nunique() == 2
