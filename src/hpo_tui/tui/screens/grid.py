"""Home: the budget × horizon grid of the campaign, one cell per study."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Static

from hpo_tui.core.formats import display_number, plural, printable
from hpo_tui.core.grid import METRIC_LABELS, METRICS, RANKED_METRICS, Grid, build_grid
from hpo_tui.tui.screens.base import HpoScreen
from hpo_tui.tui.text import literal
from hpo_tui.tui.widgets.footer import KeysFooter

# Five steps from best to worst; the glyphs keep the scale readable without colour.
SCALE_STYLES = ("bold green", "green", "yellow", "dark_orange", "red")
SCALE_GLYPHS = ("▰▰▰▰▰", "▰▰▰▰▱", "▰▰▰▱▱", "▰▰▱▱▱", "▰▱▱▱▱")


def quality_rank(grid: Grid) -> pd.DataFrame:
    """0 (best) … 4 (worst) per cell by the metric and the direction; NaN when unranked."""
    values = grid.values
    ranks = pd.DataFrame(np.nan, index=values.index, columns=values.columns)
    if grid.metric not in RANKED_METRICS or grid.direction not in ("minimize", "maximize"):
        return ranks
    flat = values.stack().dropna()
    flat = flat[np.isfinite(flat.to_numpy(dtype=float))]
    if flat.empty:
        return ranks
    order = flat.rank(method="average", ascending=grid.direction == "minimize", pct=True)
    for (row, column), pct in order.items():
        ranks.loc[row, column] = min(4, int((pct - 1e-9) * 5))
    return ranks


class GridScreen(HpoScreen):
    """Budget rows × horizon columns; Enter opens a study."""

    BINDINGS = [
        Binding("enter", "open_study", "Open", id="grid.open"),
        Binding("m", "next_metric", "Metric", id="grid.metric", tooltip="Cycle the cell metric"),
        Binding(
            "M",
            "next_metric(-1)",
            "Previous metric",
            show=False,
            id="grid.metric_back",
            tooltip="Cycle the cell metric backwards",
        ),
        Binding(
            "i",
            "importance",
            "Importance",
            id="grid.importance",
            tooltip="Parameter importance: params × studies",
        ),
        Binding("a", "all_trials", "Trials", id="grid.all", tooltip="All trials of every study"),
        Binding("d", "diverged", "Diverged", id="grid.diverged"),
        # In ? help and the palette; the footer has no room for it at 120 columns.
        Binding("s", "space", "Search space", id="grid.space", show=False),
        Binding(
            "t",
            "dynamics",
            "Dynamics",
            id="grid.dynamics",
            tooltip="Training dynamics of the cursor's study",
        ),
        Binding(
            "x",
            "effects",
            "Effects",
            id="grid.effects",
            tooltip="Effects along the columns at the cursor's row",
        ),
        Binding("h", "move(0,-1)", "Left", show=False, id="grid.left"),
        Binding("l", "move(0,1)", "Right", show=False, id="grid.right"),
        Binding("k", "move(-1,0)", "Up", show=False, id="grid.up"),
        Binding("j", "move(1,0)", "Down", show=False, id="grid.down"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.metric_index = 0
        self.grid: Grid | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="grid-body"):
            yield Static("Loading…", id="grid-title")
            yield DataTable(id="grid-table", cursor_type="cell", zebra_stripes=False)
            yield Static("", id="grid-legend")
            yield Static("", id="off-grid")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#grid-table", DataTable).focus()
        if self.hpo.campaign is not None:
            self.refresh_grid()

    def campaign_changed(self, summary: object) -> None:
        """The app loaded or refreshed the campaign."""
        self.refresh_grid()

    @property
    def metric(self) -> str:
        return METRICS[self.metric_index]

    def refresh_grid(self) -> None:
        """Redraw from the app's campaign (after a load or a metric change)."""
        campaign = self.hpo.campaign
        if campaign is None:
            return
        table = self.query_one("#grid-table", DataTable)
        cursor = table.cursor_coordinate
        table.clear(columns=True)
        try:
            grid = build_grid(campaign, self.metric)  # type: ignore[arg-type]
        except ValueError as exc:
            self.query_one("#grid-title", Static).update(literal(str(exc)))
            return
        self.grid = grid
        ranks = quality_rank(grid)
        table.add_column(literal(grid.row_axis.capitalize()), key="__row__")
        for column in grid.values.columns:
            table.add_column(literal(column), key=str(column))
        studies = campaign.studies.set_index("study_id")
        integer = self.metric in ("n_diverged", "best_epoch")
        for label, row in grid.values.iterrows():
            cells: list[Text] = [Text(printable(str(label)), style="bold")]
            for column, value in row.items():
                study_id = grid.study_ids.loc[label, column]
                if pd.isna(study_id):
                    cells.append(Text("·", style="dim", justify="center"))
                    continue
                info = studies.loc[int(study_id)]
                cells.append(
                    self._cell(
                        value, info, ranks.loc[label, column], integer, grid.best == (label, column)
                    )
                )
            table.add_row(*cells, height=3, key=str(label))
        direction = f" ({grid.direction})" if grid.direction else ""
        title = Text.assemble(
            (METRIC_LABELS[grid.metric], "bold"),
            direction,
            f"   {plural(len(campaign.studies), 'study')} · "
            f"{plural(len(campaign.trials), 'trial')} · ",
            (f"{int(campaign.trials['diverged'].sum())} diverged", "bold red"),
        )
        self.query_one("#grid-title", Static).update(title)
        legend = "★ best   C complete · P pruned · F failed · R running"
        if studies["n_waiting"].any():
            legend += " · W waiting"
        legend += "   ⚠ diverged"
        if ranks.notna().any().any():
            legend += "   " + " ".join(f"{g}" for g in SCALE_GLYPHS[:1]) + " best … "
            legend += SCALE_GLYPHS[-1] + " worst"
        self.query_one("#grid-legend", Static).update(Text(legend, style="dim"))
        off = studies.loc[grid.off_grid] if grid.off_grid else studies.iloc[0:0]
        if len(off):
            lines = Text("Not on the grid: ", style="bold")
            lines.append(", ".join(f"{printable(str(s))}" for s in off["study"]))
            self.query_one("#off-grid", Static).update(lines)
        else:
            self.query_one("#off-grid", Static).update("")
        if cursor.row < len(grid.values.index) and cursor.column <= len(grid.values.columns):
            table.move_cursor(row=cursor.row, column=max(cursor.column, 1))
        else:
            table.move_cursor(row=0, column=1)

    def _cell(self, value: float, info: pd.Series, rank: float, integer: bool, best: bool) -> Text:
        shown = display_number(int(value) if integer and pd.notna(value) else value)
        style = SCALE_STYLES[int(rank)] if pd.notna(rank) else ""
        text = Text(justify="right")
        text.append(("★ " if best else "") + shown, style=("bold " + style).strip())
        if pd.notna(rank):
            text.append(" " + SCALE_GLYPHS[int(rank)], style=style)
        counts = f"C{info['n_complete']} P{info['n_pruned']} F{info['n_fail']} R{info['n_running']}"
        if info["n_waiting"]:
            counts += f" W{info['n_waiting']}"
        text.append("\n" + counts, style="dim")
        diverged = int(info["n_diverged"])
        text.append(
            "\n" + (f"⚠ {diverged}" if diverged else "·"), style="bold red" if diverged else "dim"
        )
        return text

    def selected_study(self) -> int | None:
        """The study id under the cursor."""
        if self.grid is None:
            return None
        table = self.query_one("#grid-table", DataTable)
        row, column = table.cursor_coordinate
        if column == 0 or row >= len(self.grid.values.index):
            return None
        label = self.grid.values.index[row]
        name = self.grid.values.columns[column - 1]
        study_id = self.grid.study_ids.loc[label, name]
        return None if pd.isna(study_id) else int(study_id)

    def action_move(self, rows: int, columns: int) -> None:
        table = self.query_one("#grid-table", DataTable)
        row, column = table.cursor_coordinate
        table.move_cursor(row=max(0, row + rows), column=max(1, column + columns))

    def action_next_metric(self, step: int = 1) -> None:
        self.metric_index = (self.metric_index + step) % len(METRICS)
        self.refresh_grid()

    def action_open_study(self) -> None:
        study_id = self.selected_study()
        if study_id is not None:
            self.hpo.open_study(study_id)

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.action_open_study()

    def action_all_trials(self) -> None:
        self.hpo.open_study(None)

    def action_importance(self) -> None:
        self.hpo.open_importance()

    def action_diverged(self) -> None:
        self.hpo.open_diverged()

    def action_space(self) -> None:
        self.hpo.open_space()

    def action_dynamics(self) -> None:
        study_id = self.selected_study()
        if study_id is not None:
            self.hpo.open_dynamics(study_id)

    def action_effects(self) -> None:
        """Effects along the column axis (horizons) at the cursor's row (budget)."""
        if self.grid is None:
            return
        row, column = self.query_one("#grid-table", DataTable).cursor_coordinate
        values = self.grid.values
        if row >= len(values.index):
            return
        at = {self.grid.row_axis: str(values.index[row])}
        if 1 <= column <= len(values.columns):
            at[self.grid.column_axis] = str(values.columns[column - 1])
        self.hpo.open_effects(self.grid.column_axis, at)
