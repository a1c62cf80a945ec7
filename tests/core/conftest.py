"""The session's patterns and multi-objective campaigns, loaded once per test module.

Each fixture gives ``(campaign, storage)``: what ``load_campaign`` read, and what Optuna's own
API opens over the same data for the oracle.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.model.campaign import Campaign

Loaded = tuple[Campaign, Any]


@pytest.fixture(scope="module")
def patterns_loaded(patterns_db: Path) -> Loaded:
    """The studies of ``tests/helpers/patterns_campaign.py`` and their SQLite URL."""
    return load_campaign([str(patterns_db)]), f"sqlite:///{patterns_db}"


@pytest.fixture(scope="module")
def multi_loaded(multi_built: tuple[str, Any]) -> Loaded:
    """The studies of ``tests/helpers/multi_objective.py`` on each backend, and an Optuna
    storage over them."""
    spec, storage = multi_built
    return load_campaign([spec]), storage
