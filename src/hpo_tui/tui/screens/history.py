"""Optimization history: the objective per trial and the running best, for one study or
overlaid for its grid row or column."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Header, Static

from hpo_tui.core.analysis.grid_scope import Scope, scope_studies
from hpo_tui.core.analysis.history import (
    HistoryOrder,
    multi_objective,
    optimization_history,
)
from hpo_tui.core.display import display_number, plural, printable
from hpo_tui.tui.compat import PLOTEXT_COLORS
from hpo_tui.tui.messages import HistoryReady
from hpo_tui.tui.screens.study_view import ScopedViewScreen
from hpo_tui.tui.widgets.curve_plot import CurvePlot, Series, prepare_series
from hpo_tui.tui.widgets.footer import KeysFooter

# One marker per study's best line (not "x": it marks ±inf at the edge of the plot).
BEST_MARKERS = ("hd", "+", "o", "*", "sd", "#", "@")
VALUE_MARKER, INFEASIBLE_MARKER = "•", "○"
# (seconds per unit, x-axis labels from the longest to the shortest), by the span shown.
TIME_UNITS = (
    (120.0, 1.0, "seconds"),
    (2 * 3600.0, 60.0, "minutes"),
    (2 * 86400.0, 3600.0, "hours"),
    (float("inf"), 86400.0, "days"),
)


def time_unit(seconds: np.ndarray) -> tuple[float, list[str]]:
    """(seconds per unit, x labels) for elapsed times spanning ``seconds``."""
    finite = seconds[np.isfinite(seconds)]
    span = float(finite.max()) if len(finite) else 0.0
    for limit, size, unit in TIME_UNITS:
        if span < limit:
            return size, [f"{unit} since the first trial started", f"{unit} since start", unit]
    raise AssertionError("unreachable: the last unit has no limit")


def staircase(x: np.ndarray, best: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points of a running best drawn as steps: it holds until the next trial improves it."""
    if len(x) < 2:
        return x, best
    return np.repeat(x, 2)[1:], np.repeat(best, 2)[:-1]


def history_series(
    history: pd.DataFrame,
    names: dict[int, str],
    by: HistoryOrder,
    show_values: bool,
    log_y: bool = False,
) -> tuple[list[Series], list[str]]:
    """The plot's series (per study: its running best as steps, and its values as points
    when ``show_values``) and the x-axis labels."""
    if by == "time":
        size, xlabels = time_unit(history["elapsed_s"].to_numpy(dtype=float))
        x_all = history["elapsed_s"].to_numpy(dtype=float) / size
    else:
        xlabels = ["trial number", "trial"]
        x_all = history["number"].to_numpy(dtype=float)
    groups = list(dict.fromkeys(history["study_id"].tolist()))
    single = len(groups) == 1
    out: list[Series] = []
    for index, study_id in enumerate(groups):
        rows = (history["study_id"] == study_id).to_numpy()
        x, part = x_all[rows], history[rows]
        color = PLOTEXT_COLORS[index % len(PLOTEXT_COLORS)]
        name = printable(names[study_id])
        xs, ys = staircase(x, part["best_value"].to_numpy(dtype=float))
        best = prepare_series("best so far" if single else name, xs, ys, log_y)
        best.marker, best.color = BEST_MARKERS[index % len(BEST_MARKERS)], color
        out.append(best)
        if not show_values:
            continue
        value = part["value"].to_numpy(dtype=float)
        infeasible = part["feasible"].eq(False).fillna(False).to_numpy(dtype=bool)
        for mask, marker, label in (
            (~np.isnan(value) & ~infeasible, VALUE_MARKER, "value" if single else ""),
            (~np.isnan(value) & infeasible, INFEASIBLE_MARKER, "infeasible (never best)"),
        ):
            if not mask.any():
                continue
            points = prepare_series(label, x[mask], value[mask], log_y)
            points.marker, points.color, points.scatter = marker, color, True
            out.append(points)
    return out, xlabels


def study_line(history: pd.DataFrame, direction: str) -> Text:
    """``minimize · 13 trials · best 0.2000 at #8`` for one study's history."""
    text = Text(f"{direction} · {plural(len(history), 'trial')}")
    found = history[history["new_best"].to_numpy(dtype=bool)]
    if found.empty:
        text.append(" · no feasible complete trial yet", style="dim")
        return text
    last = found.iloc[-1]
    text.append(" · best ")
    text.append(display_number(last["best_value"]), style="bold green")
    text.append(f" at #{int(last['number'])}")
    return text


