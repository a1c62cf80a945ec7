"""``?``: the keys of the screen below, grouped, then the keys that work everywhere.

Generated from the bindings (their keys, descriptions and tooltips) and the groups in
:mod:`hpo_tui.tui.keys`, so the help cannot drift from what the keys do. Textual's own key
panel listed the focused table's internals first (``^pgup Page Left``, ``^c Copy selected
text``) and put the app's keys below the fold of an 80×24 terminal.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from hpo_tui.tui.keys import GROUP_TITLES, SCREEN_NAMES, group_of, own_bindings

# Spelled out where Textual's footer glyphs are terse (``⏎``).
KEY_NAMES = {"enter": "enter"}
PALETTE = Binding(
    App.COMMAND_PALETTE_BINDING,
    "command_palette",
    "Command palette",
    tooltip="Jump to a study or a trial, export, theme",
)


@dataclass(frozen=True)
class HelpRow:
    """One binding as the help shows it."""

    keys: str
    description: str
    tooltip: str


@dataclass(frozen=True)
class HelpSection:
    """A heading and its bindings."""

    title: str
    rows: tuple[HelpRow, ...]


def key_display(app: App[Any], binding: Binding) -> str:
    """Every key of ``binding`` as the user types it (``: / g``)."""
    keys = [key.strip() for key in binding.key.split(",")]
    return " / ".join(
        KEY_NAMES.get(key)
        or (key if key.startswith("ctrl+") else app.get_key_display(Binding(key, binding.action)))
        for key in keys
    )


def help_row(app: App[Any], binding: Binding) -> HelpRow:
    """``binding`` as a row: keys, description, and the tooltip when it says more."""
    tooltip = binding.tooltip if binding.tooltip != binding.description else ""
    return HelpRow(key_display(app, binding), binding.description, tooltip)


def help_sections(app: App[Any], screen: Screen[Any]) -> list[HelpSection]:
    """The screen's own keys by group (navigate, view, data, app), then the global keys
    that apply on it (``q`` is quit on the grid, back elsewhere, nothing in a dialog).

    Args:
        app: The app (its bindings and how it displays keys).
        screen: The screen the help is about: read before the help screen covers it,
            since the app's ``check_action`` looks at the screen on top.
    """
    name = SCREEN_NAMES.get(type(screen).__name__, "This screen")
    own = [b for b in own_bindings(type(screen)) if b.description]
    sections = []
    for group, title in GROUP_TITLES.items():
        rows = tuple(help_row(app, b) for b in own if group_of(b) == group)
        if rows:
            sections.append(HelpSection(f"{name} — {title}", rows))
    everywhere = [
        b
        for b in own_bindings(type(app))
        if b.description and app.check_action(b.action, ()) is not False
    ]
    if app.ENABLE_COMMAND_PALETTE:
        everywhere.append(PALETTE)
    sections.append(HelpSection("Everywhere", tuple(help_row(app, b) for b in everywhere)))
    return sections


def sections_renderable(sections: list[HelpSection]) -> Group:
    """One table per section: keys, description, tooltip (wrapped)."""
    parts: list[Table | Text] = []
    # One width for every section's columns, so that the sections line up.
    rows = [row for section in sections for row in section.rows]
    keys_width = max((len(row.keys) for row in rows), default=1)
    does_width = max((len(row.description) for row in rows), default=1)
    for index, section in enumerate(sections):
        if index:
            parts.append(Text(""))
        parts.append(Text(section.title, style="bold"))
        table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
        table.add_column("keys", no_wrap=True, style="bold", width=max(keys_width, 5))
        table.add_column("does", no_wrap=True, width=does_width)
        table.add_column("more", style="dim", ratio=1)
        for row in section.rows:
            # Literal text: a tooltip or key is never read as markup.
            table.add_row(Text(row.keys), Text(row.description), Text(row.tooltip))
        parts.append(table)
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    """The keys of the screen below; ``?`` or esc closes it, the arrows scroll it."""

    BINDINGS = [Binding("escape,question_mark", "close", "Close", id="help.close")]

    def __init__(self, sections: list[HelpSection]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            with VerticalScroll(id="help-body"):
                yield Static(sections_renderable(self.sections), id="help-keys")
            yield Static(
                Text("? or esc closes · ↑ ↓ pgup pgdn scroll", style="dim"), id="help-hint"
            )

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        # As tall as the keys need, at most the terminal's height less the dialog's border
        # and hint line (CSS alone lets an auto-height dialog grow past the screen).
        room = max(self.app.size.height - 4, 3)
        self.query_one("#help-body").styles.max_height = room

    def plain_text(self) -> str:
        """What the help shows, as plain text at the width of its body."""
        width = max(self.query_one("#help-keys").content_region.width, 40)
        console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
        console.print(sections_renderable(self.sections))
        return console.export_text()

    def action_close(self) -> None:
        self.dismiss(None)
