"""Every diverged trial of the campaign, with the reason, the step and what they share."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Static

from hpo_tui.core.analysis.diverged_trials import diverged_trials, key_params, shared_trait_list
from hpo_tui.core.display import display_number, display_value, plural, printable
from hpo_tui.tui.screens.base import HpoScreen
from hpo_tui.tui.text import fold, literal
from hpo_tui.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from hpo_tui.core.model.live import RefreshSummary


class DivergedScreen(HpoScreen):
    """Enter opens the trial."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="diverged.back"),
        Binding(
            "v",
            "toggle_full",
            "Full values",
            id="diverged.full",
            tooltip="Key params at full precision, not folded",
        ),
        # The table's own enter selects the row (below); this one names the key in ? help.
        Binding("enter", "open_trial", "Open", show=False, id="diverged.open"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.full = False
        self.keys: list[int] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Static(id="diverged-title")
            yield Static(id="diverged-shared")
            yield DataTable(id="diverged-table", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.fill()
        self.query_one(DataTable).focus()

    def campaign_changed(self, summary: RefreshSummary | None) -> None:
        """A refresh: list the diverged trials again (the cursor row is kept)."""
        self.fill()

    def fill(self) -> None:
        """(Re)build the table from the app's campaign."""
        campaign = self.hpo.campaign
        assert campaign is not None
        diverged = diverged_trials(campaign)
        self.keys = diverged["key"].tolist()
        self.query_one("#diverged-title", Static).update(
            Text(
                f"{plural(len(diverged), 'diverged trial')} of {len(campaign.trials)}",
                style="bold",
            )
        )
        digits = self.hpo.config.digits
        traits = shared_trait_list(campaign, diverged, digits)
        shared = "; ".join(t.text for t in traits) if traits else "no shared trait stands out"
        self.query_one("#diverged-shared", Static).update(Text(shared, style="italic"))
        table = self.query_one(DataTable)
        row_before = table.cursor_row
        table.clear(columns=True)
        for label in (
            "study",
            "trial",
            "state",
            "reason",
            "curve",
            "step",
            "last finite",
            "key params",
        ):
            table.add_column(label)
        for row in diverged.to_dict("records"):
            shown = ", ".join(
                f"{name}={display_value(value, digits, full=self.full)}"
                for name, value in key_params(campaign.trial_detail(row["key"])["params"], traits)
            )
            table.add_row(
                literal(row["study"]),
                Text(str(row["number"]), justify="right"),
                Text(row["state"]),
                Text(str(row["diverged_reason"]), style="bold red"),
                literal(row["diverged_curve"] or "user attr"),
                Text(
                    "—" if pd.isna(row["diverged_step"]) else str(row["diverged_step"]),
                    justify="right",
                ),
                Text(
                    display_number(row["diverged_last_finite"], digits, full=self.full),
                    justify="right",
                ),
                Text(printable(shown) if self.full else fold(shown, 60)),
            )
        table.move_cursor(row=min(row_before, max(len(self.keys) - 1, 0)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._open(event.cursor_row)

    def action_open_trial(self) -> None:
        self._open(self.query_one(DataTable).cursor_row)

    def _open(self, row: int) -> None:
        if 0 <= row < len(self.keys):
            self.hpo.open_trial(self.keys[row], self.keys)

    def action_toggle_full(self) -> None:
        self.full = not self.full
        self.fill()
