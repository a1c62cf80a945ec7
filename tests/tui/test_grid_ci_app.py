"""Pilot tests: ``b`` on the grid draws bootstrap intervals and stars every tied cell
(the hand-worked grid of ``tests/helpers/grid_ci_campaign.py``)."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState, create_trial
from textual.widgets import DataTable

from hpo_tui.tui.screens.grid import GridScreen
from tests.helpers import grid_ci_campaign as gc
from tests.tui.conftest import loaded, make_app

SIZE = (100, 40)  # cells in 4 significant digits (wider screens show 6)


@pytest.fixture
def storage(tmp_path: Path) -> str:
    path = tmp_path / "ci.db"
    gc.populate_grid_ci(f"sqlite:///{path}")
    return str(path)


async def _settle(pilot) -> None:
    for _ in range(2):  # the refresh, then the intervals it asks for
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    await pilot.pause()


def _starred(screen: GridScreen) -> set[tuple[str, str]]:
    table = screen.query_one("#grid-table", DataTable)
    assert screen.grid is not None
    starred = set()
    for i, row in enumerate(screen.grid.values.index):
        for j, column in enumerate(screen.grid.values.columns, start=1):
            if str(table.get_cell_at((i, j))).startswith("★"):
                starred.add((row, column))
    return starred


async def test_b_stars_every_cell_tied_with_the_best(storage: str) -> None:
    app = make_app([storage])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen, GridScreen)
        assert _starred(screen) == {gc.BEST}
        await pilot.press("b")
        await _settle(pilot)
        assert _starred(screen) == gc.TIED
        table = screen.query_one("#grid-table", DataTable)
        assert "[0.3500, 0.9000]" in str(table.get_cell_at((0, 2)))  # see the helper
        assert "[0.4100, 0.4100]" in str(table.get_cell_at((1, 2)))
        assert "2 tied with the best" in str(screen.query_one("#grid-title").render())
        assert "bootstrap intervals" in str(screen.query_one("#grid-legend").render())
        await pilot.press("m", "m")  # top-5 mean of ≤ 5 values: the mean, intervals redrawn
        await _settle(pilot)
        assert screen.grid is not None and screen.grid.metric == "top5_mean"
        assert screen.grid.intervals is not None
        await pilot.press("m")  # diverged trials: no interval
        await _settle(pilot)
        assert screen.grid is not None and screen.grid.intervals is None
        assert "top-5 mean only" in str(screen.query_one("#grid-legend").render())
        await pilot.press("M", "M", "M", "b")  # back to best, intervals off
        await _settle(pilot)
        assert _starred(screen) == {gc.BEST}


async def test_a_refresh_draws_the_intervals_again(storage: str) -> None:
    app = make_app([storage])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen, GridScreen)
        await pilot.press("b")
        await _settle(pilot)
        # 20M h1 gets 0.2: the new best, interval [0.2, 0.45 or 0.5], which every other
        # cell's interval overlaps ([0.30, 0.40], [0.35, 0.90], [0.41, 0.41]).
        study = optuna.load_study(study_name="ci_20M_h1", storage=f"sqlite:///{storage}")
        study.add_trial(create_trial(state=TrialState.COMPLETE, value=0.2))
        await pilot.press("r")
        await _settle(pilot)
        assert screen.grid is not None and screen.grid.best == ("20M", "h1")
        assert _starred(screen) == {("2M", "h1"), ("2M", "h3"), ("20M", "h1"), ("20M", "h3")}


async def test_large_grids_draw_in_a_worker(storage: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import hpo_tui.tui.screens.grid as grid_screen

    monkeypatch.setattr(grid_screen, "INLINE_DRAWS", 0)  # every grid counts as large
    arrived = []
    handler = GridScreen.on_intervals_ready

    def spy(self: GridScreen, message: grid_screen.IntervalsReady) -> None:
        arrived.append(message.key[1:])
        handler(self, message)

    monkeypatch.setattr(GridScreen, "on_intervals_ready", spy)
    app = make_app([storage])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen, GridScreen)
        await pilot.press("b")
        await _settle(pilot)
        assert arrived == [("ci", "best")]  # drawn by the worker, for this grid
        assert _starred(screen) == gc.TIED
        assert "2 tied with the best" in str(screen.query_one("#grid-title").render())
