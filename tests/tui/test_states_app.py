"""The grid counts WAITING trials as WAITING."""

from __future__ import annotations


async def test_grid_cell_counts_waiting(waiting_storage: str) -> None:
    from hpo_tui.tui.app import HpoApp
    from hpo_tui.tui.screens.grid import GridScreen

    app = HpoApp([waiting_storage], show_clock=False, watch_seconds=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, GridScreen)
        cell = str(screen.query_one("#grid-table").get_cell_at((0, 1)))  # type: ignore[attr-defined]
        assert "C3 P0 F0 R1 W2" in cell
        legend = str(screen.query_one("#grid-legend").render())
        assert "W waiting" in legend
