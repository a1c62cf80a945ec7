"""The app's own help screen (``?``), generated from the bindings, and the README's keys
table: every key the README lists exists on the screen it names, every binding is listed."""

from __future__ import annotations

import re

import pytest
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from hpo_tui.tui.app import HpoApp
from hpo_tui.tui.keys import BINDING_GROUPS, own_bindings
from hpo_tui.tui.screens.bands import BandsScreen
from hpo_tui.tui.screens.columns import ColumnPicker
from hpo_tui.tui.screens.compare import CompareScreen
from hpo_tui.tui.screens.contour import ContourScreen
from hpo_tui.tui.screens.diverged import DivergedScreen
from hpo_tui.tui.screens.dynamics import DynamicsScreen
from hpo_tui.tui.screens.edf import EdfScreen
from hpo_tui.tui.screens.effects import EffectsScreen
from hpo_tui.tui.screens.export import ExportModal
from hpo_tui.tui.screens.grid import GridScreen
from hpo_tui.tui.screens.help import HelpScreen
from hpo_tui.tui.screens.history import HistoryScreen
from hpo_tui.tui.screens.importance import ImportanceScreen
from hpo_tui.tui.screens.pareto import ParetoScreen
from hpo_tui.tui.screens.pruning import PruningScreen
from hpo_tui.tui.screens.slice import SliceScreen
from hpo_tui.tui.screens.space import SpaceScreen
from hpo_tui.tui.screens.study import StudyScreen
from hpo_tui.tui.screens.timeline import TimelineScreen
from hpo_tui.tui.screens.trial import TrialScreen
from hpo_tui.tui.widgets.footer import KeysFooter
from tests.helpers.paths import ROOT
from tests.tui.conftest import loaded, make_app

# The README's "where" column → the screen it means.
WHERE: dict[str, type[Screen]] = {
    "grid": GridScreen,
    "importance": ImportanceScreen,
    "slice": SliceScreen,
    "study": StudyScreen,
    "dynamics": DynamicsScreen,
    "effects": EffectsScreen,
    "diverged": DivergedScreen,
    "trial": TrialScreen,
    "space": SpaceScreen,
    "compare": CompareScreen,
    "columns": ColumnPicker,
    "pruning": PruningScreen,
    "history": HistoryScreen,
    "edf": EdfScreen,
    "timeline": TimelineScreen,
    "pareto": ParetoScreen,
    "bands": BandsScreen,
    "contour": ContourScreen,
}
EVERY_SCREEN: list[type[Screen]] = [*WHERE.values(), ExportModal]
# How the README writes a key → Textual's key name.
README_KEYS = {
    "?": "question_mark",
    "/": "slash",
    ":": "colon",
    "esc": "escape",
    "%": "percent_sign",
    "[": "left_square_bracket",
    "]": "right_square_bracket",
}


def readme_keys() -> dict[str, set[str]]:
    """The README's keys table: where → the keys it lists there (Textual names)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("### Keys", 1)[1].split("\n\n", 2)[1]
    keys: dict[str, set[str]] = {}
    where = ""
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        where = cells[0] or where
        for key in re.findall(r"`([^`]+)`", cells[1]):
            keys.setdefault(where, set()).add(README_KEYS.get(key, key))
    return keys


def binding_keys(binding: Binding) -> set[str]:
    return {key.strip() for key in binding.key.split(",")}


def test_the_readme_names_only_known_screens() -> None:
    assert set(readme_keys()) == {"everywhere", *WHERE}


@pytest.mark.parametrize("where", sorted(WHERE))
def test_every_key_the_readme_lists_exists_on_its_screen(where: str) -> None:
    bound = set().union(*(binding_keys(b) for b in own_bindings(WHERE[where])))
    missing = readme_keys()[where] - bound
    assert not missing, f"README lists {sorted(missing)} on {where}, which has no such binding"


@pytest.mark.parametrize("where", sorted(WHERE))
def test_every_binding_of_a_screen_is_in_the_readme(where: str) -> None:
    listed = readme_keys()[where] | readme_keys()["everywhere"]
    for binding in own_bindings(WHERE[where]):
        assert binding_keys(binding) & listed, f"{where}: {binding.key} is not in the README"


def test_the_global_keys_are_the_apps() -> None:
    everywhere = readme_keys()["everywhere"]
    app_keys = set().union(*(binding_keys(b) for b in own_bindings(HpoApp)))
    assert everywhere - {"escape"} == app_keys | {App.COMMAND_PALETTE_BINDING}
    for screen in set(EVERY_SCREEN) - {GridScreen}:  # esc is back (or cancel) below home
        assert any("escape" in binding_keys(b) for b in own_bindings(screen)), screen


def test_every_binding_has_a_help_group() -> None:
    for owner in [HpoApp, *EVERY_SCREEN]:
        for binding in own_bindings(owner):
            assert binding.id in BINDING_GROUPS, f"{owner.__name__}: {binding.key}"


def _help_text(app: HpoApp) -> str:
    screen = app.screen
    assert isinstance(screen, HelpScreen)
    return screen.plain_text()


async def test_help_lists_the_screens_own_keys_first_then_the_global_ones() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")  # a study
        await pilot.pause()
        study = app.screen
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        text = _help_text(app)
        for internal in ("Page Left", "Copy selected text", "Focus Next", "ctrl+pageup"):
            assert internal not in text
        for binding in own_bindings(StudyScreen):
            assert binding.description in text
        own = text.index("Study table")
        everywhere = text.index("Everywhere")
        assert own < text.index("Sort") < everywhere < text.index("Export")
        for group in ("Navigate", "View", "Data"):
            assert own < text.index(group) < everywhere
        assert "Quit" not in text  # q is back below the grid
        # It fits 80×24 and scrolls what does not fit.
        dialog = help_screen.query_one("#help-dialog")
        assert dialog.region.right <= 80 and dialog.region.bottom <= 24
        body = help_screen.query_one("#help-body")
        assert body.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0
        await pilot.press("question_mark")  # ? closes it
        await pilot.pause()
        assert app.screen is study
        await pilot.press("question_mark", "escape")  # and so does esc
        await pilot.pause()
        assert app.screen is study


async def test_help_on_the_grid_says_q_quits() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = _help_text(app)
        assert "Quit" in text and "Metric" in text
        assert text.index("Metric") < text.index("Everywhere") < text.index("Quit")


@pytest.mark.parametrize("keys", [(), ("enter",), ("enter", "enter"), ("d",), ("t",), ("x",)])
async def test_the_footer_shows_help_at_80_columns(keys: tuple[str, ...]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        for key in keys:
            await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause()
        footer = app.screen.query_one(KeysFooter)
        await pilot.pause()
        helps = [k for k in footer.children if "Help" in str(k.render())]
        assert helps, [str(k.render()) for k in footer.children]
        assert helps[0].region.right <= 80 and helps[0].region.width > 0


async def test_the_palettes_keys_command_opens_the_same_help() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        app.action_show_help_panel()  # what the palette's "Keys" command runs
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert not app.screen.query("HelpPanel")