class HistoryScreen(ScopedViewScreen):
    """``x`` cycles the scope (study, grid row, grid column), ``b`` the x axis."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="history.back"),
        Binding(
            "x",
            "next_scope",
            "Scope",
            id="history.scope",
            tooltip="This study, the studies of its grid row, of its grid column",
        ),
        Binding(
            "b",
            "toggle_by",
            "By time",
            id="history.by",
            tooltip="x axis: trial number, or time since the first trial started",
        ),
        Binding(
            "v",
            "toggle_values",
            "Values",
            id="history.values",
            tooltip="Each trial's value as a point (on for one study, off when overlaid)",
        ),
        Binding("l", "toggle_log", "Log y", id="history.log"),
        Binding(
            "a",
            "full_range",
            "All y",
            id="history.range",
            tooltip="The y axis: every point, or without outliers (drawn at the edge)",
        ),
    ]

    def __init__(self, study_id: int, scope: Scope = "study") -> None:
        super().__init__(study_id, scope)
        self.by: HistoryOrder = "number"
        self.log_y = False
        self.show_values: bool | None = None  # None: on for one study, off when overlaid
        self.result: HistoryReady | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="history-body"):
            yield Static("Computing…", id="history-title")
            yield CurvePlot(id="history-plot")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.compute()

    @work(thread=True, exclusive=True, exit_on_error=False, group="history")
    def compute(self) -> None:
        """The histories in a thread; the result arrives as :class:`HistoryReady`."""
        campaign = self.hpo.campaign
        assert campaign is not None
        scoped = scope_studies(campaign, self.study_id, self.scope)
        history = optimization_history(campaign, scoped.study_ids, by=self.by)
        multi = multi_objective(campaign, scoped.study_ids)
        self.post_message(HistoryReady(scoped, self.by, history, multi))

    def on_history_ready(self, message: HistoryReady) -> None:
        self.result = message
        self.redraw()

    def redraw(self) -> None:
        campaign, message = self.hpo.campaign, self.result
        if campaign is None or message is None:
            return
        studies = campaign.studies.set_index("study_id")
        names = self.scope_names(message.scope)
        history = message.history
        ids = list(dict.fromkeys(history["study_id"].tolist()))
        values = self.show_values if self.show_values is not None else len(ids) == 1
        series, xlabels = history_series(history, names, message.by, values, self.log_y)
        self.query_one("#history-title", Static).update(self._title(message, names, ids))
        axis = "trial number" if message.by == "number" else "completion time"
        what = "value and best so far" if values else "best so far"
        direction = ",".join(dict.fromkeys(str(studies.at[s, "direction"]) for s in ids))
        plot_title = f"{what} by {axis}" + (f" ({direction})" if direction else "")
        self.query_one(CurvePlot).show(series, title=plot_title, log_y=self.log_y, xlabels=xlabels)
        self.sub_title = f"history · {printable(message.scope.label)}"

    def _title(self, message: HistoryReady, names: dict[int, str], ids: list[int]) -> Text:
        campaign = self.hpo.campaign
        assert campaign is not None
        studies = campaign.studies.set_index("study_id")
        scope = message.scope
        title = Text.assemble(("History · ", "bold"), (printable(scope.label), "bold"))
        title.append(self.scope_note(scope.scope), style="dim")
        if scope.scope == "study" and ids:
            title.append("\n")
            title.append_text(study_line(message.history, str(studies.at[ids[0], "direction"])))
            if bool(studies.at[ids[0], "constrained"]):
                title.append(" (feasible trials only)", style="dim")
        elif ids:
            title.append(f"\n{plural(len(ids), 'study')}: ")
            title.append(", ".join(printable(names[s]) for s in ids))
        for study_id in message.multi:
            title.append(
                f"\n{printable(names[study_id])}: multi-objective, no single best (left out)",
                style="dim",
            )
        return title

    def show_study(self) -> None:
        self.compute()

    def action_toggle_by(self) -> None:
        self.by = "time" if self.by == "number" else "number"
        self.compute()

    def action_toggle_values(self) -> None:
        message = self.result
        ids = set(message.history["study_id"]) if message is not None else set()
        current = self.show_values if self.show_values is not None else len(ids) == 1
        self.show_values = not current
        self.redraw()

    def action_toggle_log(self) -> None:
        self.log_y = not self.log_y
        self.redraw()

    def action_full_range(self) -> None:
        self.query_one(CurvePlot).toggle_full_range()
