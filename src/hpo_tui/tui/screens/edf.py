"""EDF of objective values, overlaid for the studies of a grid column or row."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Header, Static

from hpo_tui.core.analysis.edf import edf, value_quantiles
from hpo_tui.core.analysis.grid_scope import Scope, available_scopes, scope_studies
from hpo_tui.core.analysis.history import multi_objective
from hpo_tui.core.analysis.plot_range import PlotRange, plot_range
from hpo_tui.core.display import plural, printable
from hpo_tui.tui.compat import PLOTEXT_COLORS
from hpo_tui.tui.messages import EdfReady
from hpo_tui.tui.screens.history import BEST_MARKERS
from hpo_tui.tui.screens.study_view import ScopedViewScreen
from hpo_tui.tui.text import fold, number
from hpo_tui.tui.widgets.curve_plot import CurvePlot, Series, marker_symbol, prepare_series
from hpo_tui.tui.widgets.footer import KeysFooter


def edf_steps(
    values: np.ndarray, fractions: np.ndarray, x_range: PlotRange | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Points of an EDF drawn as steps: the fraction below the smallest value, then a jump at
    each value to its fraction, held until the next value. With ``x_range``, only the values
    inside it: the line starts at the left edge at the fraction of the values left of it and
    runs to the right edge when values lie beyond."""
    below = 0.0
    beyond = False
    if x_range is not None:
        left = values < x_range.low
        below = float(fractions[left][-1]) if left.any() else 0.0
        beyond = bool((values > x_range.high).any())
        inside = ~left & (values <= x_range.high)
        values, fractions = values[inside], fractions[inside]
        if below:
            values, fractions = np.r_[x_range.low, values], np.r_[below, fractions]
    if len(values) == 0:
        return values, fractions
    xs, ys = np.repeat(values, 2), np.r_[below, np.repeat(fractions, 2)[:-1]]
    if beyond and x_range is not None:
        xs, ys = np.r_[xs, x_range.high], np.r_[ys, ys[-1]]
    return xs, ys


def edf_series(
    table: pd.DataFrame, names: dict[int, str], x_range: PlotRange | None = None
) -> list[Series]:
    """One step line per study (its own marker and colour)."""
    out = []
    for index, study_id in enumerate(dict.fromkeys(table["study_id"].tolist())):
        rows = table[table["study_id"] == study_id]
        xs, ys = edf_steps(
            rows["value"].to_numpy(dtype=float), rows["fraction"].to_numpy(dtype=float), x_range
        )
        series = prepare_series(printable(names[study_id]), xs, ys)
        series.marker = BEST_MARKERS[index % len(BEST_MARKERS)]
        series.color = PLOTEXT_COLORS[index % len(PLOTEXT_COLORS)]
        out.append(series)
    return out


def beyond_note(table: pd.DataFrame, x_range: PlotRange | None, full: bool) -> str:
    """What the title says about the values left out of the x range."""
    if x_range is None:
        return ""
    values = table["value"].to_numpy(dtype=float)
    left, right = int((values < x_range.low).sum()), int((values > x_range.high).sum())
    if left or right:
        counts = " ".join(f"{m}{n}" for m, n in (("←", left), ("→", right)) if n)
        noun = "value" if left + right == 1 else "values"
        return f" · {counts} {noun} beyond the edge (a: full range)"
    return " · full range (a: without outliers)" if full else ""


def quantile_table(quantiles: pd.DataFrame, markers: dict[int, str]) -> Table:
    """Per study: its marker, n, min, quartiles, max (significant digits)."""
    table = Table(box=None, padding=(0, 1), header_style="bold")
    table.add_column("study", no_wrap=True)
    for name in ("n", "min", "q25", "median", "q75", "max"):
        table.add_column(name, justify="right", no_wrap=True)
    for row in quantiles.itertuples(index=False):
        marker = markers.get(int(row.study_id), " ")
        table.add_row(
            Text(f"{marker * 2} {fold(row.study, 30)}"),
            number(int(row.n)),
            *(number(getattr(row, c)) for c in ("min", "q25", "median", "q75", "max")),
        )
    return table


class EdfScreen(ScopedViewScreen):
    """``x`` cycles the studies overlaid: the grid column (default), the row, the study."""

    SCOPE_ORDER = ("column", "row", "study")

    BINDINGS = [
        Binding("escape", "back", "Back", id="edf.back"),
        Binding(
            "x",
            "next_scope",
            "Scope",
            id="edf.scope",
            tooltip="The studies of the grid column, of the grid row, or this study alone",
        ),
        Binding(
            "a",
            "full_range",
            "All x",
            id="edf.range",
            tooltip="The x axis: every value, or without outliers (the lines run to the edge)",
        ),
    ]

    def __init__(self, study_id: int, scope: Scope = "column") -> None:
        super().__init__(study_id, scope)
        self.result: EdfReady | None = None
        self.full_range = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="edf-body"):
            yield Static("Computing…", id="edf-title")
            yield CurvePlot(id="edf-plot")
            yield Static(id="edf-table")
        yield KeysFooter()

    def on_mount(self) -> None:
        campaign = self.hpo.campaign
        if campaign is not None and self.scope not in available_scopes(campaign, self.study_id):
            self.scope = "study"
        self.compute()

    @work(thread=True, exclusive=True, exit_on_error=False, group="edf")
    def compute(self) -> None:
        """The EDFs in a thread; the result arrives as :class:`EdfReady`."""
        campaign = self.hpo.campaign
        assert campaign is not None
        scoped = scope_studies(campaign, self.study_id, self.scope)
        quantiles = value_quantiles(campaign, scoped.study_ids)
        table = edf(campaign, scoped.study_ids)
        multi = multi_objective(campaign, scoped.study_ids)
        self.post_message(EdfReady(scoped, table, quantiles, multi))

    def on_edf_ready(self, message: EdfReady) -> None:
        self.result = message
        self.redraw()

    def redraw(self) -> None:
        campaign, message = self.hpo.campaign, self.result
        if campaign is None or message is None:
            return
        names = self.scope_names(message.scope)
        values = message.edf["value"].to_numpy(dtype=float)
        x_range = plot_range(values, robust=not self.full_range)
        series = edf_series(message.edf, names, x_range)
        note = beyond_note(message.edf, x_range, self.full_range)
        plot = self.query_one(CurvePlot)
        plot.show(
            series,
            title=f"fraction of trials with a value ≤ x{note}",
            xlabels=["objective value", "value"],
        )
        markers = {
            int(s): marker_symbol(item.marker or "")
            for s, item in zip(dict.fromkeys(message.edf["study_id"].tolist()), series, strict=True)
        }
        self.query_one("#edf-title", Static).update(self._title(message, names))
        self.query_one("#edf-table", Static).update(quantile_table(message.quantiles, markers))
        self.sub_title = f"EDF · {printable(message.scope.label)}"

    def _title(self, message: EdfReady, names: dict[int, str]) -> Text:
        campaign = self.hpo.campaign
        assert campaign is not None
        scope = message.scope
        title = Text.assemble(
            ("EDF of objective values · ", "bold"), (printable(scope.label), "bold")
        )
        title.append(self.scope_note(scope.scope), style="dim")
        shown = len(scope.study_ids) - len(message.multi)
        title.append(
            f"\n{plural(shown, 'study')}, complete trials with a finite value", style="dim"
        )
        for study_id in message.multi:
            title.append(f"\n{printable(names[study_id])}: multi-objective (left out)", style="dim")
        return title

    def show_study(self) -> None:
        self.compute()

    def action_full_range(self) -> None:
        self.full_range = not self.full_range
        self.redraw()
