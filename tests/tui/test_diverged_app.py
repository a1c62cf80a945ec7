"""The diverged panel's key params are the ones its shared-traits line names."""

from __future__ import annotations

from hpo_tui.core.analysis.diverged_trials import diverged_trials, shared_trait_list
from hpo_tui.core.display import display_value
from hpo_tui.tui.screens.diverged import DivergedScreen
from tests.tui.conftest import loaded, make_app

SIZE = (160, 40)


async def test_key_params_start_with_the_named_params_and_v_shows_them_in_full() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("d")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DivergedScreen)
        campaign = app.campaign
        assert campaign is not None
        named = [t.param for t in shared_trait_list(campaign) if t.param]
        assert named, "the golden campaign's diverged trials share a param trait"
        table = screen.query_one("#diverged-table")
        diverged = diverged_trials(campaign).set_index("key")
        for row_index, key in enumerate(screen.keys):
            cell = str(table.get_row_at(row_index)[-1])  # type: ignore[attr-defined]
            first = cell.split(", ")[0]
            value = diverged.loc[key, f"param_{named[0]}"]
            assert first == f"{named[0]}={display_value(value)}"
        await pilot.press("v")
        await pilot.pause()
        for row_index, key in enumerate(screen.keys):
            cell = str(table.get_row_at(row_index)[-1])  # type: ignore[attr-defined]
            value = diverged.loc[key, f"param_{named[0]}"]
            assert cell.split(", ")[0] == f"{named[0]}={display_value(value, full=True)}"
            assert "…" not in cell
