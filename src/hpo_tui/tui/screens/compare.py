"""The marked trials' learning curves overlaid."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header

from hpo_tui.core.display import plural, printable
from hpo_tui.core.model.curves import step_axis_labels
from hpo_tui.tui.screens.base import HpoScreen
from hpo_tui.tui.widgets.curve_plot import CurvePlot, curves_named, prepare_series
from hpo_tui.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from hpo_tui.core.model.live import RefreshSummary


class CompareScreen(HpoScreen):
    """One curve per marked trial (the ``intermediate`` curve, else the first list curve)."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="compare.back"),
        Binding("l", "toggle_log", "Log y", id="compare.log"),
        Binding(
            "a",
            "full_range",
            "All y",
            id="compare.range",
            tooltip="The y axis: every point, or without outliers (drawn at the edge)",
        ),
    ]

    def __init__(self, keys: list[int]) -> None:
        super().__init__()
        self.keys = keys
        self.log_y = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield CurvePlot(id="compare-plot")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        campaign = self.hpo.campaign
        assert campaign is not None
        series = []
        names: list[str] = []  # the curve drawn per trial: their steps label the x axis
        for key in self.keys:
            row = campaign.trials.loc[key]
            curves = campaign.trial_curves(key)
            name = row["curve"] if isinstance(row["curve"], str) else None
            if name is None and len(curves):
                name = str(curves["curve"].iloc[0])
            points = curves[curves["curve"] == name]
            if name is not None:
                names.append(name)
            label = f"{printable(str(row['study']))} #{row['number']}"
            series.append(
                prepare_series(
                    label, points["step"].to_numpy(), points["value"].to_numpy(), self.log_y
                )
            )
        self.query_one(CurvePlot).show(
            series,
            title=f"{plural(len(self.keys), 'trial')} compared: {curves_named(names)}",
            log_y=self.log_y,
            xlabels=step_axis_labels(names),
        )

    def campaign_changed(self, summary: RefreshSummary | None) -> None:
        """A refresh: redraw with the new points."""
        campaign = self.hpo.campaign
        if campaign is not None:
            self.keys = [k for k in self.keys if k in campaign.trials.index]
            self.redraw()

    def action_full_range(self) -> None:
        self.query_one(CurvePlot).toggle_full_range()

    def action_toggle_log(self) -> None:
        self.log_y = not self.log_y
        self.redraw()
