"""The trial screen says when a storage keeps whole seconds only (MySQL/MariaDB)."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from hpo_tui.tui.screens.trial import TrialScreen, info_table
from tests.tui.conftest import loaded, make_app

SIZE = (120, 40)


@pytest.mark.parametrize("backend", ["mysql_storage", "sqlite_storage"])
async def test_trial_screen_duration_names_the_storage_precision(
    backend: str, request: pytest.FixtureRequest
) -> None:
    spec = request.getfixturevalue(backend).spec
    app = make_app([spec])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("a")  # every trial
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TrialScreen)
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(info_table(app.campaign, screen.key, full=True))
        (duration,) = [line for line in console.export_text().splitlines() if "duration" in line]
    if backend == "mysql_storage":
        assert re.search(r"duration +\d+ s \(storage keeps whole seconds\)$", duration.rstrip())
    else:
        assert re.search(r"duration +\d+\.\d+ s$", duration.rstrip())
