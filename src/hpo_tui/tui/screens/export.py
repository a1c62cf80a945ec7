"""The export dialog: only collects the folder; the core writes the files."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from hpo_tui.core.export.writer import DEFAULT_OUT, EXPORT_FILES


class ExportModal(ModalScreen[str | None]):
    """Enter exports to the folder typed; Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    def __init__(self, default: str = str(DEFAULT_OUT)) -> None:
        super().__init__()
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog"):
            yield Label("Export the campaign to folder:")
            yield Input(value=self.default, id="export-path")
            yield Label(", ".join(EXPORT_FILES), id="export-files", classes="dim")
            yield Label("Enter to export · Esc to cancel", classes="dim")

    @on(Input.Submitted, "#export-path")
    def submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or self.default)

    def action_cancel(self) -> None:
        self.dismiss(None)
