"""Snapshot tests of the training-dynamics and effects screens on the golden campaign (120 × 40).

Update after an intended visual change:
``pytest tests/tui/test_snapshots_dynamics.py --snapshot-update``, then look at the SVGs.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import after_keys, make_app

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
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=after_keys(keys))
