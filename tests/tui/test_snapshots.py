"""Snapshot tests of every screen on the committed golden campaign, at 120 × 40 and in an
80 × 24 tmux pane.

Update after an intended visual change: ``pytest tests/tui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import SIZES, loaded, make_app


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("grid", []),
        ("grid_next_sweep", ["right_square_bracket"]),
        ("grid_n_diverged", ["m", "m", "m"]),
        ("study", ["enter"]),
        ("study_sorted_by_value", ["enter", "right", "right", "right", "s"]),
        ("trial", ["enter", "down", "enter"]),
        ("diverged", ["d"]),
        ("all_trials", ["a"]),
        ("export_dialog", ["e"]),
        ("search_space", ["s"]),
        ("help", ["question_mark"]),
    ],
)
def test_screen(snap_compare, name: str, keys: list[str], size: str) -> None:
    async def run_before(pilot) -> None:
        await loaded(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZES[size], run_before=run_before)
