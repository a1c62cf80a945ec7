"""First-hour friction: running ages, marking ranges, q, reverse cycles, jump, curve steps,
a trial without curves."""

from __future__ import annotations

import io
from datetime import timedelta

import pandas as pd
from rich.console import Console
from textual.coordinate import Coordinate
from textual.widgets import Static

from hpo_tui.core.durations import format_duration
from hpo_tui.tui.screens.study import StudyScreen
from hpo_tui.tui.screens.trial import TrialScreen
from tests.tui.conftest import loaded, make_app

SIZE = (120, 40)


def _text(renderable: object, width: int = 200) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def _running_trial(app) -> pd.Series:
    trials = app.campaign.trials
    running = trials[trials["state"] == "RUNNING"]
    assert len(running) == 1  # the golden campaign has one
    return running.iloc[0]


AGE = timedelta(hours=3, minutes=12, seconds=30)


async def test_trial_screen_shows_how_long_a_running_trial_runs() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        row = _running_trial(app)
        start = row["datetime_start"].to_pydatetime()
        app.clock = lambda: start + AGE
        app.open_trial(int(row["key"]), [int(row["key"])])
        await pilot.pause()
        assert isinstance(app.screen, TrialScreen)
        shown = _text(app.screen.query_one("#trial-info", Static).content)
        assert f"running for {format_duration(AGE.total_seconds())}" in shown
        assert "— s" not in shown


async def test_study_table_shows_the_running_age_marked_as_running() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        row = _running_trial(app)
        start = row["datetime_start"].to_pydatetime()
        app.clock = lambda: start + AGE
        app.open_study(int(row["study_id"]))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        table = screen.table
        position = table.keys_in_view().index(int(row["key"]))
        column = table.state.columns.index("duration_s") + 1
        cell = table.table.get_cell_at(Coordinate(position, column))
        assert cell == f"running for {format_duration(AGE.total_seconds())}"
        finished = table.view_frame()["duration_s"].notna().to_numpy().nonzero()[0]
        assert finished.size  # the finished trials keep their final duration in seconds
        other = table.table.get_cell_at(Coordinate(int(finished[0]), column))
        assert not other.startswith("running")
        # The age moves on without a reload: the screen reads the clock again.
        app.clock = lambda: start + AGE + timedelta(hours=1)
        screen.refresh_running_ages()
        await pilot.pause()
        cell = table.table.get_cell_at(Coordinate(position, column))
        assert cell == f"running for {format_duration((AGE + timedelta(hours=1)).total_seconds())}"


async def test_q_is_back_below_the_grid_and_quit_on_it() -> None:
    from hpo_tui.tui.screens.columns import ColumnPicker
    from hpo_tui.tui.screens.grid import GridScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        grid = app.screen
        assert isinstance(grid, GridScreen)
        await pilot.press("enter")
        await pilot.pause()
        study = app.screen
        assert isinstance(study, StudyScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TrialScreen)
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is study and app.return_code is None
        # A modal keeps its own keys: q neither closes it nor quits.
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ColumnPicker)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ColumnPicker) and app.return_code is None
        await pilot.press("escape")
        await pilot.pause()
        # In the filter field q is a letter.
        await pilot.press("slash", "q")
        await pilot.pause()
        assert app.screen is study and study.query_one("#filter-input").value.endswith("q")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is grid and app.return_code is None
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0


async def test_shift_keys_cycle_backwards() -> None:
    from hpo_tui.core.analysis.metrics import METRICS
    from hpo_tui.tui.screens.dynamics import DynamicsScreen
    from hpo_tui.tui.screens.grid import GridScreen
    from hpo_tui.tui.screens.study import STATE_FILTERS

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        grid = app.screen
        assert isinstance(grid, GridScreen)
        await pilot.press("M")
        assert grid.metric == METRICS[-1]
        await pilot.press("M")
        assert grid.metric == METRICS[-2]
        await pilot.press("m", "m")
        assert grid.metric == METRICS[0]
        # The dynamics plot: G walks the params backwards, g forwards.
        await pilot.press("t")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        dynamics = app.screen
        assert isinstance(dynamics, DynamicsScreen) and len(dynamics.params) >= 2
        await pilot.press("G")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert dynamics.param == dynamics.params[-1]
        await pilot.press("g")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert dynamics.param is None  # back to the top-trials plot
        await pilot.press("escape")
        await pilot.pause()
        # The study table's state filter: F backwards, f forwards.
        await pilot.press("enter")
        await pilot.pause()
        study = app.screen
        assert isinstance(study, StudyScreen)
        await pilot.press("F")
        await pilot.pause()
        assert study.table.state.state_filter == STATE_FILTERS[-1]
        await pilot.press("F")
        await pilot.pause()
        assert study.table.state.state_filter == STATE_FILTERS[-2]
        await pilot.press("f", "f")
        await pilot.pause()
        assert study.table.state.state_filter == "all"


