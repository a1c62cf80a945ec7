"""Snapshot tests of the Pareto front (and its hypervolume history), the param bands and the
contour, at 120 × 40 and 80 × 24. Update after an intended visual change:
``pytest tests/tui/test_snapshots_pareto_bands_contour.py --snapshot-update`` (then read the
new SVGs)."""

from __future__ import annotations

import pytest

from tests.tui.conftest import SIZES, after_keys, make_app


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize(
    ("name", "storage", "keys"),
    [
        # mo_2M_h1 (NSGA-II, val_loss × accuracy): the front marked *
        ("pareto", "multi", ["P"]),
        # its hypervolume history up to the proposed point (the worst of each objective)
        ("pareto_hypervolume", "multi", ["P", "h", "enter"]),
        # mo_2M_h3: three objectives, one +inf drawn at the edge
        ("pareto_three", "multi", ["l", "P"]),
        # pat_2M_h1: a log, an int and a categorical param
        ("bands", "patterns", ["B"]),
        # learning_rate (log) × activation of pat_2M_h1, from the slice view
        ("contour", "patterns", ["i", "down", "enter", "c"]),
    ],
)
def test_screen(
    snap_compare,
    request: pytest.FixtureRequest,
    name: str,
    storage: str,
    keys: list[str],
    size: str,
) -> None:
    source = request.getfixturevalue(storage)  # the session's `multi` or `patterns` file
    app = make_app([source])
    assert snap_compare(app, terminal_size=SIZES[size], run_before=after_keys(keys))
