"""Snapshot tests of the importance heatmap and the slice view (120 × 40 and 80 × 24), on the
studies of known structure. Update after an intended visual change:
``pytest tests/tui/test_snapshots_patterns.py --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.conftest import SIZES, after_keys, make_app


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("importance", ["i"]),
        # learning_rate of 2M h1: log x, diverged trials marked x
        ("slice_log_diverged", ["i", "down", "enter"]),
        # activation of 2M h1: categorical x
        ("slice_categorical", ["i", "down", "enter", "n"]),
    ],
)
def test_screen(
    snap_compare,
    patterns_db: Path,
    name: str,
    keys: list[str],
    size: str,
) -> None:
    source = str(patterns_db)

    assert snap_compare(make_app([source]), terminal_size=SIZES[size], run_before=after_keys(keys))
