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
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

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
    """One row of glyphs, a styled span per run of equal cells (not one per cell: a row per
    trial of a 2,000-trial study is 2,000 such lines)."""
    line = Text()
    if not len(cells):
        return line
    starts = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]])
    ends = np.r_[starts[1:], len(cells)]
    for start, end, value in zip(
        starts.tolist(), ends.tolist(), cells[starts].tolist(), strict=True
    ):
        if value == 0:
            line.append(" " * (end - start))
        else:
            glyph, style = GLYPHS[PRIORITY[value - 1]]
            line.append(glyph * (end - start), style=style)
    return line


def _time_label(nanoseconds: int, seconds: bool) -> str:
    form = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return pd.Timestamp(nanoseconds, tz="UTC").strftime(form) + " UTC"


class GanttChart(ScrollView):
    """The bars, one row per lane (or trial), drawn at the widget's width; only the rows on
    screen are drawn (Textual's line API: a 2,000-trial study is 2,000 rows). The rows under
    the bars (finished trials, idle gaps, the time axis) are :meth:`footer_lines`, for a
    widget below that does not scroll away."""

    DEFAULT_CSS = """
    GanttChart {
        height: auto; overflow-x: hidden; scrollbar-size-vertical: 1; scrollbar-gutter: stable;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data: GanttData | None = None
        self.by_trial = False
        self._rows: tuple[np.ndarray, list[str]] = (np.zeros(0, dtype=np.int64), [])
        self._cells: tuple[int, np.ndarray] | None = None  # (bar width, cells) last drawn
        self._lines: dict[int, Strip] = {}  # drawn rows of the current cells

    def show(self, data: GanttData | None, by_trial: bool) -> None:
        """Draw ``data`` in lanes, or one row per trial (``by_trial``)."""
        self.data, self.by_trial = data, by_trial
        self._rows = self._layout() if data is not None else (np.zeros(0, dtype=np.int64), [])
        self._cells, self._lines = None, {}
        self.virtual_size = Size(self.size.width, max(1, len(self._rows[1])))
        self.scroll_to(y=0, animate=False)
        self.refresh()

    @property
    def n_rows(self) -> int:
        """Rows of bars (lanes or trials)."""
        return len(self._rows[1])

    @property
    def bar_width(self) -> int:
        """Columns of the time axis at the widget's current width."""
        return max(10, self.scrollable_content_region.width - LABEL_WIDTH)

    def _layout(self) -> tuple[np.ndarray, list[str]]:
        data = self.data
        assert data is not None
        if self.by_trial:
            order = np.argsort(data.starts, kind="stable")
            rows = np.empty(len(order), dtype=np.int64)
            rows[order] = np.arange(len(order))
            return rows, [f"#{n}" for n in data.numbers[order].tolist()]
        rows = assign_lanes(data.starts, data.ends)
        return rows, [str(lane + 1) for lane in range(int(rows.max()) + 1)]

    def bar_line(self, row: int, bar_width: int) -> Text:
        """Row ``row`` of bars, with its label, at ``bar_width`` columns."""
        data = self.data
        if data is None:
            return Text("no trial has started", style="dim")
        if self._cells is None or self._cells[0] != bar_width:
            rows, labels = self._rows
            self._cells = (bar_width, _bar_rows(data, rows, len(labels), bar_width))
            self._lines = {}
        line = Text(f"{self._rows[1][row]:>{LABEL_WIDTH - 2}} ", style="dim")
        line.append("│", style="dim")
        line.append_text(_glyph_line(self._cells[1][row]))
        return line

    def lines(self, width: int) -> list[Text]:
        """Every row of bars and the footer rows, at ``width`` columns (for tests and
        screenshots; the screen draws only what it shows)."""
        bar_width = max(10, width - LABEL_WIDTH)
        if self.data is None:
            return [self.bar_line(0, bar_width)]
        rows = [self.bar_line(row, bar_width) for row in range(self.n_rows)]
        return rows + self.footer_lines(bar_width)

    def footer_lines(self, bar_width: int) -> list[Text]:
        """Finished trials per column, the idle gaps, the time axis."""
        data = self.data
        if data is None:
            return []
        return [
            _sparkline(data, bar_width),
            _idle_line(data, bar_width),
            _axis(data, bar_width),
        ]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row = self.scroll_offset.y + y
        if row >= max(self.n_rows, 1 if self.data is None else 0):
            return Strip.blank(width, self.rich_style)
        bar_width = self.bar_width
        if self._cells is None or self._cells[0] != bar_width:
            self._lines = {}
        strip = self._lines.get(row)
        if strip is None:
            text = self.bar_line(row, bar_width)
            strip = Strip(text.render(self.app.console), text.cell_len)
            self._lines[row] = strip
        return strip.crop_extend(0, width, self.rich_style)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, max(1, self.n_rows))


def _sparkline(data: GanttData, width: int) -> Text:
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


def _idle_line(data: GanttData, width: int) -> Text:
    idle = np.zeros(width, dtype=bool)
    span = max(data.last - data.first, 1)
    centres = data.first + (np.arange(width) + 0.5) * span / width
    for start, end in data.gaps:
        idle |= (centres >= start) & (centres < end)
    line = Text(f"{'idle':>{LABEL_WIDTH - 2}} ", style="dim")
    line.append("│", style="dim")
    line.append("".join(IDLE_GLYPH if i else " " for i in idle.tolist()), style="dim")
    return line


def _axis(data: GanttData, width: int) -> Text:
    seconds = data.last - data.first < 2 * 3600 * 10**9  # short: to the second
    left, right = _time_label(data.first, seconds), _time_label(data.last, seconds)
    room = width - len(left) - len(right)
    line = Text(" " * LABEL_WIDTH, style="dim")
    if room >= 1:
        line.append(left + " " * room + right, style="dim")
    else:
        line.append(left[: max(0, width)], style="dim")
    return line


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
