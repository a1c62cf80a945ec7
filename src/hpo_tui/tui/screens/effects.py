"""Effects along one grid axis with the other fixed: horizons for a budget, or budgets for a
horizon. Side-by-side statistics, the best trials' curves overlaid, the winning params."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Static

from hpo_tui.core.analysis.effects import Effects, axis_effects, best_curves
from hpo_tui.core.analysis.grid import build_grid
from hpo_tui.core.display import display_number, printable
from hpo_tui.tui.messages import EffectsReady
from hpo_tui.tui.screens.base import HpoScreen
from hpo_tui.tui.text import fold, literal, number
from hpo_tui.tui.widgets.curve_plot import CurvePlot, curves_named, prepare_series
from hpo_tui.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from hpo_tui.core.model.live import RefreshSummary


def best_cell(effects: Effects) -> str | None:
    """The cell with the best ``best`` value when every cell shares one direction."""
    cells = effects.cells[effects.cells["best"].notna()]
    directions = set(cells["direction"])
    if cells.empty or len(directions) != 1 or directions & {"minimize", "maximize"} == set():
        return None
    column = cells["best"]
    return str(column.idxmin() if directions == {"minimize"} else column.idxmax())


def cells_table(effects: Effects) -> Table:
    """One row per cell: study, complete trials, best, top-5 mean, best trial and epoch."""
    winner = best_cell(effects)
    table = Table(box=None, padding=(0, 1), header_style="bold")
    table.add_column(literal(effects.along), no_wrap=True)
    table.add_column("study", no_wrap=True)
    for name in ("n", "best", "top-5", "best #", "epoch"):
        table.add_column(name, justify="right", no_wrap=True)
    for cell, row in effects.cells.iterrows():
        star = "★ " if str(cell) == winner else ""
        study = row["study"]
        table.add_row(
            literal(f"{star}{cell}", "bold"),
            Text(fold(study, 28)) if study is not None else Text("·", style="dim"),
            number(int(row["n_complete"])),
            number(row["best"], "bold" if star else ""),
            number(row["top5_mean"]),
            number(row["best_trial"]),
            number(row["best_epoch"]),
        )
    return table


def params_table(effects: Effects) -> Table:
    """The best trial's params per cell, side by side (absent params as ``—``)."""
    table = Table(box=None, padding=(0, 1), header_style="bold")
    table.add_column("param")
    for cell in effects.params.columns:
        table.add_column(literal(cell), justify="right")
    for name, row in effects.params.iterrows():
        cells = [
            Text(display_number(v) if isinstance(v, float) else fold(v, 16), justify="right")
            if v is not None
            else Text("—", style="dim", justify="right")
            for v in row.tolist()
        ]
        table.add_row(literal(name), *cells)
    return table


class EffectsScreen(HpoScreen):
    """``x`` swaps the axis, ``n``/``p`` step the fixed value."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="effects.back"),
        Binding(
            "x",
            "swap_axis",
            "Swap axis",
            id="effects.swap",
            tooltip="Effects along the other axis, at the grid cursor's value",
        ),
        Binding("n", "step(1)", "Next", id="effects.next"),
        Binding("p", "step(-1)", "Previous", id="effects.previous"),
        Binding("l", "toggle_log", "Log y", id="effects.log"),
        Binding(
            "a",
            "full_range",
            "All y",
            id="effects.range",
            tooltip="The y axis: every point, or without outliers (drawn at the edge)",
        ),
    ]

    def __init__(self, along: str, at: dict[str, str], sweep: str | None = None) -> None:
        """``at``: the grid cursor's value on each axis (the one not ``along`` is fixed);
        ``sweep``: the grid's sweep."""
        super().__init__()
        self.along = along
        self.sweep = sweep
        self.at = dict(at)
        self.log_y = False
        self.effects: Effects | None = None
        self.curves: pd.DataFrame | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="effects-body", classes="chart-body"):
            with VerticalScroll(id="effects-tables", classes="chart-detail"):
                yield Static("Computing…", id="effects-title")
                yield Static(id="effects-cells")
                yield Static(id="effects-params")
            yield CurvePlot(id="effects-plot")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.compute()

    def _axes(self) -> tuple[str, str, list[str]]:
        """(along, fixed axis, the fixed axis's values in order)."""
        campaign = self.hpo.campaign
        assert campaign is not None
        grid = build_grid(campaign, "best", self.sweep)
        if self.along == grid.column_axis:
            return self.along, grid.row_axis, [str(v) for v in grid.values.index]
        return self.along, grid.column_axis, [str(v) for v in grid.values.columns]

    @work(thread=True, exclusive=True, exit_on_error=False, group="effects")
    def compute(self) -> None:
        """Effects and curves in a thread; the result arrives as :class:`EffectsReady`."""
        campaign = self.hpo.campaign
        assert campaign is not None
        along, fixed_axis, values = self._axes()
        at = self.at.get(fixed_axis)
        if at not in values:  # the cursor was on a row label, or the value is gone
            at = self.at[fixed_axis] = values[0]
        effects = axis_effects(campaign, along, at, self.sweep)
        self.post_message(EffectsReady(effects, best_curves(campaign, effects)))

    def on_effects_ready(self, message: EffectsReady) -> None:
        self.effects = message.effects
        self.curves = message.curves
        self.redraw()

    def redraw(self) -> None:
        effects, curves = self.effects, self.curves
        if effects is None or curves is None:
            return
        axis, value = effects.fixed
        title = Text.assemble(
            (f"{printable(effects.along).capitalize()} effects", "bold"),
            f" at {printable(axis)} {printable(value)}",
        )
        self.query_one("#effects-title", Static).update(title)
        self.query_one("#effects-cells", Static).update(cells_table(effects))
        heading = Text("\nWinning params (the best trial of each cell)", style="bold")
        body = Text("none", style="dim") if effects.params.empty else params_table(effects)
        self.query_one("#effects-params", Static).update(Group(heading, body))
        series = []
        for cell, points in curves.groupby("cell", sort=False):
            label = f"{printable(str(cell))} #{int(points['number'].iloc[0])}"
            series.append(
                prepare_series(
                    label, points["step"].to_numpy(), points["value"].to_numpy(), self.log_y
                )
            )
        curves = curves_named(list(curves["curve"].astype(str)))
        plot_title = (
            f"{curves} of the best trial per {printable(effects.along)} at {printable(value)}"
        )
        self.query_one(CurvePlot).show(series, title=plot_title, log_y=self.log_y)
        self.sub_title = f"{printable(effects.along)} effects at {printable(value)}"

    def campaign_changed(self, summary: RefreshSummary | None) -> None:
        """A refresh: compute again."""
        self.compute()

    def action_swap_axis(self) -> None:
        self.along = self._axes()[1]
        self.compute()

    def action_step(self, delta: int) -> None:
        _along, fixed_axis, values = self._axes()
        current = self.at.get(fixed_axis)
        position = values.index(current) if current in values else 0
        self.at[fixed_axis] = values[(position + delta) % len(values)]
        self.compute()

    def action_full_range(self) -> None:
        self.query_one(CurvePlot).toggle_full_range()

    def action_toggle_log(self) -> None:
        self.log_y = not self.log_y
        self.redraw()
