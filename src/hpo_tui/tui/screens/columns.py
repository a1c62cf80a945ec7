"""Pick the columns of the trial table."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, SelectionList

from hpo_tui.core.formats import printable


class ColumnPicker(ModalScreen[list[str] | None]):
    """Space toggles a column, Enter applies, Esc cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="columns.cancel"),
        Binding("enter", "apply", "Apply", id="columns.apply", priority=True),
    ]

    def __init__(self, available: list[str], shown: list[str]) -> None:
        super().__init__()
        self.available = available
        self.shown = shown
        self.ordered = [c for c in shown if c in available] + [
            c for c in available if c not in shown
        ]

    def compose(self) -> ComposeResult:
        with Vertical(id="column-dialog"):
            yield Label("Columns (space toggles, Enter applies)")
            yield SelectionList[str](
                *[(Content(printable(c)), c, c in self.shown) for c in self.ordered]
            )

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_apply(self) -> None:
        selected = set(self.query_one(SelectionList).selected)
        self.dismiss([c for c in self.ordered if c in selected])