def _messages(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_space_marks_and_moves_down_and_v_marks_a_range() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await pilot.pause()
        study = app.screen
        assert isinstance(study, StudyScreen)
        table = study.table
        keys = table.keys_in_view()
        # Without a first mark, V says how to use it and marks nothing.
        await pilot.press("V")
        await pilot.pause()
        assert table.state.marked == set()
        assert any("space" in m for m in _messages(app))
        await pilot.press("down", "space")
        await pilot.pause()
        assert table.state.marked == {keys[1]}
        assert table.table.cursor_row == 2  # space moved the cursor down
        await pilot.press("down", "down", "down", "V")
        await pilot.pause()
        assert table.state.marked == set(keys[1:6])
        # A range upwards works the same; the anchor is the last trial space toggled.
        await pilot.press("space")  # unmark row 5: the anchor is now row 5 (cursor → 6)
        await pilot.pause()
        table.state.marked.clear()
        await study._rebuild()
        await pilot.press("up", "up", "up", "V")  # cursor at row 3: rows 3..5, upwards
        await pilot.pause()
        assert table.state.marked == set(keys[3:6])
        # ? help and the footer describe both keys.
        bindings = {b.key: b for _, b in study._bindings}
        assert "down" in (bindings["space"].tooltip or "")
        assert "V" in bindings


async def test_colon_jumps_to_a_trial_number_in_the_view() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await pilot.pause()
        study = app.screen
        assert isinstance(study, StudyScreen)
        table = study.table
        numbers = table.view_frame()["number"].tolist()
        target = numbers[-2]
        await pilot.press("colon", *str(target), "enter")
        await pilot.pause()
        assert int(table.view_frame()["number"].iloc[table.table.cursor_row]) == target
        # g opens the same field.
        await pilot.press("g", *str(numbers[1]), "enter")
        await pilot.pause()
        assert int(table.view_frame()["number"].iloc[table.table.cursor_row]) == numbers[1]
        # A trial hidden by the state filter, and a number the study does not have.
        await pilot.press("f")  # COMPLETE only
        await pilot.pause()
        trials = table.trials
        hidden = int(trials.loc[trials["state"] != "COMPLETE", "number"].iloc[0])
        row = table.table.cursor_row
        await pilot.press("colon", *str(hidden), "enter")
        await pilot.pause()
        assert table.table.cursor_row == row
        assert f"trial {hidden} is not in this view (filtered out)" in _messages(app)
        missing = int(trials["number"].max()) + 45
        await pilot.press("colon", *str(missing), "enter")
        await pilot.pause()
        assert f"no trial {missing} in this study" in _messages(app)
        assert study.query_one("#jump-input").has_class("hidden")


async def test_jump_in_all_trials_walks_the_studies_with_that_number() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("a")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        table = screen.table
        frame = table.view_frame()
        rows = frame.index[frame["number"] == 1]
        positions = [list(frame.index).index(r) for r in rows]
        assert len(positions) >= 2
        await pilot.press("colon", "1", "enter")
        await pilot.pause()
        assert table.table.cursor_row == positions[0]
        await pilot.press("colon", "1", "enter")
        await pilot.pause()
        assert table.table.cursor_row == positions[1]
        assert any(f"(2 of {len(positions)} in this view)" in m for m in _messages(app))
        await pilot.press("colon", "minus", "enter")
        await pilot.pause()
        assert "not a trial number: -" in _messages(app)


async def test_trial_chart_x_label_says_what_each_curves_step_is() -> None:
    from hpo_tui.core.model.curves import step_axis_labels
    from hpo_tui.tui.widgets.curve_plot import CurvePlot

    for size in ((200, 40), SIZE, (80, 24)):
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await loaded(pilot)
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("enter")  # trial 0: intermediate plus train/val lists
            await pilot.pause()
            plot = app.screen.query_one(CurvePlot)
            names = ["intermediate", "train_losses", "val_losses"]
            assert set(names) <= {s.label for s in plot.series}
            labels = step_axis_labels(names)
            assert plot.xlabels == labels
            fits = [label for label in labels if len(label) <= plot.size.width - 8]
            assert plot.xlabel == fits[0]  # the widest form that fits
            assert "trial.report" in labels[0] and "train_losses, val_losses" in labels[0]
            assert len(plot.xlabel) <= plot.size.width - 8


async def _trial_panel(app, pilot, key: int) -> tuple[bool, str]:
    """(chart shown, text of the no-curves panel) of trial ``key``'s screen."""
    from hpo_tui.tui.widgets.curve_plot import CurvePlot

    app.open_trial(key, [key])
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, TrialScreen)
    panel = screen.query_one("#trial-no-curves", Static)
    shown = _text(panel.content) if panel.display else ""
    return screen.query_one(CurvePlot).display, shown


async def test_trial_without_curves_says_so_and_shows_its_objectives() -> None:
    from hpo_tui.core.display import display_number

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        trials = app.campaign.trials
        multi = trials[trials["values_1"].notna() & (trials["curve_n_steps"] == 0)].iloc[0]
        chart, shown = await _trial_panel(app, pilot, int(multi["key"]))
        assert not chart
        assert "this trial reported no intermediate values" in shown
        assert "no finite points" not in shown
        for index in (0, 1):
            value = display_number(multi[f"values_{index}"])
            assert any(f"values_{index}" in line and value in line for line in shown.splitlines())
        await pilot.press("escape")
        single = trials[trials["value"].notna() & (trials["curve_n_steps"] == 0)].iloc[0]
        chart, shown = await _trial_panel(app, pilot, int(single["key"]))
        assert not chart and "this trial reported no intermediate values" in shown
        await pilot.press("escape")
        with_curves = trials[trials["curve_n_steps"] > 0].iloc[0]
        chart, shown = await _trial_panel(app, pilot, int(with_curves["key"]))
        assert chart and shown == ""


async def test_objective_names_come_from_the_studys_metric_names(tmp_path) -> None:
    import optuna

    path = tmp_path / "named.db"
    study = optuna.create_study(
        study_name="named_2M_h1", storage=f"sqlite:///{path}", directions=["minimize", "maximize"]
    )
    study.set_metric_names(["val_loss", "accuracy"])
    study.optimize(lambda trial: (trial.suggest_float("x", 0, 1), 0.75), n_trials=1)
    app = make_app([str(path)])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        chart, shown = await _trial_panel(app, pilot, int(app.campaign.trials["key"].iloc[0]))
        assert not chart
        assert any("val_loss" in line for line in shown.splitlines())
        assert any("accuracy" in line and "0.7500" in line for line in shown.splitlines())
