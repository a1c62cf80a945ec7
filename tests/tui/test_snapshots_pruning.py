"""Snapshot tests of the pruning view on the golden campaign, at 120 × 40 and 80 × 24.

Update after an intended visual change:
``pytest tests/tui/test_snapshots_pruning.py --snapshot-update``, then look at the SVGs.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import SIZES, after_keys, make_app


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("pruning", ["p"]),  # from the grid: fx_2M_h1, its one pruned trial below
        ("pruning_top_k", ["p", "percent_sign"]),
        ("pruning_from_study", ["enter", "p"]),
    ],
)
def test_screen(snap_compare, name: str, keys: list[str], size: str) -> None:
    assert snap_compare(make_app(), terminal_size=SIZES[size], run_before=after_keys(keys))
