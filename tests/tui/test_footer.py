"""The footer recomposes only when the keys it shows change, not on every focus change."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input

from hpo_tui.tui.widgets.footer import KeysFooter

from .conftest import loaded, make_app


class Box(Widget, can_focus=True):
    DEFAULT_CSS = "Box { height: 3; }"


class Alpha(Box):
    BINDINGS = [Binding("x", "app.bell", "Alpha key")]


class AlphaToo(Box):
    BINDINGS = [Binding("x", "app.bell", "Alpha key")]


class Beta(Box):
    BINDINGS = [Binding("y", "app.bell", "Beta key")]


class FooterApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Alpha(id="a")
        yield AlphaToo(id="a2")
        yield Beta(id="b")
        yield KeysFooter()


def _shown(footer: KeysFooter) -> list[str]:
    return [str(key.render()) for key in footer.children]


async def test_recomposes_only_when_the_shown_keys_change() -> None:
    app = FooterApp()
    async with app.run_test(size=(80, 12)) as pilot:
        footer = app.query_one(KeysFooter)
        app.query_one("#a").focus()
        await pilot.pause()
        await pilot.pause()
        assert any("Alpha key" in text for text in _shown(footer))
        recomposed = footer.recomposed
        app.query_one("#a2").focus()  # other widget, same keys shown
        await pilot.pause()
        await pilot.pause()
        assert footer.recomposed == recomposed
        assert any("Alpha key" in text for text in _shown(footer))
        app.query_one("#b").focus()  # other keys
        await pilot.pause()
        await pilot.pause()
        assert footer.recomposed == recomposed + 1
        shown = _shown(footer)
        assert any("Beta key" in text for text in shown)
        assert not any("Alpha key" in text for text in shown)


async def test_the_filter_field_leaves_the_footer_alone() -> None:
    """Typing a filter does not rebuild the footer, nor does submitting it: the footer keeps
    the trial table's keys, which are the keys again once the filter is applied."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("a")
        await pilot.pause()
        footer = app.screen.query_one(KeysFooter)
        before, recomposed = _shown(footer), footer.recomposed
        assert any("Sort" in text for text in before)
        await pilot.press("slash")
        await pilot.pause()
        assert isinstance(app.focused, Input)
        await pilot.press("v", "a", "l", "u", "e", "space", "less_than_sign", "space", "1")
        await pilot.pause()
        assert footer.recomposed == recomposed
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert not isinstance(app.focused, Input)
        assert app.screen.table.state.query == "value < 1"
        assert footer.recomposed == recomposed
        assert _shown(footer) == before
