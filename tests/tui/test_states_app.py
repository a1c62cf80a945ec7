"""The grid counts WAITING trials as WAITING."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("size", "counts", "legend"),
    [
        ((60, 24), "C3 P0 F0 R1 W2", "W waiting"),  # compact counts, explained in the legend
        ((120, 40), "3 complete · 0 pruned · 0 failed · 1 running · 2 waiting", ""),
    ],
)
async def test_grid_cell_counts_waiting(
    waiting_storage: str, size: tuple[int, int], counts: str, legend: str
) -> None:
    from hpo_tui.tui.app import HpoApp
    from hpo_tui.tui.screens.grid import GridScreen

    app = HpoApp([waiting_storage], show_clock=False, watch_seconds=None)
    async with app.run_test(size=size) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, GridScreen)
        cell = str(screen.query_one("#grid-table").get_cell_at((0, 1)))  # type: ignore[attr-defined]
        assert counts in cell
        assert legend in str(screen.query_one("#grid-legend").render())
