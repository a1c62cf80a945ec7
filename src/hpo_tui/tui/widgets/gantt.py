"""A text Gantt chart of a study's trials: one bar per trial from its start to its end, the
state as a glyph (readable without colour), drawn at the widget's width.

Two layouts: *lanes* (trials that ran at the same time stacked, each on the first lane free
at its start: as many lanes as the most trials ever running at once, i.e. the workers) and
*trials* (one row per trial, by start). Under the bars: finished trials per column as a
sparkline, and the idle gaps.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

# (glyph, style) by what a cell shows; when several trials share a cell, the highest wins.
GLYPHS = {
    "COMPLETE": ("█", "green"),
    "PRUNED": ("▒", "yellow"),
    "FAIL": ("✗", "red"),
    "RUNNING": ("▶", "cyan"),
    "STALLED": ("!", "bold magenta"),
}
PRIORITY = ("COMPLETE", "PRUNED", "FAIL", "RUNNING", "STALLED")  # lowest first
LEGEND_WORDS = {
    "COMPLETE": "complete",
    "PRUNED": "pruned",
    "FAIL": "failed",
    "RUNNING": "running",
    "STALLED": "stalled",
}
IDLE_GLYPH = "░"
SPARKS = "▁▂▃▄▅▆▇█"
LABEL_WIDTH = 7  # "#12345 " or "  12 │"


def assign_lanes(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """A lane per interval (in the order given): each goes to the lowest lane free at its
    start, so that no two intervals of a lane overlap."""
    lanes = np.zeros(len(starts), dtype=np.int64)
    free: list[int] = []  # lanes whose last interval has ended
    busy: list[tuple[int, int]] = []  # (end, lane) of the last interval of each busy lane
    count = 0
    for index in np.argsort(starts, kind="stable").tolist():
        start = int(starts[index])
        while busy and busy[0][0] <= start:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            lane = heapq.heappop(free)
        else:
            lane, count = count, count + 1
        lanes[index] = lane
        heapq.heappush(busy, (int(ends[index]), lane))
    return lanes


@dataclass
class GanttData:
    """What the chart draws (nanoseconds since the epoch, UTC)."""

    starts: np.ndarray
    ends: np.ndarray
    kinds: np.ndarray  # index into PRIORITY
    numbers: np.ndarray
    finished_at: np.ndarray  # ends of the finished trials
    gaps: list[tuple[int, int]]
    first: int
    last: int


def gantt_data(trials: pd.DataFrame, gaps: pd.DataFrame) -> GanttData | None:
    """The chart's data from a study's :func:`~hpo_tui.core.analysis.timeline.timeline`
    frames; None when no trial has started."""
    started = trials[trials["datetime_start"].notna().to_numpy()]
    if started.empty:
        return None
    starts = started["datetime_start"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    ends = started["datetime_end"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    ends = np.maximum(ends, starts)
    state = started["state"].to_numpy(dtype=object)
    kind = np.array([PRIORITY.index(s) if s in PRIORITY else 0 for s in state], dtype=np.int64)
    kind[started["stalled"].to_numpy(dtype=bool)] = PRIORITY.index("STALLED")
    finished = np.isin(state, ("COMPLETE", "PRUNED", "FAIL"))
    gap_pairs = [
        (int(a.value), int(b.value))
        for a, b in zip(gaps["gap_start"], gaps["gap_end"], strict=True)
    ]
    return GanttData(
        starts=starts,
        ends=ends,
        kinds=kind,
        numbers=started["number"].to_numpy(dtype=np.int64),
        finished_at=ends[finished],
        gaps=gap_pairs,
        first=int(starts.min()),
        last=int(ends.max()),
    )


def _columns(data: GanttData, times: np.ndarray, width: int) -> np.ndarray:
    """The column of each time on a ``width``-column axis from the first start to the last
    end (the last end in the last column)."""
    span = max(data.last - data.first, 1)
    return np.clip(((times - data.first) / span * width).astype(np.int64), 0, width - 1)


def _bar_rows(data: GanttData, rows: np.ndarray, n_rows: int, width: int) -> np.ndarray:
    """Per row and column, the highest kind drawn there + 1 (0: empty)."""
    cells = np.zeros((n_rows, width), dtype=np.int64)
    first = _columns(data, data.starts, width)
    last = _columns(data, data.ends, width)
    for row, a, b, kind in zip(
        rows.tolist(), first.tolist(), last.tolist(), data.kinds.tolist(), strict=True
    ):
        np.maximum(cells[row, a : b + 1], kind + 1, out=cells[row, a : b + 1])
    return cells


def _glyph_line(cells: np.ndarray) -> Text:
    line = Text()
    for value in cells.tolist():
        if value == 0:
            line.append(" ")
        else:
            glyph, style = GLYPHS[PRIORITY[value - 1]]
            line.append(glyph, style=style)
    return line


def _time_label(nanoseconds: int, seconds: bool) -> str:
    form = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return pd.Timestamp(nanoseconds, tz="UTC").strftime(form) + " UTC"


class GanttChart(Widget):
    """The chart; :meth:`show` sets its data, it is drawn at the widget's width."""

    DEFAULT_CSS = """
    GanttChart { height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data: GanttData | None = None
        self.by_trial = False

    def show(self, data: GanttData | None, by_trial: bool) -> None:
        """Draw ``data`` in lanes, or one row per trial (``by_trial``)."""
        self.data, self.by_trial = data, by_trial
        self.styles.height = len(self.lines(max(self.size.width, 40)))
        self.refresh(layout=True)

    def lines(self, width: int) -> list[Text]:
        """The chart's lines at ``width`` columns."""
        data = self.data
        if data is None:
            return [Text("no trial has started", style="dim")]
        bar_width = max(10, width - LABEL_WIDTH)
        if self.by_trial:
            order = np.argsort(data.starts, kind="stable")
            rows = np.empty(len(order), dtype=np.int64)
            rows[order] = np.arange(len(order))
            labels = [f"#{n}" for n in data.numbers[order].tolist()]
        else:
            rows = assign_lanes(data.starts, data.ends)
            labels = [str(lane + 1) for lane in range(int(rows.max()) + 1)]
        cells = _bar_rows(data, rows, len(labels), bar_width)
        out = []
        for label, row in zip(labels, cells, strict=True):
            line = Text(f"{label:>{LABEL_WIDTH - 2}} ", style="dim")
            line.append("│", style="dim")
            line.append_text(_glyph_line(row))
            out.append(line)
        out.append(self._sparkline(data, bar_width))
        out.append(self._idle_line(data, bar_width))
        out.append(self._axis(data, bar_width))
        return out

    def _sparkline(self, data: GanttData, width: int) -> Text:
        counts = np.bincount(_columns(data, data.finished_at, width), minlength=width)
        line = Text(f"{'done':>{LABEL_WIDTH - 2}} ", style="dim")
        line.append("│", style="dim")
        top = int(counts.max()) if len(counts) else 0
        for count in counts.tolist():
            if count == 0:
                line.append(" ")
            else:
                line.append(SPARKS[min(len(SPARKS) - 1, (count * len(SPARKS) - 1) // top)])
        return line

    def _idle_line(self, data: GanttData, width: int) -> Text:
        idle = np.zeros(width, dtype=bool)
        span = max(data.last - data.first, 1)
        centres = data.first + (np.arange(width) + 0.5) * span / width
        for start, end in data.gaps:
            idle |= (centres >= start) & (centres < end)
        line = Text(f"{'idle':>{LABEL_WIDTH - 2}} ", style="dim")
        line.append("│", style="dim")
        line.append("".join(IDLE_GLYPH if i else " " for i in idle.tolist()), style="dim")
        return line

    def _axis(self, data: GanttData, width: int) -> Text:
        seconds = data.last - data.first < 2 * 3600 * 10**9  # short: to the second
        left, right = _time_label(data.first, seconds), _time_label(data.last, seconds)
        room = width - len(left) - len(right)
        line = Text(" " * LABEL_WIDTH, style="dim")
        if room >= 1:
            line.append(left + " " * room + right, style="dim")
        else:
            line.append(left[: max(0, width)], style="dim")
        return line

    def render(self) -> RenderResult:
        width = self.size.width
        text = Text("\n").join(self.lines(width))
        text.no_wrap = True
        text.overflow = "crop"
        return text


def legend() -> Text:
    """The glyphs and what they mean."""
    text = Text()
    for kind in PRIORITY:
        glyph, style = GLYPHS[kind]
        text.append(glyph, style=style)
        text.append(f" {LEGEND_WORDS[kind]}  ")
    text.append(IDLE_GLYPH, style="dim")
    text.append(" idle gap  ")
    text.append("done", style="dim")
    text.append(" finished trials ▁…█")
    return text
