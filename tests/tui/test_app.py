"""Pilot tests: navigation, sorting with NaN, filters, marks, export, hostile text."""

from __future__ import annotations

import contextlib
import io
import math
import re
from pathlib import Path

import optuna
import pytest
from rich.console import Console
from textual.coordinate import Coordinate
from textual.widgets import OptionList
from textual.worker import WorkerFailed

import hpo_tui.tui.app as hpo_app_module
from hpo_tui.core import load_campaign
from hpo_tui.core.export.writer import EXPORT_FILES, write_export
from hpo_tui.tui.app import HpoApp
from hpo_tui.tui.screens.compare import CompareScreen
from hpo_tui.tui.screens.diverged import DivergedScreen
from hpo_tui.tui.screens.grid import GridScreen
from hpo_tui.tui.screens.study import StudyScreen
from hpo_tui.tui.screens.trial import TrialScreen, info_table
from hpo_tui.tui.widgets.curve_plot import CurvePlot
from hpo_tui.tui.widgets.trial_table import TrialTable
from tests.helpers.golden import GOLDEN_SPEC
from tests.tui.conftest import loaded, make_app

SIZE = (120, 40)


async def test_grid_shows_the_campaign() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen, GridScreen)
        assert screen.grid is not None
        # Sweep fx (the most studies); fx_multi_20M_h5 is its own sweep.
        assert screen.grid.sweep == "fx" and screen.grid.sweeps == ["fx", "fx_multi"]
        assert list(screen.grid.values.index) == ["2M", "200M", "2B"]
        assert list(screen.grid.values.columns) == ["h1", "h3"]
        assert screen.selected_study() is not None


async def test_drill_down_and_back_keeps_cursors() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        grid = app.screen
        assert isinstance(grid, GridScreen)
        study_id = grid.selected_study()  # 2M × h1
        await pilot.press("enter")
        await pilot.pause()
        study = app.screen
        assert isinstance(study, StudyScreen) and study.study_id == study_id
        await pilot.press("down", "down", "down")
        key = study.table.current_key()
        await pilot.press("enter")
        await pilot.pause()
        trial = app.screen
        assert isinstance(trial, TrialScreen) and trial.key == key
        await pilot.press("n")
        assert trial.key != key
        await pilot.press("p")
        assert trial.key == key
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is study and study.table.current_key() == key
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is grid and grid.selected_study() == study_id


async def _open_main_study(pilot) -> StudyScreen:
    await loaded(pilot)
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, StudyScreen)
    return screen


async def _move_to_column(pilot, screen: StudyScreen, column: str) -> None:
    target = screen.table.state.columns.index(column) + 1
    while screen.table.table.cursor_column < target:
        await pilot.press("right")
    while screen.table.table.cursor_column > target:
        await pilot.press("left")


async def test_sort_puts_nan_last_both_ways() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_main_study(pilot)
        await _move_to_column(pilot, screen, "value")
        await pilot.press("s")
        await pilot.pause()
        values = screen.table.view_frame()["value"].tolist()
        finite = [v for v in values if not math.isnan(v)]
        assert finite == sorted(finite) and len(finite) < len(values)
        assert all(math.isnan(v) for v in values[len(finite) :])
        await pilot.press("s")
        await pilot.pause()
        values = screen.table.view_frame()["value"].tolist()
        finite = [v for v in values if not math.isnan(v)]
        assert finite == sorted(finite, reverse=True)
        assert all(math.isnan(v) for v in values[len(finite) :])


async def test_filter_and_bad_filter() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_main_study(pilot)
        total = len(screen.table.order)
        await pilot.press("slash")
        await pilot.press(*"value < 0.5 and param_n_layers >= 1")
        await pilot.press("enter")
        await pilot.pause()
        shown = screen.table.view_frame()
        assert 0 < len(shown) < total
        assert (shown["value"] < 0.5).all()
        await pilot.press("slash")
        field = screen.query_one("#filter-input")
        field.value = ""  # type: ignore[attr-defined]
        await pilot.press(*"value <<< 2")
        await pilot.press("enter")
        await pilot.pause()
        error = str(screen.query_one("#filter-error").render())
        assert "filter error" in error
        assert len(screen.table.order) == len(shown)  # the previous filter still applies
        assert app.is_running


async def test_a_filter_error_is_in_plain_words() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_main_study(pilot)
        await pilot.press("slash")
        await pilot.press(*"n_layers > 1")
        await pilot.press("enter")
        await pilot.pause()
        error = str(screen.query_one("#filter-error").render())
        assert "unknown column 'n_layers'" in error
        assert "param_n_layers" in error  # the closest column
        assert "not defined" not in error


async def test_filter_on_a_nullable_integer_column() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_main_study(pilot)
        await pilot.press("slash")
        await pilot.press(*"diverged_step > 4")
        await pilot.press("enter")
        await pilot.pause()
        shown = screen.table.view_frame()
        assert len(shown) > 0 and (shown["diverged_step"] > 4).all()
        assert str(screen.query_one("#filter-error").render()) == ""


