"""One trial: state, values, params, attrs, timing, and its learning curves."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, Static

from hpo_tui.core.display import DEFAULT_DIGITS, display_number, display_value, printable
from hpo_tui.core.durations import running_for
from hpo_tui.core.export.formats.json import params_json
from hpo_tui.core.model.curves import step_axis_labels
from hpo_tui.core.model.objectives import objective_columns, objective_names
from hpo_tui.tui.screens.base import HpoScreen
from hpo_tui.tui.text import fold
from hpo_tui.tui.widgets.curve_plot import CurvePlot, Series, curves_named, prepare_series
from hpo_tui.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from hpo_tui.core.model.campaign import Campaign
    from hpo_tui.core.model.live import RefreshSummary


def trial_curve_names(campaign: Campaign, key: int) -> list[str]:
    """The names of a trial's curves, ``intermediate`` first."""
    names = set(campaign.trial_curves(key)["curve"].astype(str))
    return sorted(names, key=lambda n: (n != "intermediate", n))


def trial_series(campaign: Campaign, key: int, log_y: bool, prefix: str = "") -> list[Series]:
    """Every curve of a trial as plot series (intermediate first)."""
    curves = campaign.trial_curves(key)
    out = []
    for name in trial_curve_names(campaign, key):
        points = curves[curves["curve"] == name]
        out.append(
            prepare_series(
                printable(f"{prefix}{name}"),
                points["step"].to_numpy(),
                points["value"].to_numpy(),
                log_y,
            )
        )
    return out


def info_table(
    campaign: Campaign,
    key: int,
    full: bool,
    digits: int = DEFAULT_DIGITS,
    now: datetime | None = None,
) -> Table:
    """The trial's facts as a two-column table: numbers in ``digits`` significant digits and
    long values folded, unless ``full`` (every number as its shortest round-trip text).

    ``now`` (default: this machine's clock) dates the age of a running trial.
    """
    row = campaign.trials.loc[key]
    detail = campaign.trial_detail(key)
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    width = 10_000 if full else 48

    def number(value: Any) -> str:
        return display_number(value, digits, full=full)

    def add(label: str, value: Any, style: str = "") -> None:
        shown = value if isinstance(value, Text) else Text(fold(value, width), style=style)
        table.add_row(Text(label), shown)

    add("study", row["study"])
    add("trial", row["number"])
    add("state", row["state"], "bold")
    values = [c for c in campaign.trials.columns if c == "value" or c.startswith("values_")]
    for column in values:
        if pd.notna(row[column]):
            add(column, number(row[column]))
    if pd.notna(row["feasible"]):  # a trial with constraint values
        if row["feasible"]:
            add("feasible", "yes", "green")
        else:
            add("feasible", f"no (violation {number(row['constraint_violation'])})", "bold red")
    if row["diverged"]:
        add(
            "diverged",
            f"{row['diverged_reason']} at step {row['diverged_step']}"
            f" ({row['diverged_curve'] or 'user attr'})",
            "bold red",
        )
    if pd.notna(row["spike_step"]):
        add("spike", f"loss spike at step {row['spike_step']} (recovered)", "yellow")
    add("started", row["datetime_start"] if pd.notna(row["datetime_start"]) else "—")
    add("finished", row["datetime_complete"] if pd.notna(row["datetime_complete"]) else "—")
    if row["state"] == "RUNNING" and pd.isna(row["duration_s"]):
        add("duration", running_for(row["datetime_start"], now or datetime.now(UTC)), "yellow")
    else:
        precision = campaign.time_precision_note(int(row["study_id"]))
        duration = f"{number(row['duration_s'])} s"
        add("duration", f"{duration} ({precision})" if precision else duration)
    if pd.notna(row.get("curve_best", float("nan"))):
        add(
            "best epoch",
            f"{row['curve_best_step']} ({row['curve']} = {number(row['curve_best'])})",
        )
    table.add_row(Text("params", style="bold underline"), Text(""))
    for name, value in sorted(detail["params"].items()):
        add(f"  {printable(name)}", display_value(value, digits, full=full))
    table.add_row(Text("user attrs", style="bold underline"), Text(""))
    for name, value in sorted(detail["user_attrs"].items()):
        add(f"  {printable(name)}", display_value(value, digits, full=full))
    if detail["system_attrs"]:
        table.add_row(Text("system attrs", style="bold underline"), Text(""))
        for name, value in sorted(detail["system_attrs"].items()):
            add(f"  {printable(name)}", value)
    return table


NO_CURVES = "this trial reported no intermediate values"


