"""Training dynamics of one study: when trials peak, who still improves, curves by param."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Static

from hpo_tui.core.analysis.dynamics import (
    groupable_params,
    grouped_curves,
    study_dynamics,
    top_k_curves,
    trial_dynamics,
)
from hpo_tui.core.display import display_number, plural, printable
from hpo_tui.tui.messages import DynamicsReady
from hpo_tui.tui.screens.study_view import StudyViewScreen
from hpo_tui.tui.widgets.curve_plot import CurvePlot, Series, curves_named, prepare_series
from hpo_tui.tui.widgets.footer import KeysFooter

TOP_K = 5
# Per group: the median's marker is filled, its quartiles' the hollow twin (readable under
# NO_COLOR); the quartiles use the lighter shade of the median's colour.
GROUP_MARKERS = (("●", "○"), ("■", "□"), ("▲", "△"), ("◆", "◇"), ("★", "☆"), ("⬢", "⬡"))
GROUP_COLORS = (("blue", "blue+"), ("red", "red+"), ("green", "green+"), ("orange", "orange+"))
HISTOGRAM_BARS = " ▁▂▃▄▅▆▇█"
HISTOGRAM_WIDTH = 18  # fits the stats panel beside its 24-column labels


def best_epoch_histogram(steps: np.ndarray, width: int = HISTOGRAM_WIDTH) -> tuple[str, int, int]:
    """A one-line histogram of best epochs: (bars, first step, last step) over ≤ ``width`` bins."""
    if len(steps) == 0:
        return "", 0, 0
    low, high = int(steps.min()), int(steps.max())
    bins = min(width, high - low + 1)
    counts, _ = np.histogram(steps, bins=bins, range=(low, high + 1))
    top = counts.max()
    bars = "".join(HISTOGRAM_BARS[int(np.ceil(c / top * 8))] if c else "·" for c in counts)
    return bars, low, high


def stats_text(message: DynamicsReady, study: str, direction: str) -> Text:
    """The study's dynamics as literal text (names are never parsed as markup)."""
    stats = message.stats
    population = message.trials[message.trials["in_dynamics"]]
    n = int(stats["dynamics_n"])
    text = Text()
    text.append(printable(study), style="bold")
    of_trials = plural(len(message.trials), "trial")
    text.append(f"\n{direction} · {n} of {of_trials} in the statistics\n")
    text.append("(complete, not diverged, ≥ 2 curve points)\n\n", style="dim")

    def line(label: str, value: str) -> None:
        text.append(f"{label:<24}", style="bold")
        text.append(value + "\n")

    quartiles = " / ".join(
        display_number(stats[c]) for c in ("best_epoch_q25", "best_epoch_median", "best_epoch_q75")
    )
    line("best epoch q25/med/q75", quartiles)
    bars, low, high = best_epoch_histogram(
        population["curve_best_step"].to_numpy(dtype=float, na_value=np.nan)
    )
    if bars:
        line("best epochs", bars)
        line("", f"{low}{' ' * max(1, len(bars) - len(str(low)) - len(str(high)))}{high}")
    line("final − best (median)", display_number(stats["final_gap_median"]))
    line("val − train at best", display_number(stats["train_val_gap_median"]))
    improving = population["still_improving"].sum()
    share = stats["frac_still_improving"]
    shown = "—" if pd.isna(share) else f"{share:.0%} ({int(improving)} of {n})"
    line("still improving", shown)
    text.append("\n")
    if message.param is None:
        text.append(f"Plot: the {TOP_K} best trials' curves", style="bold")
        text.append(" (g: group by a param)", style="dim")
    else:
        text.append(f"Plot: grouped by {printable(message.param)}", style="bold")
        text.append("\nfilled marker = median, hollow = q25 and q75\n", style="dim")
        if message.grouped is not None and len(message.grouped):
            sizes = message.grouped.groupby("group", sort=False)["n"].max()
            for group, size in sizes.items():
                trials = "trial" if int(size) == 1 else "trials"
                text.append(f"  {printable(str(group))}: {int(size)} {trials}\n")
    return text


def top_series(top: pd.DataFrame, log_y: bool = False) -> list[Series]:
    """One series per top-k trial, labelled ``#number value``."""
    out = []
    for _rank, points in top.groupby("rank", sort=True):
        first = points.iloc[0]
        label = f"#{int(first['number'])} {display_number(first['objective'])}"
        steps, values = points["step"].to_numpy(), points["value"].to_numpy()
        out.append(prepare_series(label, steps, values, log_y))
    return out


