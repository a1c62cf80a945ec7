"""Where the tests find things: the repository root and the committed fixture files."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
GOLDEN = FIXTURES / "golden"
LEGACY = FIXTURES / "legacy"
