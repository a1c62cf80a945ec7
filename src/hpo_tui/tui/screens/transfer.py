"""Cross-budget transfer: one row per pair of grid cells above, the cursor pair's params below.

The analysis is ``hpo_tui.core.analysis.transfer.transfer`` (definitions in its module
docstring and the export's README), computed in a thread worker with the app's importance
cache, so importances already computed elsewhere are not computed again.
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

from hpo_tui.core.analysis.transfer import Transfer, transfer
from hpo_tui.core.display import display_number, plural, printable
from hpo_tui.tui.screens.base import HpoScreen
from hpo_tui.tui.text import fold, literal
from hpo_tui.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from hpo_tui.core.model.live import RefreshSummary


@dataclass
class TransferReady(Message):
    """The worker finished the comparison."""

    result: Transfer


def rho_text(rho: object, n: object, digits: int) -> Text:
    """``0.6 (n=4)``, or ``— (n=2)`` when there is no correlation."""
    count = f" (n={int(n)})" if not pd.isna(n) else ""  # type: ignore[call-overload]
    if pd.isna(rho):
        return Text.assemble(("—", "dim"), (count, "dim"), justify="right")
    value = float(rho)  # type: ignore[arg-type]
    style = "bold" if abs(value) >= 0.7 else ""
    return Text.assemble((display_number(value, digits), style), (count, "dim"), justify="right")


def top_k_text(value: object) -> Text:
    """``yes``, ``no`` or ``—`` (unknown)."""
    if value is None or value is pd.NA or pd.isna(value):
        return Text("—", style="dim")
    return Text("yes", style="bold green") if bool(value) else Text("no")


def percentile_text(value: object) -> Text:
    """A percentile (0–100) with significant digits, ``—`` for a categorical param."""
    if pd.isna(value):
        return Text("—", style="dim", justify="right")
    return Text(display_number(float(value), 3), justify="right")  # type: ignore[arg-type]


class TransferScreen(HpoScreen):
    """Pairs of grid cells above (cursor: the pair shown below), their params below."""

    BINDINGS = [Binding("escape", "back", "Back", id="transfer.back")]

    def __init__(self) -> None:
        super().__init__()
        self.result: Transfer | None = None
        self.row = 0  # the pairs table's cursor row

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="transfer-body"):
            yield Static("Comparing the grid's cells…", id="transfer-title")
            yield DataTable(id="transfer-pairs", cursor_type="row", zebra_stripes=True)
            yield Static("", id="transfer-pair")
            yield DataTable(id="transfer-params", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#transfer-pairs", DataTable).focus()
        self.compute()

    @work(thread=True, exclusive=True, exit_on_error=False, group="transfer")
    def compute(self) -> None:
        """The comparison in a thread; the result arrives as :class:`TransferReady`."""
        campaign = self.hpo.campaign
        assert campaign is not None
        self.post_message(TransferReady(transfer(campaign, self.hpo.importance_cache)))

    def on_transfer_ready(self, message: TransferReady) -> None:
        self.result = message.result
        self._fill_pairs()

    def campaign_changed(self, summary: RefreshSummary | None) -> None:
        """A refresh: compare again (unchanged studies' importances come from the cache)."""
        self.compute()

    def _fill_pairs(self) -> None:
        assert self.result is not None
        pairs = self.result.pairs
        title = Text.assemble(
            ("Cross-budget transfer", "bold"),
            f" · {plural(len(pairs), 'pair')} of grid cells in one row or column",
            (
                "\nSpearman ρ of a and b: importances · the winners' params in their range · "
                "the objective of configs run in both",
                "dim",
            ),
        )
        self.query_one("#transfer-title", Static).update(title)
        table = self.query_one("#transfer-pairs", DataTable)
        table.clear(columns=True)
        for label in ("pair", "importance ρ", "best params ρ", "shared ρ", "note"):
            table.add_column(label)
        digits = self.hpo.config.digits
        for _, row in pairs.iterrows():
            table.add_row(
                literal(_pair_label(row)),
                rho_text(row["importance_rho"], row["importance_n"], digits),
                rho_text(row["best_params_rho"], row["best_params_n"], digits),
                rho_text(row["shared_rho"], row["shared_n"], digits),
                Text(fold(row["note"], 60), style="dim"),
            )
        if len(pairs):
            self.row = min(self.row, len(pairs) - 1)
            table.move_cursor(row=self.row)
        self._fill_params()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id != "transfer-pairs":
            return
        event.stop()
        if event.cursor_row != self.row:
            self.row = event.cursor_row
            self._fill_params()

    def _fill_params(self) -> None:
        if self.result is None:
            return
        pairs = self.result.pairs
        header = self.query_one("#transfer-pair", Static)
        table = self.query_one("#transfer-params", DataTable)
        table.clear(columns=True)
        if pairs.empty:
            header.update(
                Text(
                    "No two studies of a sweep share a grid row or column: nothing to compare.",
                    style="dim",
                )
            )
            return
        pair = pairs.iloc[self.row]
        a, b = printable(str(pair["a"])), printable(str(pair["b"]))
        text = Text.assemble(
            (printable(str(pair["study_a"])), "bold"),
            " vs ",
            (printable(str(pair["study_b"])), "bold"),
            (f" · would {a} have picked {b}'s winner? percentile among {a}'s trials, ", "dim"),
            ("and within what its top 10 % used", "dim"),
        )
        if pair["note"]:  # also in the table's last column, which 80 columns cut
            text.append(f" · {printable(str(pair['note']))}", style="dim")
        header.update(text)
        params = self.result.params
        rows = params[
            (params["sweep"] == pair["sweep"])
            & (params["axis"] == pair["axis"])
            & (params["fixed"] == pair["fixed"])
            & (params["a"] == pair["a"])
            & (params["b"] == pair["b"])
        ]
        labels = (
            "param",
            f"best {a}",
            f"best {b}",
            f"{b}'s in {a} %",
            f"top k {a}",
            f"{a}'s in {b} %",
            f"top k {b}",
        )
        for label in labels:
            table.add_column(label)
        digits = self.hpo.config.digits
        for _, row in rows.iterrows():
            table.add_row(
                literal(row["param"]),
                _value(row["best_a"], digits),
                _value(row["best_b"], digits),
                percentile_text(row["best_b_percentile_in_a"]),
                top_k_text(row["best_b_in_top_k_of_a"]),
                percentile_text(row["best_a_percentile_in_b"]),
                top_k_text(row["best_a_in_top_k_of_b"]),
            )


def _pair_label(row: pd.Series) -> str:
    """``2M → 2B @ h1`` (sweep first when it has a name)."""
    label = f"{row['a']} → {row['b']} @ {row['fixed']}"
    return f"{row['sweep']}: {label}" if row["sweep"] else label


def _value(value: object, digits: int) -> Text:
    """A winner's param value: numbers with significant digits, other values literally."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return Text("—", style="dim")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Text(display_number(value, digits), justify="right")
    return literal(value)
