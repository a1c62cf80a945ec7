"""The pruner audit: one row per study above, the pruned trials of the cursor's study below.

The audit is ``hpo_tui.core.analysis.pruning.pruning_audit``, computed in a thread worker; the
definitions are in its module docstring and the export's README. Enter on a pruned trial
opens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from hpo_tui.core.analysis.patterns import TOP_FRACTION
from hpo_tui.core.analysis.pruning import PruningAudit, pruning_audit
from hpo_tui.core.display import display_number, plural, printable
from hpo_tui.tui.screens.base import HpoScreen
from hpo_tui.tui.text import fold, literal
from hpo_tui.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from hpo_tui.core.model.live import RefreshSummary

# What % cycles through, the default first.
TOP_FRACTIONS = (TOP_FRACTION, 0.2, 0.25, 0.05)
FLAG = "⚑"  # a possible false prune, readable without colour


@dataclass
class PruningReady(Message):
    """The worker finished the audit with ``audit.top_fraction``."""

    audit: PruningAudit


def percent(fraction: float) -> str:
    """``10 %`` for 0.1."""
    return f"{fraction * 100:g} %"


def estimate_text(row: pd.Series) -> Text:
    """The false-prune estimate as a share with its counts (``37 % (13/35)``), ``—`` when
    nothing could be assessed."""
    if pd.isna(row["false_prune_estimate"]):
        return Text("—", style="dim", justify="right")
    share = float(row["false_prune_estimate"])
    text = f"{share:.0%} ({int(row['n_possible_false_prune'])}/{int(row['n_assessed'])})"
    return Text(text, style="bold yellow" if share > 0 else "", justify="right")


def _count(value: object) -> Text:
    return Text(display_number(value), justify="right")


def flag_text(value: object) -> Text:
    """``⚑ possible``, ``no`` or ``—`` (not assessed)."""
    if value is None or value is pd.NA or pd.isna(value):
        return Text("—", style="dim")
    return Text(f"{FLAG} possible", style="bold yellow") if bool(value) else Text("no")


class PruningScreen(HpoScreen):
    """Studies above (cursor: the study shown below), pruned trials below; Enter opens one."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="pruning.back"),
        Binding(
            "percent_sign",
            "next_top_k",
            "Top k",
            key_display="%",
            id="pruning.top_k",
            tooltip="Cycle the top k: 10 %, 20 %, 25 %, 5 % of each study's complete trials",
        ),
        # The trial table's own enter selects the row (below); this one names the key in ? help.
        Binding("enter", "open_trial", "Open", show=False, id="pruning.open"),
    ]

    def __init__(self, study_id: int | None = None) -> None:
        super().__init__()
        self.study_id = study_id
        self.fraction = TOP_FRACTION
        self.audit: PruningAudit | None = None
        self.study_ids: list[int] = []  # the studies table's rows
        self.keys: list[int] = []  # the trials table's rows (trial keys)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="pruning-body"):
            yield Static("Computing the pruner audit…", id="pruning-title")
            yield DataTable(id="pruning-studies", cursor_type="row", zebra_stripes=True)
            yield Static("", id="pruning-study")
            yield DataTable(id="pruning-trials", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#pruning-studies", DataTable).focus()
        self.compute(self.fraction)

    @work(thread=True, exclusive=True, exit_on_error=False, group="pruning")
    def compute(self, fraction: float) -> None:
        """The audit in a thread; the result arrives as :class:`PruningReady`."""
        campaign = self.hpo.campaign
        assert campaign is not None
        self.post_message(PruningReady(pruning_audit(campaign, fraction)))

    def on_pruning_ready(self, message: PruningReady) -> None:
        self.audit = message.audit
        self.fraction = message.audit.top_fraction
        self._fill_studies()

    def campaign_changed(self, summary: RefreshSummary | None) -> None:
        """A refresh: audit the new trials."""
        self.compute(self.fraction)

    def _title(self) -> Text:
        assert self.audit is not None
        pruned = plural(int(self.audit.studies["n_pruned"].sum()), "pruned trial")
        return Text.assemble(
            ("Pruner audit", "bold"),
            f" · {pruned} · top k = {percent(self.fraction)} of complete trials ",
            ("(%)", "dim"),
            (
                f"\n{FLAG} possible false prune: ranked, at its pruning step, as well as a "
                "trial that finished in the top k",
                "dim",
            ),
        )

    def _fill_studies(self) -> None:
        assert self.audit is not None
        self.query_one("#pruning-title", Static).update(self._title())
        table = self.query_one("#pruning-studies", DataTable)
        table.clear(columns=True)
        for label in ("study", "pruned", "assessed", "false prunes", "not run"):
            table.add_column(label)
        table.add_column("note")
        studies = self.audit.studies
        self.study_ids = [int(s) for s in studies["study_id"]]
        for _, row in studies.iterrows():
            table.add_row(
                literal(row["study"]),
                _count(row["n_pruned"]),
                _count(row["n_assessed"]),
                estimate_text(row),
                _count(row["steps_not_run"]),
                Text(fold(row["note"], 50), style="dim"),
            )
        if self.study_id not in self.study_ids:
            first_pruned = studies.loc[studies["n_pruned"] > 0, "study_id"]
            self.study_id = int(first_pruned.iloc[0]) if len(first_pruned) else None
        if self.study_id is not None:
            table.move_cursor(row=self.study_ids.index(self.study_id))
        self._fill_trials()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id != "pruning-studies":
            return
        event.stop()
        if 0 <= event.cursor_row < len(self.study_ids):
            study_id = self.study_ids[event.cursor_row]
            if study_id != self.study_id:
                self.study_id = study_id
                self._fill_trials()

    def _fill_trials(self) -> None:
        campaign = self.hpo.campaign
        if self.audit is None or campaign is None:
            return
        table = self.query_one("#pruning-trials", DataTable)
        table.clear(columns=True)
        self.keys = []
        header = self.query_one("#pruning-study", Static)
        if self.study_id is None:
            header.update(Text("No study has pruned trials.", style="dim"))
            return
        studies = self.audit.studies.set_index("study_id")
        study = studies.loc[self.study_id]
        trials = self.audit.trials[self.audit.trials["study_id"] == self.study_id]
        text = Text.assemble(
            (printable(str(study["study"])), "bold"),
            f" ({study['direction']}) · {int(study['n_complete'])} complete, "
            f"top {int(study['n_top_k'])} · full run: step {display_number(study['full_step'])}",
        )
        if study["note"]:  # also in the table's last column, which 80 columns cut
            text.append(f" · {study['note']}", style="dim")
        if len(trials):
            text.append(" · tab: trials", style="dim")
        header.update(text)
        labels = ("trial", "step", "value", "rank at step", "as low→final", "false prune")
        for label in (*labels, "not run", "note"):
            table.add_column(label)
        all_trials = campaign.study_trials(self.study_id)
        key_of = dict(zip(all_trials["number"], all_trials["key"], strict=True))
        for _, row in trials.iterrows():
            self.keys.append(int(key_of[row["number"]]))
            # Among the complete trials at that step and itself: 31 of 31 is last.
            rank = (
                "—"
                if pd.isna(row["rank_at_pruning"])
                else f"{int(row['rank_at_pruning'])} of {int(row['n_complete_at_step']) + 1}"
            )
            finished = row["best_final_rank_as_low"]
            table.add_row(
                Text(f"#{int(row['number'])}", justify="right"),
                _count(row["pruning_step"]),
                Text(display_number(row["value_at_pruning"], self.hpo.config.digits)),
                Text(rank, justify="right"),
                Text("—" if pd.isna(finished) else f"#{int(finished)}", justify="right"),
                flag_text(row["possible_false_prune"]),
                _count(row["steps_not_run"]),
                literal(row["note"], style="dim"),
            )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "pruning-trials":
            self._open(event.cursor_row)
        elif self.keys:  # enter on a study: down to its pruned trials
            self.query_one("#pruning-trials", DataTable).focus()

    def action_open_trial(self) -> None:
        table = self.query_one("#pruning-trials", DataTable)
        if table.has_focus:
            self._open(table.cursor_row)

    def _open(self, row: int) -> None:
        if 0 <= row < len(self.keys):
            self.hpo.open_trial(self.keys[row], self.keys)

    def action_next_top_k(self) -> None:
        position = TOP_FRACTIONS.index(self.fraction) if self.fraction in TOP_FRACTIONS else -1
        self.compute(TOP_FRACTIONS[(position + 1) % len(TOP_FRACTIONS)])
