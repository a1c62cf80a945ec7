"""Every committed SVG snapshot belongs to a snapshot test.

syrupy finds unused snapshots only in a serial run of the whole suite; under pytest-xdist it
cannot (its workers do not share what they used), so ``make test`` checks it here: for each
snapshot test file collected in this session, its ``__snapshots__/<file>/`` folder holds
exactly one SVG per ``snap_compare`` test, named as pytest-textual-snapshot names it.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from tests.tui.conftest import COLLECTED


def _svg_name(item: pytest.Item) -> str:
    # syrupy's single-file name: the test's name without characters a file name cannot hold
    return "".join(
        c
        for c in item.name
        if c not in '\\/?*:|"<>' and not unicodedata.category(c).startswith("C")
    )


def test_every_svg_snapshot_belongs_to_a_snapshot_test(request: pytest.FixtureRequest) -> None:
    expected: dict[Path, set[str]] = {}
    for item in request.config.stash[COLLECTED]:
        if "snap_compare" in getattr(item, "fixturenames", ()):
            folder = item.path.parent / "__snapshots__" / item.path.stem
            expected.setdefault(folder, set()).add(f"{_svg_name(item)}.svg")
    for folder, names in expected.items():
        present = {path.name for path in folder.glob("*.svg")}
        assert present - names == set(), f"SVGs no test makes in {folder}"
        assert names - present == set(), f"snapshot tests without an SVG in {folder}"
