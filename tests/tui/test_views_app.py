"""Pilot tests of the history, EDF and timeline screens on the golden campaign: opened from
the grid, the study tables and the palette; what they plot is the core's numbers (which the
core tests check against Optuna's)."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from textual.command import CommandInput, CommandPalette

from hpo_tui.core.analysis.edf import edf
from hpo_tui.core.analysis.history import optimization_history
from hpo_tui.core.analysis.timeline import timeline
from hpo_tui.tui.app import HpoApp
from hpo_tui.tui.screens.edf import EdfScreen, edf_steps
from hpo_tui.tui.screens.grid import GridScreen
from hpo_tui.tui.screens.history import HistoryScreen, staircase, time_unit
from hpo_tui.tui.screens.study import StudyScreen
from hpo_tui.tui.screens.timeline import TimelineScreen
from hpo_tui.tui.widgets.curve_plot import CurvePlot
from hpo_tui.tui.widgets.gantt import GanttChart, assign_lanes
from tests.helpers.sqlite_file import small_study
from tests.tui.conftest import FIXED_NOW, loaded, make_app, press

SIZE = (120, 40)


def _text(renderable: object) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def _study_id(app, name: str) -> int:
    studies = app.campaign.studies
    return int(studies.loc[studies["study"] == name, "study_id"].iloc[0])


def test_staircase_holds_the_best_until_the_next_trial() -> None:
    xs, ys = staircase(np.array([0.0, 1.0, 2.0]), np.array([3.0, 1.0, 1.0]))
    assert list(zip(xs.tolist(), ys.tolist(), strict=True)) == [
        (0, 3),
        (1, 3),
        (1, 1),
        (2, 1),
        (2, 1),
    ]


def test_edf_steps_start_at_zero_and_jump_at_each_value() -> None:
    xs, ys = edf_steps(np.array([0.2, 0.5]), np.array([0.5, 1.0]))
    assert list(zip(xs.tolist(), ys.tolist(), strict=True)) == [
        (0.2, 0.0),
        (0.2, 0.5),
        (0.5, 0.5),
        (0.5, 1.0),
    ]


def test_time_unit_follows_the_span() -> None:
    assert time_unit(np.array([0.0, 90.0]))[0] == 1.0
    assert time_unit(np.array([0.0, 3000.0]))[0] == 60.0
    assert time_unit(np.array([0.0, 5 * 3600.0]))[0] == 3600.0
    assert time_unit(np.array([0.0, 9 * 86400.0]))[0] == 86400.0


def test_lanes_never_overlap_and_are_as_many_as_the_most_at_once() -> None:
    # Intervals [0,4] [1,2] [3,6] [5,7]: at most two run at once (1–2, 3–4, 5–6).
    starts, ends = np.array([0, 1, 3, 5]), np.array([4, 2, 6, 7])
    lanes = assign_lanes(starts, ends)
    assert lanes.tolist() == [0, 1, 1, 0]
    for lane in set(lanes.tolist()):
        mine = sorted(zip(starts[lanes == lane], ends[lanes == lane], strict=True))
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(mine))


async def test_history_from_the_grid_plots_the_core_history() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        grid = app.screen
        assert isinstance(grid, GridScreen)
        study_id = grid.selected_study()
        await press(pilot, "H")
        screen = app.screen
        assert isinstance(screen, HistoryScreen) and screen.study_id == study_id
        plot = screen.query_one(CurvePlot)
        history = optimization_history(app.campaign, [study_id])
        best, values = plot.series[0], plot.series[1]
        x, y = staircase(history["number"].to_numpy(float), history["best_value"].to_numpy())
        assert best.steps == x.tolist() and best.raw == y.tolist()
        complete = history[history["value"].notna()]
        assert values.scatter and values.raw == complete["value"].tolist()
        title = _text(screen.query_one("#history-title").content)
        last = history[history["new_best"]].iloc[-1]
        assert f"at #{int(last['number'])}" in title


async def test_history_scope_cycles_row_column_and_study() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await press(pilot, "H", "x")
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        assert screen.result is not None and screen.result.scope.label == "budget 2M"
        await press(pilot, "x")
        scope = screen.result.scope
        assert scope.label == "horizon h1"
        names = {_study_id(app, n) for n in ("fx_2M_h1", "fx_200M_h1")}
        assert set(scope.study_ids) == names
        plot = screen.query_one(CurvePlot)
        assert [s.label for s in plot.series] == ["fx_2M_h1", "fx_200M_h1"]  # values off
        await press(pilot, "v")
        assert any(s.scatter for s in plot.series)
        await press(pilot, "x")
        assert screen.result.scope.scope == "study"


async def test_history_by_time_uses_completion_times() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await press(pilot, "H", "b")
        screen = app.screen
        assert isinstance(screen, HistoryScreen) and screen.result is not None
        assert screen.result.by == "time"
        plot = screen.query_one(CurvePlot)
        assert plot.xlabels[0] == "seconds since the first trial started"
        history = screen.result.history
        assert (
            plot.series[0].steps
            == staircase(history["elapsed_s"].to_numpy(float), history["best_value"].to_numpy())[
                0
            ].tolist()
        )


async def test_edf_overlays_the_grid_column() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await press(pilot, "E")
        screen = app.screen
        assert isinstance(screen, EdfScreen) and screen.result is not None
        assert screen.result.scope.label == "horizon h1"
        ids = screen.result.scope.study_ids
        expected = edf(app.campaign, ids)
        plot = screen.query_one(CurvePlot)
        assert len(plot.series) == 2
        for series, study_id in zip(plot.series, ids, strict=True):
            rows = expected[expected["study_id"] == study_id]
            assert series.raw[-1] == 1.0
            assert set(series.steps) == set(rows["value"].tolist())
        table = _text(screen.query_one("#edf-table").content)
        assert "fx_2M_h1" in table and "median" in table


async def test_an_off_grid_study_has_only_itself() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        off = _study_id(app, "sanity check (no axes)")
        app.open_view("edf", off)
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, EdfScreen) and screen.result is not None
        assert screen.result.scope.study_ids == [off]
        await press(pilot, "x")
        assert screen.result.scope.study_ids == [off]  # said, not changed


async def test_timeline_shows_the_stalled_trial_at_the_app_clock() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await press(pilot, "j", "T")  # 200M × h1: a RUNNING trial, started days before
        screen = app.screen
        assert isinstance(screen, TimelineScreen) and screen.result is not None
        assert screen.result.now == pd.Timestamp(FIXED_NOW)
        expected = timeline(app.campaign, [screen.study_id], now=FIXED_NOW)
        pd.testing.assert_frame_equal(screen.result.trials, expected.trials)
        stalled = expected.stalled
        assert len(stalled) == 1
        details = _text(screen.query_one("#timeline-details").content)
        assert f"#{int(stalled['number'].iloc[0])} started" in details
        assert "since its start (no heartbeat)" in details
        chart = screen.query_one(GanttChart)
        lines = [line.plain for line in chart.lines(100)]
        assert "!" in lines[0]
        await press(pilot, "v")
        rows = [line.plain for line in chart.lines(100)]
        assert [r.split("│")[0].strip() for r in rows[:3]] == ["#0", "#1", "#2"]


async def test_the_views_open_from_the_study_tables_and_the_palette() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await press(pilot, "enter")
        study = app.screen
        assert isinstance(study, StudyScreen)
        for key, kind in (("H", HistoryScreen), ("E", EdfScreen), ("T", TimelineScreen)):
            await press(pilot, key)
            assert isinstance(app.screen, kind) and app.screen.study_id == study.study_id
            await press(pilot, "escape")
        await press(pilot, "escape", "a")  # every study's table: the cursor's trial's study
        every = app.screen
        assert isinstance(every, StudyScreen) and every.study_id is None
        first = int(app.campaign.trials.iloc[0]["study_id"])
        await press(pilot, "T")
        assert isinstance(app.screen, TimelineScreen) and app.screen.study_id == first
        await press(pilot, "escape", "escape")
        assert isinstance(app.screen, GridScreen)
        cursor = app.screen.selected_study()
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        palette.query_one(CommandInput).value = "Timeline"
        await palette.workers.wait_for_complete()
        await pilot.pause()
        await press(pilot, "enter")
        assert isinstance(app.screen, TimelineScreen) and app.screen.study_id == cursor


def _trial_count(screen) -> int:
    """How many trials the view's last computation covered (finished ones for the history
    and the EDF: the history has one row per finished trial, the EDF one per finite value)."""
    if isinstance(screen, TimelineScreen):
        return len(screen.result.trials)
    if isinstance(screen, HistoryScreen):
        return len(screen.result.history)
    return len(screen.result.edf)


@pytest.mark.parametrize("view", ["history", "edf", "timeline"])
async def test_a_refresh_computes_the_view_again_with_the_new_trials(
    tmp_path: Path, view: str
) -> None:
    url, study = small_study(tmp_path, "v_2M_h1")
    app = HpoApp([url], show_clock=False, watch_seconds=None)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        study_id = int(app.campaign.studies["study_id"].iloc[0])
        app.open_view(view, study_id)
        await loaded(pilot)
        screen = app.screen
        assert screen.study_in_view() == study_id
        assert _trial_count(screen) == 3
        study.optimize(lambda t: t.suggest_float("x", 0.0, 1.0), n_trials=2)
        await press(pilot, "r")
        await loaded(pilot)
        assert app.screen is screen and _trial_count(screen) == 3 + 2