def objectives_panel(campaign: Campaign, key: int) -> Group:
    """What stands in for the chart of a trial without curves: that it has none, and its
    objective values by name (the study's ``metric_names`` when Optuna stored them)."""
    row = campaign.trials.loc[key]
    study = campaign.studies.set_index("study_id").loc[row["study_id"]]
    n_objectives = int(study["n_objectives"])
    names = objective_names(study["system_attrs"], n_objectives)
    values = []
    for column in objective_columns(n_objectives):
        value = row.get(column, float("nan"))
        values.append(display_number(value) if pd.notna(value) else "— (none stored)")
    table = Table(title=Text("objectives", style="bold"), box=None, padding=(0, 1), pad_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("name", overflow="fold")
    # The value is never cut: the name folds first.
    table.add_column("value", justify="right", no_wrap=True, min_width=max(map(len, values)))
    for index, (name, value) in enumerate(zip(names, values, strict=True)):
        table.add_row(str(index), Text(printable(name)), value)
    return Group(Text(NO_CURVES, style="bold"), Text(""), table)


AGE_TICK_SECONDS = 10.0  # how often a running trial's age is redrawn


class TrialScreen(HpoScreen):
    """The trial detail; ``n``/``p`` walk the table's order."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="trial.back"),
        Binding("n", "step(1)", "Next", id="trial.next"),
        Binding("p", "step(-1)", "Previous", id="trial.previous"),
        Binding("l", "toggle_log", "Log y", id="trial.log"),
        Binding("b", "toggle_best", "Best overlay", id="trial.best"),
        Binding(
            "a",
            "full_range",
            "All y",
            id="trial.range",
            tooltip="The y axis: every point, or without outliers (drawn at the edge)",
        ),
        Binding(
            "v",
            "toggle_full",
            "Full values",
            id="trial.full",
            tooltip="Every number as its exact shortest round-trip text, long values unfolded",
        ),
        Binding(
            "y",
            "copy_config",
            "Copy config",
            id="trial.copy",
            tooltip="Copy the trial's params as JSON (full precision) to the clipboard",
        ),
    ]

    def __init__(self, key: int, order: list[int]) -> None:
        super().__init__()
        self.key = key
        self.order = order or [key]
        self.log_y = False
        self.show_best = True
        self.full = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="trial-body", classes="chart-body"):
            with VerticalScroll(id="trial-info-scroll", classes="chart-detail"):
                yield Static(id="trial-info")
            yield CurvePlot(id="trial-plot")
            yield Static(id="trial-no-curves")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.refresh_trial()
        # A running trial's age moves on between refreshes (which come only on a change).
        self.set_interval(AGE_TICK_SECONDS, self._age_tick, name="running-age")

    def _age_tick(self) -> None:
        campaign = self.hpo.campaign
        if campaign is None or self.key not in campaign.trials.index:
            return
        if campaign.trials.at[self.key, "state"] == "RUNNING":
            self.refresh_info()

    def refresh_info(self) -> None:
        """Redraw the facts (not the chart): the running age reads the clock again."""
        campaign = self.hpo.campaign
        if campaign is None or self.key not in campaign.trials.index:
            return
        self.query_one("#trial-info", Static).update(
            info_table(campaign, self.key, self.full, self.hpo.config.digits, self.hpo.clock())
        )

    def refresh_trial(self) -> None:
        campaign = self.hpo.campaign
        assert campaign is not None
        self.refresh_info()
        row = campaign.trials.loc[self.key]
        series = trial_series(campaign, self.key, self.log_y)
        names = trial_curve_names(campaign, self.key)
        study = campaign.studies.set_index("study_id").loc[row["study_id"]]
        best = study["best_trial"]
        title = f"{printable(str(row['study']))} #{row['number']}: {curves_named(names)}"
        if self.show_best and pd.notna(best) and int(best) != int(row["number"]):
            best_key = campaign.trials[
                (campaign.trials["study_id"] == row["study_id"])
                & (campaign.trials["number"] == int(best))
            ]["key"]
            if len(best_key):
                best_series = trial_series(campaign, int(best_key.iloc[0]), self.log_y, "best ")
                series += [s for s in best_series if s.label == "best intermediate"]
                title += f" vs best #{int(best)} intermediate"
        marks = []
        if row["diverged"] and pd.notna(row["diverged_step"]):
            marks.append((float(row["diverged_step"]), "diverged"))
            title += f" · diverged at step {row['diverged_step']} (│)"
        plot = self.query_one(CurvePlot)
        panel = self.query_one("#trial-no-curves", Static)
        plot.display, panel.display = bool(names), not names
        if not names:  # nothing to draw: say so, and show the objective values instead
            panel.update(objectives_panel(campaign, self.key))
        plot.show(
            series, title=title, marks=marks, log_y=self.log_y, xlabels=step_axis_labels(names)
        )
        position = self.order.index(self.key) + 1 if self.key in self.order else 1
        self.sub_title = f"trial {row['number']} ({position}/{len(self.order)})"

    def campaign_changed(self, summary: RefreshSummary | None) -> None:
        """A refresh: the curve of a running trial grows."""
        campaign = self.hpo.campaign
        if campaign is not None and self.key in campaign.trials.index:
            self.refresh_trial()

    def action_step(self, delta: int) -> None:
        if self.key not in self.order:
            return
        index = (self.order.index(self.key) + delta) % len(self.order)
        self.key = self.order[index]
        self.refresh_trial()

    def action_toggle_log(self) -> None:
        self.log_y = not self.log_y
        self.refresh_trial()

    def action_full_range(self) -> None:
        self.query_one(CurvePlot).toggle_full_range()

    def action_toggle_best(self) -> None:
        self.show_best = not self.show_best
        self.refresh_trial()

    def action_toggle_full(self) -> None:
        self.full = not self.full
        self.refresh_trial()

    def action_copy_config(self) -> None:
        """The trial's params as JSON at full precision, through the terminal (OSC 52: works
        over SSH and inside tmux with ``set-clipboard on``)."""
        campaign = self.hpo.campaign
        assert campaign is not None
        row = campaign.trials.loc[self.key]
        params = campaign.trial_detail(self.key)["params"]
        self.app.copy_to_clipboard(params_json(params))
        self.notify(
            f"Copied the params of trial {row['number']} ({len(params)}) as JSON",
            title="Copied",
            timeout=4,
        )
