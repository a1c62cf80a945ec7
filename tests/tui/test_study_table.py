"""The study table: number, state and value pinned on the left, params right after them,
the sort direction in the header, and the column choice kept between runs."""

from __future__ import annotations

from pathlib import Path

from hpo_tui.core.prefs import COLUMNS_FILE
from hpo_tui.tui.screens.columns import ColumnPicker
from hpo_tui.tui.screens.study import StudyScreen
from hpo_tui.tui.screens.study_columns import default_columns
from tests.tui.conftest import loaded, make_app

SIZE = (80, 24)


async def _open_study(pilot) -> StudyScreen:
    await loaded(pilot)
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, StudyScreen)
    return screen


def _header(screen: StudyScreen) -> str:
    return screen.table.table.render_line(0).text


async def test_params_come_right_after_the_outcome_then_divergence_then_curves() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_study(pilot)
        trials = screen.table.trials
        columns = default_columns(trials, app.campaign.axis_names, all_studies=False)
        params = [c for c in columns if c.startswith("param_")]
        assert params
        assert columns[:3] == ["number", "state", "value"]
        assert columns[3 : 3 + len(params)] == params
        rest = columns[3 + len(params) :]
        assert rest.index("diverged_reason") < rest.index("curve_best")


async def test_number_state_and_value_stay_pinned_when_scrolling_right() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_study(pilot)
        grid = screen.table.table
        assert grid.fixed_columns == 4  # the flag column, number, state, value
        last = screen.table.state.columns[-1]
        assert last not in _header(screen)
        await pilot.press("end")  # nothing; the cursor moves with ctrl+right
        await pilot.press("ctrl+right")
        await pilot.pause()
        header = _header(screen)
        assert last in header  # scrolled to the right end…
        for pinned in ("number", "state", "value"):
            assert pinned in header  # …and the pinned columns are still there
        first_param = next(c for c in screen.table.state.columns if c.startswith("param_"))
        assert first_param not in header


async def test_the_header_shows_the_sort_direction() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_study(pilot)
        column = screen.table.state.columns.index("value") + 1
        screen.table.table.move_cursor(column=column)
        await pilot.press("s")
        await pilot.pause()
        assert "value ▲" in _header(screen)
        await pilot.press("s")
        await pilot.pause()
        assert "value ▼" in _header(screen)
        assert "▲" not in _header(screen)
        screen.table.table.move_cursor(column=1)  # number
        await pilot.press("s")
        await pilot.pause()
        assert "number ▲" in _header(screen) and "▼" not in _header(screen)


async def test_the_column_choice_is_kept_for_the_next_run(config_dir: Path) -> None:
    app = make_app()
    async with app.run_test(size=(100, 50)) as pilot:
        screen = await _open_study(pilot)
        defaults = list(screen.table.state.columns)
        await pilot.press("o")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, ColumnPicker)
        hidden = picker.ordered[3]  # the first param
        added = next(c for c in picker.ordered if c not in defaults)
        picker.query_one("CheckList").deselect(hidden)
        picker.query_one("CheckList").select(added)
        await pilot.press("enter")
        await pilot.pause()
        assert hidden not in screen.table.state.columns
        assert added in screen.table.state.columns
    assert (config_dir / COLUMNS_FILE).is_file()
    again = make_app()
    async with again.run_test(size=(100, 50)) as pilot:
        screen = await _open_study(pilot)
        shown = screen.table.state.columns
        assert hidden not in shown and added in shown
        assert [c for c in shown if c != added] == [c for c in defaults if c != hidden]


def _pinned_width(screen: StudyScreen) -> int:
    grid = screen.table.table
    return sum(c.render_width for c in grid.ordered_columns[: grid.fixed_columns])


async def test_pinned_columns_never_take_more_than_half_the_width() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("a")  # every study: the study name is pinned too, when it fits
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        grid = screen.table.table
        assert grid.fixed_columns >= 2  # the flag and the study at least
        assert _pinned_width(screen) <= grid.size.width // 2
        await pilot.resize_terminal(200, 40)
        await pilot.pause()
        assert grid.fixed_columns == 7  # flag, study, number, state, value, values_0, values_1
        assert _pinned_width(screen) <= grid.size.width // 2


async def test_objectives_are_headed_by_the_metric_names(tmp_path: Path) -> None:
    import optuna

    path = tmp_path / "named.db"
    study = optuna.create_study(
        study_name="named_2M_h1", storage=f"sqlite:///{path}", directions=["minimize", "maximize"]
    )
    study.set_metric_names(["val_loss", "accuracy"])
    for x in (0.2, 0.6, 0.9):
        study.enqueue_trial({"x": x})
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), 1 - t.params["x"]), n_trials=3)
    app = make_app([str(path)])
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await _open_study(pilot)
        header = _header(screen)
        assert "val_loss" in header and "accuracy" in header and "values_0" not in header
        # The filter takes the names the header shows (and the column names still).
        await pilot.press("slash")
        screen.query_one("#filter-input").value = "val_loss > 0.5"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert sorted(screen.table.view_frame()["number"]) == [1, 2]
        assert "filter: val_loss > 0.5" in str(screen.query_one("#study-status").render())
        # A typo names the closest header.
        await pilot.press("slash")
        screen.query_one("#filter-input").value = "val_los > 0.5"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        error = str(screen.query_one("#filter-error").render())
        assert "unknown column 'val_los'" in error and "val_loss" in error
        await pilot.press("escape")
        # Sorting names the header too.
        screen.table.table.move_cursor(column=screen.table.state.columns.index("values_1") + 1)
        await pilot.press("s")
        await pilot.pause()
        assert "sorted by accuracy ▲" in str(screen.query_one("#study-status").render())
        assert "accuracy ▲" in _header(screen)
