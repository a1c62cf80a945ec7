"""Golden files: compare text with a committed file; ``HPO_TUI_UPDATE_GOLDEN=1`` rewrites it."""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).parent.parent / "fixtures" / "golden"
GOLDEN_DB = GOLDEN / "campaign.db"
GOLDEN_SPEC = "tests/fixtures/golden/campaign.db"  # relative: the source column is stable


def assert_golden(text: str, name: str) -> None:
    path = GOLDEN / name
    if os.environ.get("HPO_TUI_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.exists(), f"missing golden file {path} (run with HPO_TUI_UPDATE_GOLDEN=1)"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"
