"""The app while a sweep runs: refresh keeps cursor, sort and marks; counts end right."""

from __future__ import annotations

from pathlib import Path

import optuna

from hpo_tui.core import load_campaign
from hpo_tui.tui.app import HpoApp
from hpo_tui.tui.screens.study import StudyScreen
from hpo_tui.tui.screens.trial import TrialScreen
from hpo_tui.tui.widgets.curve_plot import CurvePlot
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
