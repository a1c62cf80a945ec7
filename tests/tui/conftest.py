"""App factory for Pilot and snapshot tests: the committed golden campaign, a stable screen."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable

from hpo_tui.tui.app import HpoApp
from tests.helpers.golden import GOLDEN_SPEC
from tests.helpers.paths import ROOT

# The terminal sizes of the snapshot tests: the usual window, and the smallest one supported.
SIZES = {"120x40": (120, 40), "80x24": (80, 24)}
# "Now" of every test app: a running trial's age must not change between snapshot runs.
FIXED_NOW = datetime(2026, 11, 25, 21, 50, 0, tzinfo=UTC)
# Every test collected in this session, before -k/-m deselect any (see test_snapshot_files.py).
COLLECTED = pytest.StashKey[list[pytest.Item]]()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    config.stash[COLLECTED] = list(items)


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.fixture(autouse=True)
def config_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh user config folder per test: no test reads or writes the real one."""
    folder = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("HPO_TUI_CONFIG_DIR", str(folder))
    return folder


def make_app(specs: list[str] | None = None) -> HpoApp:
    app = HpoApp(specs or [GOLDEN_SPEC], show_clock=False)
    app.clock = lambda: FIXED_NOW
    return app


async def settle(pilot) -> None:
    """Wait until the app's workers are done (the load, a view's computation) and the screen
    has settled."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


loaded = settle  # after the app starts: the campaign is loaded


async def press(pilot, *keys: str) -> None:
    """Press ``keys`` one by one, each time waiting for the workers the key started."""
    for key in keys:
        await pilot.press(key)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    await pilot.pause()


async def run_command(pilot, command: str) -> None:
    """Open the command palette, search ``command`` and run the first hit, waiting for the
    workers it starts."""
    from textual.command import CommandInput, CommandPalette

    await pilot.press("ctrl+p")
    await pilot.pause()
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    palette.query_one(CommandInput).value = command
    await settle(pilot)
    await press(pilot, "enter")


def table_rows(table: DataTable) -> list[list[str]]:
    """Every row of ``table``, each cell as its text."""
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def after_keys(keys: Sequence[str]) -> Callable[[Any], Awaitable[None]]:
    """A ``snap_compare`` ``run_before``: the campaign loaded, then ``keys`` pressed."""

    async def run_before(pilot) -> None:
        await loaded(pilot)
        await press(pilot, *keys)

    return run_before