async def test_state_filter_cycles() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_main_study(pilot)
        await pilot.press("f")
        await pilot.pause()
        assert set(screen.table.view_frame()["state"]) == {"COMPLETE"}


async def test_marks_and_overlay() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_main_study(pilot)
        first = screen.table.current_key()
        await pilot.press("space")
        await pilot.pause()
        second = screen.table.current_key()
        await pilot.press("space")
        await pilot.pause()
        assert screen.table.state.marked == {first, second}
        await pilot.press("c")
        await pilot.pause()
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        assert sorted(compare.keys) == sorted([first, second])
        assert len(compare.query_one(CurvePlot).series) == 2


async def test_trial_screen_plots_curves_and_marks_divergence() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_main_study(pilot)
        key = int(
            screen.table.trials.loc[screen.table.trials["diverged_reason"] == "inf", "key"].iloc[0]
        )
        app.open_trial(key, [key])
        await pilot.pause()
        plot = app.screen.query_one(CurvePlot)
        labels = [s.label for s in plot.series]
        assert labels[:3] == ["intermediate", "train_losses", "val_losses"]
        assert plot.series[0].clipped  # the +inf point is clipped and marked
        assert plot.marks and plot.marks[0][0] == 6.0
        await pilot.press("l")
        assert plot.log_y


async def test_diverged_panel_opens_trials() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("d")
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, DivergedScreen)
        assert len(panel.keys) == int(app.campaign.trials["diverged"].sum()) == 5
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TrialScreen) and app.screen.key == panel.keys[0]


async def test_export_shortcut_writes_what_the_cli_writes(tmp_path: Path) -> None:
    shown: list[str] = []

    class Recording(HpoApp):
        CSS_PATH = str(Path(hpo_app_module.__file__).parent / "app.tcss")

        def on_export_progress(self, message) -> None:  # type: ignore[no-untyped-def]
            super().on_export_progress(message)
            shown.append(self.sub_title)

    app = Recording([GOLDEN_SPEC], show_clock=False, watch_seconds=None)
    app.clock = make_app().clock
    target = tmp_path / "tui-export"
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("e")
        await pilot.pause()
        field = app.screen.query_one("#export-path")
        field.value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        # Each file is named while it is written, with a bar.
        for number, name in enumerate(EXPORT_FILES, start=1):
            assert any(f"exporting {name} · {number}/{len(EXPORT_FILES)} " in t for t in shown)
        assert app.sub_title == f"exported {len(EXPORT_FILES)} files to {target}"
    write_export(load_campaign([GOLDEN_SPEC]), tmp_path / "core")
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.?\d*\+00:00")
    for name in EXPORT_FILES:
        tui = stamp.sub("T", (target / name).read_text())
        core = stamp.sub("T", (tmp_path / "core" / name).read_text())
        assert tui == core, name


async def test_export_error_is_a_notification_not_a_crash(tmp_path: Path) -> None:
    app = make_app()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.export(str(blocker))
        with contextlib.suppress(WorkerFailed):  # the worker fails; the app reports it, lives
            await pilot.app.workers.wait_for_complete()
        for _ in range(50):
            await pilot.pause(0.05)
            if app._notifications:
                break
        assert app.is_running
        assert any("not a folder" in str(n.message) for n in app._notifications)
    assert blocker.read_text() == "x"


@pytest.fixture
def hostile_storage(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'hostile.db'}"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    name = "[red]x[/red] \x1b[31mboom\x1b[0m \u202egnp.exe"
    study = optuna.create_study(study_name=name, storage=url)
    study.set_user_attr("[link=http://evil]", "[bold]")
    study.enqueue_trial({"act": "[blink]relu[/blink]"})
    trial = study.ask()
    trial.suggest_categorical("act", ["[blink]relu[/blink]", "\x1b]8;;http://x\x07y"])
    trial.suggest_float("lr[/]", 0.0, 1.0)  # names are untrusted too
    trial.set_user_attr("note", "[b]not bold[/b]")
    trial.set_user_attr("note[/]", "x")
    trial.set_user_attr("val_loss\x1b[41mX", [1.0, 0.5])
    trial.report(1.0, 0)
    study.tell(trial, 1.0)
    return url


async def test_hostile_names_render_literally(hostile_storage: str) -> None:
    app = make_app([hostile_storage])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        listed = app.screen.query_one("#off-grid", OptionList)
        off = " ".join(
            str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)
        )
        assert "[red]x[/red]" in off
        assert "\\x1b[31mboom" in off and "\x1b" not in off
        assert "\\u202e" in off
        await pilot.press("a")
        await pilot.pause()
        table = app.screen.query_one(TrialTable)
        row = table.table.get_row_at(0)
        assert "[red]x[/red] \\x1b[31mboom\\x1b[0m \\u202egnp.exe" in row
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TrialScreen)
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(info_table(app.campaign, screen.key, full=True))
        shown = console.export_text()
        assert "[b]not bold[/b]" in shown
        assert "[blink]relu[/blink]" in shown
        assert "lr[/]" in shown and "note[/]" in shown
        assert "\x1b" not in shown
        labels = [s.label for s in screen.query_one(CurvePlot).series]
        assert "val_loss\\x1b[41mX" in labels  # the escape is shown, not executed


