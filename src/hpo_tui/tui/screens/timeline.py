"""Timeline of one study: its trials as bars by state, finished trials over time, idle gaps,
and the RUNNING trials that have gone silent (stalled)."""

from __future__ import annotations

import pandas as pd
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Header, Static

from hpo_tui.core.analysis.timeline import Timeline, timeline
from hpo_tui.core.display import display_number, plural, printable
from hpo_tui.core.durations import format_duration
from hpo_tui.tui.messages import TimelineReady
from hpo_tui.tui.screens.study_view import StudyViewScreen
from hpo_tui.tui.widgets.footer import KeysFooter
from hpo_tui.tui.widgets.gantt import GanttChart, gantt_data, legend

LISTED = 8  # stalled trials and gaps listed on screen; the CLI lists them all
MAX_LANES_SHOWN = 12  # more lanes (workers) scroll


def duration(seconds: float) -> str:
    """``3 h 12 min``; a short one in significant digits (``0.4104 s``), never ``0 s``."""
    if abs(seconds) < 60:
        return f"{display_number(seconds)} s"
    return format_duration(seconds)


def _utc(moment: pd.Timestamp) -> str:
    return "—" if pd.isna(moment) else moment.strftime("%Y-%m-%d %H:%M:%S")


def summary_text(result: Timeline, name: str) -> Text:
    """The study's line: trials, span, busy share, rate, running and stalled, thresholds."""
    row = result.studies.iloc[0]
    text = Text.assemble(("Timeline · ", "bold"), (printable(name), "bold"))
    text.append(f"   now {_utc(result.now)} UTC", style="dim")
    text.append(f"\n{plural(int(row['n_trials']), 'trial')}")
    if pd.notna(row["span_s"]):
        text.append(f" · span {duration(row['span_s'])}")
        if row["span_s"] > 0:
            text.append(f" · busy {row['busy_s'] / row['span_s']:.0%}")
        text.append(f" · {display_number(row['trials_per_hour'])} finished/h")
    text.append(f" · {int(row['n_running'])} running")
    stalled = int(row["n_stalled"])
    text.append(" · ")
    text.append(f"{stalled} stalled", style="bold magenta" if stalled else "")
    text.append(
        f"\nstalled: RUNNING, silent > {duration(row['stall_after_s'])} · "
        f"idle gap: nothing running > {duration(row['idle_gap_s'])}",
        style="dim",
    )
    return text


def details_text(result: Timeline) -> Text:
    """The stalled trials and the idle gaps, the first :data:`LISTED` of each."""
    text = Text()
    stalled = result.stalled
    text.append(f"Stalled trials: {len(stalled)}", style="bold")
    for row in stalled.head(LISTED).itertuples(index=False):
        since = "last heartbeat" if row.stalled_by == "heartbeat" else "start (no heartbeat)"
        text.append(f"\n  #{row.number} started {_utc(row.datetime_start)}, ")
        text.append(f"silent {duration(row.silent_s)}", style="bold magenta")
        text.append(f" since its {since}")
    if len(stalled) > LISTED:
        text.append(f"\n  … {len(stalled) - LISTED} more: hpo-tui timeline --view stalled", "dim")
    gaps = result.gaps
    text.append(f"\nIdle gaps: {len(gaps)}", style="bold")
    for row in gaps.head(LISTED).itertuples(index=False):
        text.append(f"\n  {_utc(row.gap_start)} → {_utc(row.gap_end)} ({duration(row.gap_s)})")
    if len(gaps) > LISTED:
        text.append(f"\n  … {len(gaps) - LISTED} more: hpo-tui timeline --view gaps", "dim")
    return text


class TimelineScreen(StudyViewScreen):
    """``v`` switches the bars between lanes and one row per trial."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="timeline.back"),
        Binding(
            "v",
            "toggle_rows",
            "Per trial",
            id="timeline.rows",
            tooltip="Bars in lanes (trials running at once stacked) or one row per trial",
        ),
    ]

    def __init__(self, study_id: int) -> None:
        super().__init__(study_id)
        self.by_trial = False
        self.result: Timeline | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="timeline-body"):
            yield Static("Computing…", id="timeline-title")
            yield Static(legend(), id="timeline-legend")
            yield GanttChart(id="timeline-chart")
            yield Static(id="timeline-footer")
            with VerticalScroll(id="timeline-details-scroll"):
                yield Static(id="timeline-details")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(GanttChart).focus()  # arrows and page keys scroll the bars
        self.compute()

    @work(thread=True, exclusive=True, exit_on_error=False, group="timeline")
    def compute(self) -> None:
        """The timeline in a thread, at the app's clock; it arrives as
        :class:`TimelineReady`."""
        campaign = self.hpo.campaign
        assert campaign is not None
        result = timeline(campaign, [self.study_id], now=self.hpo.clock())
        self.post_message(TimelineReady(self.study_id, result))

    def on_timeline_ready(self, message: TimelineReady) -> None:
        if message.study_id != self.study_id:
            return
        self.result = message.timeline
        self.redraw()

    def redraw(self) -> None:
        campaign, result = self.hpo.campaign, self.result
        if campaign is None or result is None or result.studies.empty:
            return
        name = str(campaign.studies.set_index("study_id").at[self.study_id, "study"])
        self.query_one("#timeline-title", Static).update(summary_text(result, name))
        chart = self.query_one(GanttChart)
        chart.show(gantt_data(result.trials, result.gaps), self.by_trial)
        # Lanes are few: all of them; one row per trial: the rest of the screen, scrolled.
        chart.styles.height = "1fr" if self.by_trial else min(chart.n_rows, MAX_LANES_SHOWN)
        self._footer()
        self.query_one("#timeline-details", Static).update(details_text(result))
        layout = "one row per trial" if self.by_trial else "lanes"
        self.sub_title = f"timeline · {printable(name)} · {layout}"

    def _footer(self) -> None:
        """The rows under the bars, at the chart's width (they stay while the bars scroll)."""
        chart = self.query_one(GanttChart)
        footer = Text("\n").join(chart.footer_lines(chart.bar_width))
        footer.no_wrap, footer.overflow = True, "crop"
        self.query_one("#timeline-footer", Static).update(footer)

    def on_resize(self) -> None:
        if self.result is not None:
            self.call_after_refresh(self._footer)  # once the chart has its new width

    def show_study(self) -> None:
        self.compute()

    def action_toggle_rows(self) -> None:
        self.by_trial = not self.by_trial
        self.redraw()
