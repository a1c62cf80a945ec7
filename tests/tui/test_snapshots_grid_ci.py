"""Snapshot tests of the grid with bootstrap intervals (``b``), at 120 × 40 and 80 × 24: on
the hand-worked 2 × 2 grid (two cells tied) and on the golden campaign (mixed directions: no
best cell, no ties).

Update after an intended visual change:
``pytest tests/tui/test_snapshots_grid_ci.py --snapshot-update``, then look at the SVGs.
"""

from __future__ import annotations

import pytest

from tests.helpers import grid_ci_campaign as gc
from tests.helpers.sqlite_file import written_sqlite
from tests.tui.conftest import SIZES, loaded, make_app


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> str:
    return written_sqlite(tmp_path_factory, "grid_ci_snap/ci.db", gc.populate_grid_ci)


async def _with_intervals(pilot) -> None:
    await loaded(pilot)
    await pilot.press("b")
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("size", list(SIZES))
def test_tied_cells(snap_compare, storage: str, size: str) -> None:
    assert snap_compare(make_app([storage]), terminal_size=SIZES[size], run_before=_with_intervals)


@pytest.mark.parametrize("size", list(SIZES))
def test_golden_mixed_directions(snap_compare, size: str) -> None:
    assert snap_compare(make_app(), terminal_size=SIZES[size], run_before=_with_intervals)