async def test_hostile_names_in_column_picker_and_palette(hostile_storage: str) -> None:
    app = make_app([hostile_storage])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("a")
        await pilot.pause()
        study = app.screen
        assert isinstance(study, StudyScreen)
        assert "param_lr[/]" in study.table.state.columns
        await pilot.press("o")  # prompts with markup-like names must not crash
        await pilot.pause()
        await pilot.press("enter")  # Enter applies (does not toggle the focused option)
        await pilot.pause()
        assert app.screen is study
        assert "param_lr[/]" in study.table.state.columns
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"red")
        await pilot.pause(0.3)
        assert app.is_running


async def test_search_space_screen_toggles_views() -> None:
    from hpo_tui.tui.screens.space import SpaceScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SpaceScreen)
        table = screen.query_one("#space-table")
        merged_rows = table.row_count  # type: ignore[attr-defined]
        await pilot.press("t")
        await pilot.pause()
        assert screen.per_study and table.row_count >= merged_rows  # type: ignore[attr-defined]


async def test_unreachable_server_is_a_notification_without_the_password() -> None:
    app = make_app(["postgresql://alice:hunter2@127.0.0.1:1/optuna"])
    async with app.run_test(size=SIZE) as pilot:
        with contextlib.suppress(WorkerFailed):  # the load may fail before we wait for it
            await pilot.app.workers.wait_for_complete()
        for _ in range(50):
            await pilot.pause(0.05)
            if app._notifications:
                break
        assert app.is_running
        messages = [str(n.message) for n in app._notifications]
        assert any("not reachable" in m for m in messages)
        assert not any("hunter2" in m for m in messages)
        assert "hunter2" not in app.sub_title


async def test_sort_filter_and_mark_repaint_the_same_table() -> None:
    """Sort, state filter, filter and marks change the view's order, not the mounted table:
    the cells on screen follow the new order, and the cursor stays on its trial."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("a")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        trial_table = screen.table
        mounted = trial_table.table
        columns = trial_table.state.columns

        def shown(column: str) -> list[str]:
            index = columns.index(column) + 1
            return [mounted.get_cell_at(Coordinate(row, index)) for row in range(mounted.row_count)]

        await _move_to_column(pilot, screen, "number")
        await pilot.press("s", "s")  # descending
        await pilot.pause()
        numbers = [int(n) for n in shown("number")]
        expected = trial_table.view_frame()["number"].tolist()
        assert numbers == expected and len(numbers) == len(trial_table.trials)
        assert trial_table.table is mounted
        studies_shown = shown("study")
        assert studies_shown == [str(s) for s in trial_table.view_frame()["study"]]

        key = trial_table.current_key()
        await pilot.press("f")  # state filter: COMPLETE only
        await pilot.pause()
        assert set(shown("state")) == {"COMPLETE"}
        assert mounted.row_count == len(trial_table.order) < len(trial_table.trials)
        assert trial_table.table is mounted
        await pilot.pause()
        assert mounted.virtual_size.height == len(trial_table.order) + 1  # rows + header

        await pilot.press("space")  # mark the trial under the cursor
        await pilot.pause()
        marked = trial_table.state.marked
        assert len(marked) == 1
        row = trial_table.keys_in_view().index(next(iter(marked)))
        assert mounted.get_cell_at(Coordinate(row, 0))[1] == "●"
        assert trial_table.table is mounted

        for _ in range(6):  # back to every state
            await pilot.press("f")
        await pilot.pause()
        assert mounted.row_count == len(trial_table.trials)
        assert key is not None and key in trial_table.keys_in_view()


async def test_status_line_changes_with_the_table_once() -> None:
    """The status line is set by the action itself (same frame as the table); the
    ``Rebuilt`` message that follows does not repaint an unchanged line."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_main_study(pilot)
        await _move_to_column(pilot, screen, "value")
        status = screen.query_one("#study-status")
        texts: list[str] = []
        update = status.update  # type: ignore[attr-defined]

        def counting(content: object = "", **options: object) -> None:
            texts.append(str(content))
            update(content, **options)

        status.update = counting  # type: ignore[attr-defined]
        await screen.sort_by("value")
        assert texts and "sorted by value ▲" in texts[-1]  # before any message is handled
        await pilot.pause()
        await pilot.pause()
        assert len(texts) == 1
