"""Every diverged trial of the campaign, with the reason, the step and what they share."""

from __future__ import annotations

import pandas as pd
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Static

from hpo_tui.core.diverged import diverged_trials, shared_traits
from hpo_tui.core.formats import display_number, plural
from hpo_tui.tui.screens.base import HpoScreen
from hpo_tui.tui.text import fold, literal
from hpo_tui.tui.widgets.footer import KeysFooter

KEY_PARAMS = 3


class DivergedScreen(HpoScreen):
    """Enter opens the trial."""

    BINDINGS = [Binding("escape", "back", "Back", id="diverged.back")]

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

    def campaign_changed(self, summary: object) -> None:
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
        shared = shared_traits(campaign, diverged)
        self.query_one("#diverged-shared", Static).update(
            Text("; ".join(shared) if shared else "no shared trait stands out", style="italic")
        )
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
        params = [c for c in campaign.trials.columns if c.startswith("param_")]
        for row in diverged.to_dict("records"):
            shown = [
                f"{c.removeprefix('param_')}={display_number(row[c])}"
                for c in params
                if not (row[c] is None or (isinstance(row[c], float) and pd.isna(row[c])))
                and row[c] is not pd.NA
            ][:KEY_PARAMS]
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
                Text(display_number(row["diverged_last_finite"]), justify="right"),
                Text(fold(", ".join(shown), 60)),
            )
        table.move_cursor(row=min(row_before, max(len(self.keys) - 1, 0)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self.keys):
            self.hpo.open_trial(self.keys[event.cursor_row], self.keys)

    def action_back(self) -> None:
        self.app.pop_screen()
