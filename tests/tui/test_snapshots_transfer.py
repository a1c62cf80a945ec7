"""Snapshot tests of the transfer view at 120 × 40 and 80 × 24: on the hand-worked sweep of
``tests/helpers/transfer_campaign.py`` (both pairs), and on the golden campaign.

Update after an intended visual change:
``pytest tests/tui/test_snapshots_transfer.py --snapshot-update``, then look at the SVGs.
"""

from __future__ import annotations

import pytest

from tests.helpers.transfer_campaign import populate_transfer
from tests.tui.conftest import loaded, make_app

SIZES = {"120x40": (120, 40), "80x24": (80, 24)}


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("transfer_snap") / "transfer.db"
    populate_transfer(f"sqlite:///{path}")
    return str(path)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("transfer", ["X"]),  # the budget pair 2M → 2B at h1 below
        ("transfer_horizon_pair", ["X", "down"]),  # the horizon pair h1 → h3 at 2M below
    ],
)
def test_screen(snap_compare, storage: str, name: str, keys: list[str], size: str) -> None:
    async def run_before(pilot) -> None:
        await loaded(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.pause()

    assert snap_compare(make_app([storage]), terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.parametrize("size", list(SIZES))
def test_golden_campaign(snap_compare, size: str) -> None:
    async def run_before(pilot) -> None:
        await loaded(pilot)
        await pilot.press("X")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZES[size], run_before=run_before)
