"""The trial table's one-segment cell renderer paints exactly what the library's Rich path
paints: every line of the table, segment for segment, in every cursor/hover/focus state."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from textual.app import App, ComposeResult
from textual.strip import Strip

from hpo_tui.tui.widgets.trial_cells import TrialGrid
from hpo_tui.tui.widgets.trial_table import TrialTable

TEXTS = [
    "plain",
    "[red]x[/red] [b]not bold[/b]",
    ":smile: :thumbs_up:",
    "1.5e-03 0x1F 127.0.0.1 'quoted' \"q\" True None",
    "trailing   ",
    "   leading",
    "日本語のスタディ",  # wide characters: two cells each
    "e\u0301 combining",  # zero-width combining mark
    "emoji 🧪 flask",
    "\\x1b[31mboom\\x1b[0m",  # what printable() leaves of an escape sequence
    "a" * 40,
    "",
    None,
]


def _frame(n: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    picks = rng.integers(0, len(TEXTS), size=n)
    return pd.DataFrame(
        {
            "key": np.arange(n),
            "diverged": rng.random(n) < 0.3,
            "state": rng.choice(["COMPLETE", "PRUNED", "FAIL"], size=n),
            "study": [TEXTS[i] for i in picks],
            "value": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),
            "note": [TEXTS[(i + 3) % len(TEXTS)] for i in picks],
        }
    )


class TableApp(App[None]):
    def __init__(self, frame: pd.DataFrame) -> None:
        super().__init__()
        self.frame = frame

    def compose(self) -> ComposeResult:
        # two pinned columns: their cells take the fixed style on both paths
        yield TrialTable(self.frame, ["state", "study", "value", "note"], pinned={"state", "study"})


def _lines(grid: TrialGrid, fast: bool) -> list[Strip]:
    grid.fast_cells = fast
    grid._clear_caches()
    grid._pseudo_class_state = grid.get_pseudo_class_state()
    return [grid.render_line(y) for y in range(grid.size.height)]


def _segments(strips: list[Strip]) -> list[list[tuple[str, object]]]:
    return [[(s.text, s.style) for s in strip] for strip in strips]


@pytest.mark.parametrize("size", [(120, 20), (40, 12)])  # wide, and scrolled narrow
async def test_fast_cells_paint_what_the_rich_path_paints(size: tuple[int, int]) -> None:
    app = TableApp(_frame())
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        table = app.query_one(TrialTable)
        grid = table.table
        assert isinstance(grid, TrialGrid)
        table.state.marked = {1, 4}
        table.recent = {2}
        states = [
            lambda: grid.move_cursor(row=3, column=2),
            lambda: grid.move_cursor(row=7, column=4),
            lambda: setattr(grid, "hover_coordinate", grid.cursor_coordinate),
            lambda: setattr(grid, "cursor_type", "row"),
            lambda: grid.blur(),
            lambda: grid.scroll_to(x=15, animate=False),
        ]
        compared = 0
        for change in states:
            change()
            await pilot.pause()
            fast, slow = _lines(grid, True), _lines(grid, False)
            assert _segments(fast) == _segments(slow)
            compared += sum(len(strip) for strip in fast)
        assert compared > 60  # the comparison saw real cells, not blank lines


async def test_the_fast_path_is_the_one_painting() -> None:
    """The equivalence above matters only if the table really uses the fast path."""
    app = TableApp(_frame())
    async with app.run_test(size=(120, 20)) as pilot:
        await pilot.pause()
        grid = app.query_one(TrialTable).table
        painted = []
        original = grid.render_body_cell

        def spy(*args):
            lines = original(*args)
            painted.append(lines is not None)
            return lines

        grid.render_body_cell = spy  # type: ignore[method-assign]
        grid._clear_caches()
        grid.refresh()
        await pilot.pause()
        assert sum(painted) >= 5 * 10  # five columns, ten rows or more on screen
