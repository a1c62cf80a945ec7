"""The grid screen: one sweep at a time, counts that add up, studies off the grid reachable."""

from __future__ import annotations

from textual.widgets import OptionList

from hpo_tui.core.analysis.grid import build_grid, grid_totals
from hpo_tui.tui.app import HpoApp
from hpo_tui.tui.screens.grid import GridScreen
from hpo_tui.tui.screens.study import StudyScreen


def _app(specs: list[str]) -> HpoApp:
    return HpoApp(specs, show_clock=False, watch_seconds=None)


async def _loaded(pilot) -> GridScreen:  # type: ignore[no-untyped-def]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, GridScreen)
    return screen


async def test_sweeps_switch_and_the_header_adds_up(two_sweeps: tuple[str, str]) -> None:
    app = _app(list(two_sweeps))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _loaded(pilot)
        assert screen.grid is not None and screen.grid.sweep == "phase6a"
        seen = []
        for _ in range(3):
            grid = screen.grid
            assert grid is not None
            title = str(screen.query_one("#grid-title").render())
            totals = grid_totals(app.campaign, build_grid(app.campaign, sweep=grid.sweep))  # type: ignore[arg-type]
            assert f"sweep {grid.sweep}" in title
            assert f"{totals['n_studies']} studies · {totals['n_trials']} trials" in title
            assert f"{totals['n_diverged']} diverged" in title
            seen.append(grid.sweep)
            await pilot.press("right_square_bracket")
        assert seen == ["phase6a", "phase5", "phase6a"]
        assert screen.grid is not None and screen.grid.sweep == "phase5"  # the third ]
        await pilot.press("left_square_bracket")
        assert screen.grid is not None and screen.grid.sweep == "phase6a"


async def test_studies_off_the_grid_open_with_the_keyboard(two_sweeps: tuple[str, str]) -> None:
    app = _app(list(two_sweeps))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _loaded(pilot)
        listed = screen.query_one("#off-grid", OptionList)
        assert listed.option_count == 2
        assert "the name fits no grid axes" in str(listed.get_option_at_index(0).prompt)
        for _ in range(5):
            if app.focused is listed:
                break
            await pilot.press("tab")
        assert app.focused is listed
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen)
        name = app.campaign.studies.set_index("study_id").loc[app.screen.study_id, "study"]  # type: ignore[union-attr]
        assert name == "sanity check"


async def test_quality_is_ranked_per_column_and_c_switches(two_sweeps: tuple[str, str]) -> None:
    app = _app(list(two_sweeps))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _loaded(pilot)
        legend = lambda: str(screen.query_one("#grid-legend").render())  # noqa: E731
        assert "per horizon (c)" in legend()
        await pilot.press("c")
        assert "over the grid (c)" in legend()


async def test_wide_terminals_spell_the_counts_out(two_sweeps: tuple[str, str]) -> None:
    for size, wide in (((200, 50), True), ((80, 24), False)):
        app = _app(list(two_sweeps))
        async with app.run_test(size=size) as pilot:
            screen = await _loaded(pilot)
            cell = str(screen.query_one("#grid-table").get_cell_at((0, 1)))  # type: ignore[attr-defined]
            assert ("3 complete · 0 pruned" in cell) is wide
            assert ("C3 P0" in cell) is not wide


async def test_the_palette_switches_sweeps(two_sweeps: tuple[str, str]) -> None:
    app = _app(list(two_sweeps))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _loaded(pilot)
        assert screen.grid is not None and screen.grid.sweep == "phase6a"
        await pilot.press("ctrl+p")
        await pilot.press(*"sweep phase5")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and screen.grid is not None
        assert screen.grid.sweep == "phase5"
