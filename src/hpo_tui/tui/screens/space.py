"""The search space read from the stored distributions (campaign-wide or per study)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Static

from hpo_tui.core.analysis.space import study_space
from hpo_tui.core.export.methods import space_table
from hpo_tui.tui.screens.base import HpoScreen
from hpo_tui.tui.text import literal
from hpo_tui.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from hpo_tui.core.model.live import RefreshSummary


class SpaceScreen(HpoScreen):
    """``t`` toggles merged (one row per distinct distribution) and per-study views."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="space.back"),
        Binding("t", "toggle_view", "Merged/per study", id="space.toggle"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.per_study = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Static(id="space-title")
            yield DataTable(id="space-table", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.fill()
        self.query_one(DataTable).focus()

    def campaign_changed(self, summary: RefreshSummary | None) -> None:
        """A refresh: the space may have grown."""
        self.fill()

    def fill(self) -> None:
        campaign = self.hpo.campaign
        assert campaign is not None
        table = self.query_one(DataTable)
        table.clear(columns=True)
        if self.per_study:
            frame = study_space(campaign).drop(columns=["study_id"])
            title = "Search space per study (variants > 1: changed within the study)"
        else:
            frame = space_table(campaign)
            title = "Search space (identical distributions merged across studies)"
        self.query_one("#space-title", Static).update(Text(title, style="bold"))
        for column in frame.columns:
            table.add_column(literal(column))
        for row in frame.itertuples(index=False):
            table.add_row(*(literal("—" if v is None else v) for v in row))

    def action_toggle_view(self) -> None:
        self.per_study = not self.per_study
        self.fill()
