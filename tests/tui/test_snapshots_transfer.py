"""Snapshot tests of the transfer view at 120 × 40 and 80 × 24: on the hand-worked sweep of
``tests/helpers/transfer_campaign.py`` (both pairs), and on the golden campaign.

Update after an intended visual change:
``pytest tests/tui/test_snapshots_transfer.py --snapshot-update``, then look at the SVGs.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import SIZES, after_keys, make_app


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("transfer", ["X"]),  # the budget pair 2M → 2B at h1 below
        ("transfer_horizon_pair", ["X", "down"]),  # the horizon pair h1 → h3 at 2M below
    ],
)
def test_screen(snap_compare, transfer_db: str, name: str, keys: list[str], size: str) -> None:
    app = make_app([transfer_db])
    assert snap_compare(app, terminal_size=SIZES[size], run_before=after_keys(keys))


@pytest.mark.parametrize("size", list(SIZES))
def test_golden_campaign(snap_compare, size: str) -> None:
    assert snap_compare(make_app(), terminal_size=SIZES[size], run_before=after_keys(["X"]))
