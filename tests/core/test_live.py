"""Incremental refresh: only what changed is read, the result equals a fresh full load, and
workers writing the study are never disturbed."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.model.live import LiveCampaign
from tests.helpers.compare import assert_same_frames
from tests.helpers.paths import ROOT
from tests.helpers.worker import STUDIES, finish_workers, start_workers, storage_for


def _new_storage(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'live.db'}"
    if kind == "journal":
        return str(tmp_path / "live.log")
    if kind == "redis":
        return str(request.getfixturevalue("redis_server").fresh_spec())
    base = request.getfixturevalue("pg_database" if kind == "postgresql" else "mysql_database")
    return _fresh_server_db(base, kind, tmp_path.name)


def _fresh_server_db(base: str, kind: str, suffix: str) -> str:
    """A database of its own for this test on the session's server."""
    import uuid

    name = f"hpo_tui_live_{uuid.uuid4().hex[:8]}"
    if kind == "postgresql":
        import psycopg2

        admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        _CREATED.append((kind, name))
        return f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    import pymysql

    admin = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="", autocommit=True)
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}`")
    admin.close()
    _CREATED.append((kind, name))
    return f"mysql+pymysql://root@127.0.0.1:3306/{name}"


_CREATED: list[tuple[str, str]] = []


@pytest.fixture(autouse=True)
def _drop_created_databases():
    yield
    while _CREATED:
        kind, name = _CREATED.pop()
        if kind == "postgresql":
            import psycopg2

            admin = psycopg2.connect(
                host="127.0.0.1", port=5432, user="postgres", dbname="postgres"
            )
            admin.autocommit = True
            with admin.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
        else:
            import pymysql

            admin = pymysql.connect(
                host="127.0.0.1", port=3306, user="root", password="", autocommit=True
            )
            with admin.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
            admin.close()


BACKENDS = ["sqlite", "journal", "redis", "postgresql", "mysql"]


@pytest.mark.parametrize("kind", BACKENDS)
def test_refresh_sees_new_running_and_finished_trials(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    spec = _new_storage(kind, tmp_path, request)
    storage = storage_for(spec)
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(study_name="w_2M_h1", storage=storage)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    live = LiveCampaign([spec])
    assert not live.refresh().changed  # nothing happened

    running = study.ask()
    running.suggest_float("x", 0, 1)
    running.report(0.9, 0)
    summary = live.refresh()
    assert (summary.new_trials, summary.finished) == (1, 0)
    assert summary.describe() == "+1 trial"
    assert not live.refresh().changed  # a running trial that did not move: no rebuild

    running.report(0.8, 1)
    summary = live.refresh()
    assert summary.updated == 1
    key = next(iter(summary.changed_keys))
    assert live.campaign.trial_curves(key)["value"].tolist() == [0.9, 0.8]

    study.tell(running, 0.8)
    optuna.create_study(study_name="w_2B_h1", storage=storage)
    summary = live.refresh()
    assert summary.finished == 1 and summary.new_studies == 1
    assert summary.describe() == "+1 study, 1 finished"
    assert_same_frames(live.campaign, load_campaign([spec]))


@pytest.mark.parametrize("kind", BACKENDS)
def test_concurrent_workers_are_not_disturbed(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    spec = _new_storage(kind, tmp_path, request)
    storage = storage_for(spec)
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    for name in STUDIES:
        optuna.create_study(study_name=name, storage=storage)
    live = LiveCampaign([spec])
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.helpers.worker", spec, "5", str(seed)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in range(4)
    ]
    refreshes = 0
    deadline = time.monotonic() + 240
    while any(w.poll() is None for w in workers) and time.monotonic() < deadline:
        live.refresh()
        refreshes += 1
        time.sleep(0.2)
    errors = [w.communicate()[1] for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0, 0], errors
    assert not any("locked" in e or "Traceback" in e for e in errors), errors
    assert refreshes >= 3
    live.refresh()
    fresh = load_campaign([spec])
    assert len(fresh.trials) == 20
    assert_same_frames(live.campaign, fresh)


@pytest.mark.parametrize("kind", BACKENDS)
def test_a_sweep_that_starts_after_opening_and_pauses_is_followed(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The reader opens a storage whose only study has 0 trials; then a second study is
    created and two workers run, each pausing 3 s between trials (so that for a while no
    trial is RUNNING). Every refresh keeps up, and the end equals a fresh load."""
    spec = _new_storage(kind, tmp_path, request)
    storage = storage_for(spec)
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    optuna.create_study(study_name=STUDIES[0], storage=storage)
    live = LiveCampaign([spec])
    assert (len(live.campaign.studies), len(live.campaign.trials)) == (1, 0)
    assert not live.refresh().changed
    optuna.create_study(study_name=STUDIES[1], storage=storage)
    assert live.refresh().new_studies == 1
    workers = start_workers(spec, workers=2, trials=3, pause=3.0)
    idle_refreshes = 0  # refreshes that saw trials but none RUNNING: the workers' pauses
    deadline = time.monotonic() + 240
    while any(w.poll() is None for w in workers) and time.monotonic() < deadline:
        live.refresh()
        states = live.campaign.trials["state"]
        idle_refreshes += bool(len(states) and not states.isin(["RUNNING", "WAITING"]).any())
        time.sleep(0.2)
    finish_workers(workers)
    live.refresh()
    fresh = load_campaign([spec])
    assert len(fresh.trials) == 6
    assert_same_frames(live.campaign, fresh)
    assert idle_refreshes >= 1  # the case this test is about did occur


def test_journal_partial_last_line_waits(tmp_path: Path) -> None:
    path = tmp_path / "j.log"
    storage = storage_for(str(path))
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(study_name="j_2M_h1", storage=storage)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    live = LiveCampaign([str(path)])
    complete = path.read_bytes()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    appended = path.read_bytes()[len(complete) :]
    path.write_bytes(complete + appended[: len(appended) // 2])  # a writer mid-append
    live.refresh()
    assert len(live.campaign.trials) <= 2
    path.write_bytes(complete + appended)
    live.refresh()
    assert len(live.campaign.trials) == 2
    assert_same_frames(live.campaign, load_campaign([str(path)]))
    assert not any("incomplete" in w for w in live.campaign.warnings)


def test_journal_opened_mid_line_waits_quietly_then_says_when_the_line_stays_cut(
    tmp_path: Path,
) -> None:
    """A writer may be mid-line when the viewer opens the file: no warning then. A cut line
    that is still cut one refresh later is no writer at work: that is said, once."""
    path = tmp_path / "j.log"
    storage = storage_for(str(path))
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(study_name="j_2M_h1", storage=storage)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    complete = path.read_bytes()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    appended = path.read_bytes()[len(complete) :]
    path.write_bytes(complete + appended[:-5])  # cut inside the last record
    live = LiveCampaign([str(path)])
    assert not any("incomplete" in w for w in live.campaign.warnings)
    live.refresh()  # the same cut line, a whole refresh later
    cut = [w for w in live.campaign.warnings if "incomplete" in w]
    assert len(cut) == 1 and str(path) in cut[0]
    live.refresh()
    assert len([w for w in live.campaign.warnings if "incomplete" in w]) == 1  # said once
    path.write_bytes(complete + appended)  # the writer finishes after all
    live.refresh()
    assert len(live.campaign.trials) == 2
    assert_same_frames(live.campaign, load_campaign([str(path)]))


def test_splice_matches_full_build_when_new_columns_and_types_appear(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'splice.db'}"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(study_name="sp_2M_h1", storage=url)
    multi = optuna.create_study(
        study_name="sp_2B_h3", storage=url, directions=["minimize", "maximize"]
    )

    def first(trial: optuna.Trial) -> float:
        trial.suggest_categorical("width", [16, 2.5])  # ints only in these trials
        trial.set_user_attr("val_losses", [1.0, 0.5])
        trial.report(1.0, 0)
        return 1.0

    study.enqueue_trial({"width": 16})
    study.enqueue_trial({"width": 16})
    study.optimize(first, n_trials=2)
    multi.optimize(lambda t: (t.suggest_float("x", 0, 1), 1.0), n_trials=2)
    live = LiveCampaign([url])

    def second(trial: optuna.Trial) -> float:
        trial.suggest_categorical("width", [16, 2.5])
        trial.suggest_int("depth", 1, 3)  # a param the campaign has not seen
        trial.set_user_attr("note", "new attr")
        trial.set_user_attr("train_acc", [0.5, float("nan"), 0.7])  # a new curve name
        trial.set_user_attr("diverged", True)
        return 0.5

    study.enqueue_trial({"width": 2.5})  # now the column mixes int and float
    study.optimize(second, n_trials=1)
    multi.optimize(lambda t: (t.suggest_float("x", 0, 1), 2.0), n_trials=1)
    summary = live.refresh()
    assert summary.new_trials == 2
    fresh = load_campaign([url])
    assert fresh.trials["param_width"].dtype == object  # int and float: kept as they are
    assert_same_frames(live.campaign, fresh)


def test_a_storage_that_appears_in_a_watched_directory_is_picked_up(tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    folder.mkdir()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    first = optuna.create_study(study_name="a_2M_h1", storage=f"sqlite:///{folder / 'a.db'}")
    first.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    live = LiveCampaign([str(folder)])
    assert not live.refresh().changed
    (folder / "notes.txt").write_text("not a storage")  # ignored, and not an error
    second = optuna.create_study(study_name="b_2B_h1", storage=f"sqlite:///{folder / 'b.db'}")
    second.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    summary = live.refresh()
    assert (summary.new_studies, summary.new_trials) == (1, 3)
    # b.db sorts after a.db, so a fresh load numbers the sources the same way
    assert_same_frames(live.campaign, load_campaign([str(folder)]))
    assert not live.refresh().changed


def test_splice_equals_full_build_when_curve_names_and_order_change(tmp_path: Path) -> None:
    """The splice renumbers curve categories when a new name sorts before the old ones,
    drops names no longer used, and inserts trials between kept ones."""
    spec = f"sqlite:///{tmp_path / 'splice.db'}"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    first = optuna.create_study(study_name="a_2M_h1", storage=spec)
    second = optuna.create_study(study_name="b_2M_h3", storage=spec)
    for study in (first, second):
        for value in (0.5, 0.4):
            trial = study.ask()
            trial.report(value, 0)
            trial.set_user_attr("val_losses", [value, value / 2])
            study.tell(trial, value)
    running = first.ask()
    running.set_user_attr("zz_only_here", [1.0, 2.0])  # the only trial with this curve
    live = LiveCampaign([spec])
    assert "zz_only_here" in set(live.campaign.curves["curve"].cat.categories)

    running.set_user_attr("zz_only_here", "no longer a curve")
    running.set_user_attr("a_first_curve", [3.0, 2.0, 1.0])  # sorts before "intermediate"
    first.tell(running, 0.3)
    late = second.ask()  # a new trial after the replaced one
    late.report(0.2, 0)
    summary = live.refresh()
    assert summary.changed
    assert_same_frames(live.campaign, load_campaign([spec]))
    names = list(live.campaign.curves["curve"].cat.categories)
    assert names == ["a_first_curve", "intermediate", "val_losses"]
