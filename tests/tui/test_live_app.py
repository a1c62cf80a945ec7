"""The app while a sweep runs: refresh keeps cursor, sort and marks; counts end right."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest
from textual.widgets import Static

from hpo_tui.core import load_campaign
from hpo_tui.core.model.watch import WatchPolicy
from hpo_tui.tui.app import HpoApp
from hpo_tui.tui.screens.study import StudyScreen
from hpo_tui.tui.screens.trial import TrialScreen
from hpo_tui.tui.widgets.curve_plot import CurvePlot
from tests.helpers.compare import assert_same_campaign
from tests.helpers.worker import STUDIES, finish_workers, start_workers, storage_for
from tests.tui.conftest import loaded

SIZE = (120, 40)


def _objective(trial: optuna.Trial) -> float:
    x = trial.suggest_float("x", 0.0, 1.0)
    for step in range(3):
        trial.report(x + step, step)
    return x


async def test_refresh_cycles_keep_view_state(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sweep.db'}"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(
        study_name="s_2M_h1", storage=url, sampler=optuna.samplers.RandomSampler(0)
    )
    study.optimize(_objective, n_trials=6)
    running = study.ask()
    running.suggest_float("x", 0.0, 1.0)
    running.report(0.5, 0)

    app = HpoApp([url], show_clock=False, watch_seconds=None)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        # sort by value descending, mark a trial, put the cursor on a known trial
        target = screen.table.state.columns.index("value") + 1
        while screen.table.table.cursor_column < target:
            await pilot.press("right")
        await pilot.press("s", "s")
        await pilot.pause()
        await pilot.press("down")
        marked_key = screen.table.current_key()
        await pilot.press("space")
        await pilot.pause()
        cursor_key = screen.table.current_key()
        for cycle in range(3):
            study.optimize(_objective, n_trials=2)
            running.report(0.4 - cycle * 0.1, cycle + 1)
            await pilot.press("r")
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.pause()
            assert screen.table.state.sort_column == "value"
            assert screen.table.state.ascending is False
            assert screen.table.state.marked == {marked_key}
            assert screen.table.current_key() == cursor_key
            assert len(screen.table.recent) == 3  # two new trials, one running trial moved
        study.tell(running, 0.1)
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert "1 finished" in app.sub_title
        fresh = load_campaign([url])
        assert len(screen.table.trials) == len(fresh.trials) == 13
        row = app.campaign.studies.iloc[0]
        assert (row["n_complete"], row["n_running"]) == (13, 0)


async def test_running_curve_grows_on_the_trial_screen(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'grow.db'}"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(study_name="g_2M_h1", storage=url)
    running = study.ask()
    running.suggest_float("x", 0.0, 1.0)
    running.report(1.0, 0)
    app = HpoApp([url], show_clock=False, watch_seconds=0.2)  # auto-refresh: a trial runs
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TrialScreen)
        assert len(screen.query_one(CurvePlot).series[0].steps) == 1
        running.report(0.5, 1)
        running.report(0.25, 2)
        for _ in range(30):
            await pilot.pause(0.1)
            if len(screen.query_one(CurvePlot).series[0].steps) == 3:
                break
        assert screen.query_one(CurvePlot).series[0].values == [1.0, 0.5, 0.25]


async def _caught_up(pilot, app: HpoApp, spec: str, workers) -> None:
    """Wait for the workers, then for the watch to show what they wrote; assert that the
    view equals a fresh load."""
    while any(w.poll() is None for w in workers):
        await pilot.pause(0.2)
    finish_workers(workers)
    fresh = load_campaign([spec])
    for _ in range(100):  # the watch period is short: a few periods are plenty
        await pilot.pause(0.1)
        campaign = app.campaign
        if (
            campaign is not None
            and len(campaign.trials) == len(fresh.trials)
            and not campaign.trials["state"].isin(["RUNNING", "WAITING"]).any()
        ):
            break
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert app.campaign is not None
    assert_same_campaign(app.campaign, fresh)


@pytest.mark.parametrize(
    ("finished_before", "pause", "watch"),
    [
        (0, 0.0, 0.05),
        (4, 3.0, 0.05),
        (4, 3.0, WatchPolicy(period=0.05, ceiling=0.4)),
    ],
    ids=[
        "zero-trials-at-open",
        "resumed-workers-pause-between-trials",
        "backing-off-workers-pause-between-trials",
    ],
)
async def test_watch_follows_a_sweep_started_after_opening(
    tmp_path: Path, finished_before: int, pause: float, watch: float | WatchPolicy
) -> None:
    """The view is opened first; then a sweep starts (on a study with 0 trials, or resumes a
    finished one), and a study is created. With ``pause`` every worker waits between trials,
    so for a while no trial is RUNNING: the watch must keep polling through it."""
    spec = f"sqlite:///{tmp_path / 'resume.db'}"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(study_name=STUDIES[0], storage=spec)
    study.optimize(_objective, n_trials=finished_before)
    app = HpoApp([spec], show_clock=False, watch_seconds=watch)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert app.campaign is not None and len(app.campaign.trials) == finished_before
        optuna.create_study(study_name=STUDIES[1], storage=spec)
        workers = start_workers(spec, workers=2, trials=3, pause=pause)
        await _caught_up(pilot, app, spec, workers)
        assert len(app.campaign.trials) == finished_before + 6


async def _check_now(pilot) -> None:
    """Press ``r`` and wait until the app has handled what the refresh reported."""
    before = pilot.app.checks_done
    await pilot.press("r")
    await pilot.app.workers.wait_for_complete()
    for _ in range(100):
        await pilot.pause()
        if pilot.app.checks_done > before:
            return
        await pilot.pause(0.05)
    raise AssertionError("the refresh never reported")


async def test_default_watch_backs_off_while_idle_and_says_so(tmp_path: Path) -> None:
    """Checks are triggered with ``r`` here (a check like any other); the period is long
    enough that no timer fires during the test, so each step's wait is known."""
    spec = f"sqlite:///{tmp_path / 'idle.db'}"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(study_name="idle_2M_h1", storage=spec)
    study.optimize(_objective, n_trials=2)
    app = HpoApp([spec], watch_seconds=WatchPolicy(period=30, ceiling=100))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        while not app.checks_done:  # the load is the first check
            await pilot.pause(0.05)
        assert app.sub_title.endswith("watching every 30 s")
        seen = []
        for _ in range(3):
            await _check_now(pilot)
            seen.append(app.sub_title.rsplit(" · ", 1)[-1])
        assert seen == ["next check in 60 s", "next check in 100 s", "next check in 100 s"]
        assert " · checked " in app.sub_title
        study.optimize(_objective, n_trials=1)
        await _check_now(pilot)
        assert app.sub_title.endswith(" · +1 trial · watching every 30 s")
        assert app.sub_title.startswith("1 study · refreshed ")
        grid_title = str(app.screen.query_one("#grid-title", Static).content)
        assert "\n1 study · 3 trials · " in grid_title
        running = study.ask()  # a running trial keeps the short period, even when idle
        running.report(1.0, 0)
        await _check_now(pilot)
        await _check_now(pilot)
        assert app.sub_title.endswith("watching every 30 s")
        assert app.watch_wait == 30
        study.tell(running, 1.0)
        await _check_now(pilot)
        await _check_now(pilot)
        assert app.sub_title.endswith("next check in 60 s")