def group_series(grouped: pd.DataFrame, log_y: bool = False) -> list[Series]:
    """Per group: the median line and its q25/q75 lines (plotext cannot fill between)."""
    out = []
    groups = list(dict.fromkeys(grouped["group"]))
    for index, group in enumerate(groups):
        points = grouped[grouped["group"] == group]
        steps = points["step"].to_numpy()
        filled, hollow = GROUP_MARKERS[index % len(GROUP_MARKERS)]
        strong, light = GROUP_COLORS[index % len(GROUP_COLORS)]
        name = printable(str(group))
        size = int(points["n"].max())
        median = prepare_series(
            f"{name} median (n={size})", steps, points["median"].to_numpy(), log_y
        )
        q25 = prepare_series(f"{name} q25–q75", steps, points["q25"].to_numpy(), log_y)
        q75 = prepare_series("", steps, points["q75"].to_numpy(), log_y)
        median.marker, median.color = filled, strong
        for quartile in (q25, q75):
            quartile.marker, quartile.color = hollow, light
        out.extend([median, q25, q75])
    return out


class DynamicsScreen(StudyViewScreen):
    """Per-study dynamics; ``g`` cycles the plot through the top-k overlay and each param."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="dynamics.back"),
        Binding(
            "g",
            "next_group",
            "Group by",
            id="dynamics.group",
            tooltip="Cycle the plot: top trials, then grouped by each param",
        ),
        Binding(
            "G",
            "next_group(-1)",
            "Previous group",
            show=False,
            id="dynamics.group_back",
            tooltip="Cycle the plot backwards",
        ),
        Binding("l", "toggle_log", "Log y", id="dynamics.log"),
        Binding(
            "a",
            "full_range",
            "All y",
            id="dynamics.range",
            tooltip="The y axis: every point, or without outliers (drawn at the edge)",
        ),
    ]

    def __init__(self, study_id: int) -> None:
        super().__init__(study_id)
        self.params: list[str] = []
        self.param: str | None = None
        self.log_y = False
        self.result: DynamicsReady | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="dynamics-body", classes="chart-body"):
            with VerticalScroll(id="dynamics-stats-scroll", classes="chart-detail"):
                yield Static("Computing…", id="dynamics-stats")
            yield CurvePlot(id="dynamics-plot")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.compute(self.param)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dynamics")
    def compute(self, param: str | None) -> None:
        """Statistics and curves in a thread; the result arrives as :class:`DynamicsReady`."""
        campaign = self.hpo.campaign
        assert campaign is not None
        table = trial_dynamics(campaign)
        stats = study_dynamics(campaign, table).loc[self.study_id]
        trials = table[table["study_id"] == self.study_id]
        top = top_k_curves(campaign, self.study_id, TOP_K)
        params = groupable_params(campaign, self.study_id)
        grouped = grouped_curves(campaign, self.study_id, param) if param in params else None
        chosen = param if grouped is not None else None
        self.post_message(DynamicsReady(self.study_id, stats, trials, top, params, chosen, grouped))

    def on_dynamics_ready(self, message: DynamicsReady) -> None:
        if message.study_id != self.study_id:
            return
        self.result = message
        self.params = message.params
        self.param = message.param
        self.redraw()

    def redraw(self) -> None:
        campaign = self.hpo.campaign
        message = self.result
        if campaign is None or message is None:
            return
        info = campaign.studies.set_index("study_id").loc[self.study_id]
        study, direction = str(info["study"]), str(info["direction"])
        self.query_one("#dynamics-stats", Static).update(stats_text(message, study, direction))
        if message.param is None or message.grouped is None:
            series = top_series(message.top, self.log_y)
            curves = curves_named(list(message.top["curve"].astype(str)))
            title = f"{printable(study)} · {curves} of the top {TOP_K} trials ({direction})"
        else:
            series = group_series(message.grouped, self.log_y)
            population = message.trials[message.trials["in_dynamics"]]
            curves = curves_named(list(population["curve"].dropna().astype(str)))
            title = f"{printable(study)} · {curves} by {printable(message.param)}: median, q25–q75"
        self.query_one(CurvePlot).show(series, title=title, log_y=self.log_y)
        self.sub_title = f"dynamics · {printable(study)}"

    def show_study(self) -> None:
        """A refresh: compute again with the new trials."""
        self.compute(self.param)

    def action_next_group(self, step: int = 1) -> None:
        choices: list[str | None] = [None, *self.params]
        position = choices.index(self.param) if self.param in choices else 0
        self.compute(choices[(position + step) % len(choices)])

    def action_full_range(self) -> None:
        self.query_one(CurvePlot).toggle_full_range()

    def action_toggle_log(self) -> None:
        self.log_y = not self.log_y
        self.redraw()
