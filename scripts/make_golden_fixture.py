"""Build tests/fixtures/golden/campaign.db: the fixture campaign, written once and committed,
so that golden-file tests of every export format see fixed datetimes.

Run from the repository root: ``.venv/bin/python scripts/make_golden_fixture.py``; then
refresh the golden files (syrupy snapshots, ``tests/helpers/golden.py``) with
``.venv/bin/python -m pytest tests --snapshot-update``, and read the diff.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers.fixture_campaign import populate  # noqa: E402


def main() -> None:
    target = ROOT / "tests" / "fixtures" / "golden" / "campaign.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        populate(f"sqlite:///{target}")
    print(target)


if __name__ == "__main__":
    main()