async def test_no_watch_says_so(tmp_path: Path) -> None:
    spec = f"sqlite:///{tmp_path / 'off.db'}"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    optuna.create_study(study_name="off_2M_h1", storage=spec).optimize(_objective, n_trials=1)
    app = HpoApp([spec], watch_seconds=None)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        while not app.checks_done:
            await pilot.pause(0.05)
        assert app.sub_title.endswith(" · not watching")
        await _check_now(pilot)
        assert app.sub_title.endswith(" · not watching")


async def test_a_failed_check_does_not_end_the_watch(tmp_path: Path) -> None:
    """The storage is moved away (each check fails and says so), then comes back with new
    trials: the watch is still running and shows them."""
    path = tmp_path / "moved.log"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(study_name=STUDIES[0], storage=storage_for(str(path)))
    study.optimize(_objective, n_trials=1)
    app = HpoApp([str(path)], show_clock=False, watch_seconds=0.05)
    severities: list[str] = []
    notify = app.notify

    def recording_notify(message: str, **kwargs) -> None:
        severities.append(kwargs.get("severity", "information"))
        notify(message, **kwargs)

    app.notify = recording_notify  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        aside = tmp_path / "aside.log"
        path.rename(aside)
        for _ in range(100):
            await pilot.pause(0.1)
            if "error" in severities:
                break
        assert "error" in severities  # "no such file (removed?)"
        optuna.load_study(study_name=STUDIES[0], storage=storage_for(str(aside))).optimize(
            _objective, n_trials=2
        )
        aside.rename(path)
        fresh = load_campaign([str(path)])
        for _ in range(100):
            await pilot.pause(0.1)
            if app.campaign is not None and len(app.campaign.trials) == len(fresh.trials):
                break
        await app.workers.wait_for_complete()
        assert app.campaign is not None
        assert_same_campaign(app.campaign, fresh)
