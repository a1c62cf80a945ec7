"""The column picker reads without colour: ``[x]`` shown, ``[ ]`` hidden."""

from __future__ import annotations

import pytest
from textual.widgets import SelectionList

from hpo_tui.tui.screens.columns import ColumnPicker
from hpo_tui.tui.screens.study import StudyScreen
from tests.tui.conftest import loaded, make_app


def picker_lines(picker: ColumnPicker) -> list[str]:
    """The text of every line the picker's list paints."""
    selection = picker.query_one(SelectionList)
    return [selection.render_line(y).text for y in range(selection.size.height)]


async def test_the_column_picker_marks_columns_without_colour(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=(100, 60)) as pilot:  # room for shown and hidden columns
        assert app.no_color
        await loaded(pilot)
        await pilot.press("enter")
        await pilot.pause()
        study = app.screen
        assert isinstance(study, StudyScreen)
        shown = list(study.table.state.columns)
        await pilot.press("o")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, ColumnPicker)
        lines = [line.strip() for line in picker_lines(picker) if line.strip()]
        hidden = [c for c in picker.ordered if c not in shown]
        assert hidden  # the golden campaign has columns that are not shown by default
        by_name = {line[4:].strip(): line[:3] for line in lines}
        assert {by_name[c] for c in shown} == {"[x]"}
        assert by_name[hidden[0]] == "[ ]"
        # Toggling changes the mark itself, not only a colour.
        await pilot.press("space")
        await pilot.pause()
        by_name = {line[4:].strip(): line[:3] for line in picker_lines_stripped(picker)}
        assert by_name[shown[0]] == "[ ]"


def picker_lines_stripped(picker: ColumnPicker) -> list[str]:
    return [line.strip() for line in picker_lines(picker) if line.strip()]
