"""Snapshot tests of the chart screens at 80 × 24 (a split tmux pane: panels stacked, the
chart full width) and of the compare screen at 120 × 40 (the others at 120 × 40 are in
``test_snapshots.py`` and ``test_snapshots_dynamics.py``).

Update after an intended visual change:
``pytest tests/tui/test_snapshots_charts.py --snapshot-update``, then look at the SVGs.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import after_keys, make_app

NARROW, WIDE = (80, 24), (120, 40)


@pytest.mark.parametrize(
    ("name", "keys", "size"),
    [
        ("trial_80x24", ["enter", "down", "enter"], NARROW),
        ("trial_full_range_80x24", ["enter", "down", "enter", "a"], NARROW),
        ("dynamics_80x24", ["t"], NARROW),
        ("effects_80x24", ["x"], NARROW),
        ("compare_80x24", ["enter", "space", "space", "space", "c"], NARROW),
        ("compare_log_120x40", ["enter", "space", "space", "space", "c", "l"], WIDE),
    ],
)
def test_screen(snap_compare, name: str, keys: list[str], size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=after_keys(keys))
