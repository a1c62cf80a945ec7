"""Pilot tests: the transfer view from the grid and the palette, on the hand-worked sweep of
``tests/helpers/transfer_campaign.py`` (numbers in ``tests/core/test_transfer.py``)."""

from __future__ import annotations

from textual.widgets import DataTable

from hpo_tui.tui.screens.grid import GridScreen
from hpo_tui.tui.screens.transfer import TransferScreen
from tests.tui.conftest import loaded, make_app, run_command, settle, table_rows

SIZE = (120, 40)


async def test_x_on_the_grid_shows_every_pair_and_the_cursor_pairs_params(transfer_db: str) -> None:
    app = make_app([transfer_db])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert isinstance(app.screen, GridScreen)
        await pilot.press("X")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TransferScreen)
        pairs = table_rows(screen.query_one("#transfer-pairs", DataTable))
        assert [row[0] for row in pairs] == ["t: 2M → 2B @ h1", "t: h1 → h3 @ 2M"]
        # ρ by hand: best params −1 and shared 0.6 over 4 configs; 2 shared configs: none.
        assert pairs[0][2] == "-1 (n=3)" and pairs[0][3] == "0.6000 (n=4)"
        assert pairs[1][3] == "— (n=2)"
        params = table_rows(screen.query_one("#transfer-params", DataTable))
        assert [row[0] for row in params] == ["c", "x", "y", "z"]
        # x: 2B's winner (0.9) at the 100th percentile of 2M's x, outside 2M's top k.
        assert params[1][1:5] == ["0.1000", "0.9000", "100", "no"]
        header = str(screen.query_one("#transfer-pair").render())
        assert "would 2M have picked 2B's winner?" in header
        await pilot.press("down")
        await settle(pilot)
        params = table_rows(screen.query_one("#transfer-params", DataTable))
        assert params[0][:3] == ["c", "a", "a"] and params[0][4] == "yes"
        assert "would h1 have picked h3's winner?" in str(
            screen.query_one("#transfer-pair").render()
        )
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, GridScreen)


async def test_the_palette_opens_the_transfer_view(transfer_db: str) -> None:
    app = make_app([transfer_db])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await run_command(pilot, "Cross-budget transfer")
        assert isinstance(app.screen, TransferScreen)
        assert app.screen.result is not None and len(app.screen.result.pairs) == 2


async def test_a_campaign_without_pairs_says_so(tmp_path) -> None:
    import optuna

    optuna.create_study(study_name="lonely_2M_h1", storage=f"sqlite:///{tmp_path / 'one.db'}")
    app = make_app([str(tmp_path / "one.db")])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.open_transfer()
        await settle(pilot)
        assert "nothing to compare" in str(app.screen.query_one("#transfer-pair").render())
