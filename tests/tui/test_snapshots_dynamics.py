"""Snapshot tests of the training-dynamics and effects screens on the golden campaign (120 × 40).

Update after an intended visual change:
``pytest tests/tui/test_snapshots_dynamics.py --snapshot-update``, then look at the SVGs.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import loaded, make_app

SIZE = (120, 40)


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("dynamics", ["t"]),
        ("dynamics_grouped", ["t", "g", "g"]),
        ("effects_horizon", ["x"]),
        ("effects_budget", ["x", "x"]),
    ],
)
def test_screen(snap_compare, name: str, keys: list[str]) -> None:
    async def run_before(pilot) -> None:
        await loaded(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)
