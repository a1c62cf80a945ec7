"""Snapshot tests of the history, EDF and timeline screens on the golden campaign, at 120 × 40
and 80 × 24 (the timeline at the tests' fixed clock: its RUNNING trial is stalled).

Update after an intended visual change:
``pytest tests/tui/test_snapshots_views.py --snapshot-update``, then look at the SVGs.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import SIZES, after_keys, make_app


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("history", ["H"]),
        ("history_by_time", ["H", "b"]),
        ("history_column", ["H", "x", "x"]),
        ("edf", ["E"]),
        ("timeline", ["j", "T"]),
        ("timeline_per_trial", ["j", "T", "v"]),
    ],
)
def test_screen(snap_compare, name: str, keys: list[str], size: str) -> None:
    assert snap_compare(make_app(), terminal_size=SIZES[size], run_before=after_keys(keys))
