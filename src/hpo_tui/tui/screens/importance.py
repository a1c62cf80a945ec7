"""Parameter importance across the grid: rows params, columns studies (grid order).

The importances are computed in a thread worker (``hpo_tui.core.analysis.importance``, through the
app's cache: a study is recomputed only when its completed trials changed); the screen says
"computing…" meanwhile and stays responsive. Enter on a cell opens the slice view.
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

from hpo_tui.core.analysis.importance import (
    CAUTION_MARK,
    METHOD_LABELS,
    METHODS,
    MIN_COMPLETE_TRIALS,
    RECOMMENDED_COMPLETE_TRIALS,
    ImportanceMatrix,
    ImportanceUnavailable,
    importance_matrix,
    note_lines,
)
from hpo_tui.core.display import plural, printable
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.tui.screens.base import HpoScreen
from hpo_tui.tui.text import literal
from hpo_tui.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from hpo_tui.core.model.live import RefreshSummary

# Eight steps of a bar: the shade reads without colour (NO_COLOR), the colour helps with it.
BAR_GLYPHS = " ▁▂▃▄▅▆▇█"
BAR_STYLES = ("grey50", "grey70", "yellow", "dark_orange", "bold red")


@dataclass
class ImportanceReady(Message):
    """The worker finished: the frame (or why there is none) for ``method``."""

    method: str
    frame: pd.DataFrame | None
    error: str = ""


def importance_cell(value: float) -> Text:
    """``62% ▆`` — the share in percent and a bar glyph of its height; a dot where the study
    lacks the param. Percent keeps twelve studies within 120 columns; the CLI and the export
    give the full numbers."""
    if pd.isna(value):
        return Text("·", style="dim", justify="center")
    level = min(len(BAR_GLYPHS) - 1, max(1, round(float(value) * (len(BAR_GLYPHS) - 1))))
    style = BAR_STYLES[min(len(BAR_STYLES) - 1, int(float(value) * len(BAR_STYLES)))]
    text = Text(justify="right")
    text.append(f"{float(value) * 100:.0f}%" if value >= 0.005 else "<1%", style=style)
    text.append(" " + BAR_GLYPHS[level], style=style)
    return text


def column_label(header: str, on_grid: bool) -> Text:
    """A study's column label; literal text (study names are untrusted). A study on the grid
    gets two lines (``2M`` over ``h1 †``) so that twelve columns fit in 120."""
    first, _, rest = header.partition(" ") if on_grid else (header, "", "")
    label = literal(first)
    if rest:
        label.append("\n")
        label.append_text(literal(rest))
    return label


class ImportanceScreen(HpoScreen):
    """``m`` switches PED-ANOVA / fANOVA; Enter opens the slice of the cursor's cell."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="importance.back"),
        Binding("enter", "open_slice", "Slice", id="importance.slice"),
        Binding(
            "c",
            "contour",
            "Contour",
            id="importance.contour",
            tooltip="The cursor's param against the study's most important other param",
        ),
        Binding(
            "m",
            "next_method",
            "Method",
            id="importance.method",
            tooltip="PED-ANOVA (default) or fANOVA (needs scikit-learn)",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.method = METHODS[0]
        self.matrix: ImportanceMatrix | None = None
        self.computing = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="importance-body"):
            yield Static(id="importance-title")
            yield DataTable(
                id="importance-table", cursor_type="cell", zebra_stripes=False, header_height=2
            )
            yield Static(id="importance-notes")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.start()

    def campaign_changed(self, summary: RefreshSummary | None) -> None:
        """A refresh: recompute (the cache skips the studies that did not change)."""
        self.start()

    def start(self) -> None:
        """Start the worker for the current method and say so."""
        campaign = self.hpo.campaign
        if campaign is None:
            return
        self.computing = True
        self.query_one("#importance-title", Static).update(
            Text.assemble(
                (f"Parameter importance ({METHOD_LABELS[self.method]})", "bold"),
                "   computing…",
            )
        )
        self.compute(campaign, self.method)

    @work(thread=True, exclusive=True, exit_on_error=False, group="importance")
    def compute(self, campaign: Campaign, method: str) -> None:
        """Compute in a thread; only the message handler touches widgets."""
        try:
            frame = self.hpo.importance_cache.get(campaign, method)
        except ImportanceUnavailable as exc:
            self.post_message(ImportanceReady(method, None, str(exc)))
            return
        self.post_message(ImportanceReady(method, frame))

    def on_importance_ready(self, message: ImportanceReady) -> None:
        if message.method != self.method:
            return  # a result for a method the user has switched away from
        self.computing = False
        campaign = self.hpo.campaign
        title = self.query_one("#importance-title", Static)
        table = self.query_one(DataTable)
        if message.frame is None or campaign is None:
            self.matrix = None
            table.clear(columns=True)
            title.update(
                Text.assemble(
                    (f"Parameter importance ({METHOD_LABELS[self.method]})", "bold"),
                    "   ",
                    (printable(message.error), "bold red"),
                )
            )
            self.query_one("#importance-notes", Static).update("")
            return
        self.fill(campaign, importance_matrix(campaign, message.frame))

    def fill(self, campaign: Campaign, matrix: ImportanceMatrix) -> None:
        """Draw the matrix (the cursor cell is kept)."""
        self.matrix = matrix
        table = self.query_one(DataTable)
        cursor = table.cursor_coordinate
        table.clear(columns=True)
        table.add_column(Text("param", style="bold"), key="__param__")
        ids = [int(s) for s in matrix.values.columns]
        axes = campaign.studies.set_index("study_id")[list(campaign.axis_names)]
        on_grid = {
            int(study_id)
            for study_id, tokens in axes.iterrows()
            if campaign.axis_names and all(isinstance(t, str) for t in tokens)
        }
        for study_id in ids:
            # "20M h3 †": numbers from few completed trials (explained below the table)
            label = column_label(matrix.header(study_id), on_grid=study_id in on_grid)
            if study_id in matrix.cautions:
                label.stylize("yellow", len(label) - len(CAUTION_MARK))
            table.add_column(label, key=str(study_id))
        for param, values in matrix.values.iterrows():
            cells = [literal(param, "bold")]
            for study_id in ids:
                if study_id in matrix.notes:
                    cells.append(Text("—", style="dim", justify="center"))
                else:
                    cells.append(importance_cell(values[study_id]))
            table.add_row(*cells, key=str(param))
        n_numbers = len(ids) - len(matrix.notes)
        cautioned = f" ({len(matrix.cautions)} {CAUTION_MARK})" if matrix.cautions else ""
        self.query_one("#importance-title", Static).update(
            Text.assemble(
                (f"Parameter importance ({METHOD_LABELS[self.method]})", "bold"),
                f"   {plural(len(matrix.values.index), 'param')} × "
                f"{plural(len(ids), 'study')} · shares sum to "
                f"100 % per study · {n_numbers} with numbers{cautioned}",
            )
        )
        lines = Text(
            f"— needs ≥ {MIN_COMPLETE_TRIALS} completed trials · {CAUTION_MARK} fewer than "
            f"{RECOMMENDED_COMPLETE_TRIALS}: ranking may change · "
            f"{' '.join(BAR_GLYPHS[1:])} low … high · enter: slice view\n",
            style="dim",
        )
        for line in note_lines(matrix):
            lines.append(printable(line) + "\n")  # untrusted labels: literal text
        self.query_one("#importance-notes", Static).update(lines)
        rows, columns = len(matrix.values.index), len(ids)
        if rows and columns:
            table.move_cursor(
                row=min(cursor.row, rows - 1), column=min(max(cursor.column, 1), columns)
            )

    def selected(self) -> tuple[int, str] | None:
        """(study id, param) under the cursor, when that study has the param."""
        if self.matrix is None:
            return None
        row, column = self.query_one(DataTable).cursor_coordinate
        values = self.matrix.values
        if column == 0 or row >= len(values.index) or column > len(values.columns):
            return None
        study_id = int(values.columns[column - 1])
        param = str(values.index[row])
        campaign = self.hpo.campaign
        if campaign is None:
            return None
        trials = campaign.study_trials(study_id)
        if not any(param in p for p in campaign.details.loc[trials.index, "params"]):
            return None
        return study_id, param

    def action_open_slice(self) -> None:
        chosen = self.selected()
        if chosen is None or self.matrix is None:
            return
        study_id, param = chosen
        order = self.matrix.values[study_id].sort_values(ascending=False, kind="stable")
        campaign = self.hpo.campaign
        assert campaign is not None
        trials = campaign.study_trials(study_id)
        own = {n for p in campaign.details.loc[trials.index, "params"] for n in p}
        params = [str(p) for p in order.index if p in own]
        self.hpo.open_slice(study_id, param, params)

    def action_contour(self) -> None:
        """The contour of the cursor's param (x) against the study's most important other
        param (y)."""
        from hpo_tui.tui.views import open_contour

        chosen = self.selected()
        if chosen is None or self.matrix is None:
            return
        study_id, param = chosen
        order = self.matrix.values[study_id].sort_values(ascending=False, kind="stable")
        open_contour(self.hpo, study_id, param, [str(p) for p in order.index])

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.action_open_slice()

    def action_next_method(self) -> None:
        self.method = METHODS[(METHODS.index(self.method) + 1) % len(METHODS)]
        self.start()
