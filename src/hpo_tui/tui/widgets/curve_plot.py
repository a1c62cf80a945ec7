"""Learning curves with textual-plotext: a title above the plot that says what is drawn, NaN
as gaps, ±inf and outliers drawn at the edge of the y range and marked, log-y, integer step
ticks, and a legend that never covers more than a quarter of the plot (else it goes below)."""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field

import numpy as np
from rich.text import Text
from textual.app import RenderResult

from hpo_tui.core.analysis.plot_range import PlotRange, integer_ticks, plot_range
from hpo_tui.core.display import printable
from hpo_tui.tui.compat import PLOTEXT_COLORS, PLOTEXT_MARKER_CODES, plotext_theme, size_plot
from hpo_tui.tui.widgets.ranged_plot import RangedPlot

# Columns of the plot not under the x axis: the y tick labels and the frame.
X_LABEL_MARGIN = 8
# Rows of the plot not in its canvas: the x axis, its tick labels and its label.
Y_CANVAS_MARGIN = 3
# Distinguishable without colour: each series has its own marker.
MARKERS = ("hd", "dot", "x", "+", "o", "*", "sd", "#")
INF_MARKER, ABOVE_MARKER, BELOW_MARKER = "x", "↑", "↓"
TITLE_LINES = 2  # a longer title is cut with "…"
TICK_SPACING = 10  # columns per x tick label
# What a plotext colour looks like in a Rich legend drawn outside the plot.
RICH_COLORS = {
    "gray": "bright_black",
    "gold": "gold1",
    "orange": "dark_orange",
    "orange+": "orange1",
}


def rich_color(name: str) -> str:
    """The Rich colour of a plotext colour name (``blue+`` is ``bright_blue``)."""
    if name in RICH_COLORS:
        return RICH_COLORS[name]
    return f"bright_{name[:-1]}" if name.endswith("+") else name


def marker_symbol(marker: str) -> str:
    """The character plotext draws for ``marker`` (a name such as ``dot``, or the character)."""
    if marker == "hd":
        return "▞"  # what plotext's own legend shows for its high-definition lines
    return PLOTEXT_MARKER_CODES.get(marker, marker[:1])


@dataclass
class Series:
    """One line: its label, points, and which of them are drawn at an edge of the y range."""

    label: str
    steps: list[float]
    values: list[float]
    clipped: list[tuple[float, float]] = field(default_factory=list)  # ±inf, at an edge
    above: list[tuple[float, float]] = field(default_factory=list)  # beyond the top edge
    below: list[tuple[float, float]] = field(default_factory=list)  # beyond the bottom edge
    marker: str | None = None  # None: the next of MARKERS
    color: str | None = None  # a plotext colour name; None: the next of plotext's sequence
    raw: list[float] = field(default_factory=list)  # the values before any clipping
    scatter: bool = False  # points only, no line between them


def prepare_series(
    label: str, steps: np.ndarray, values: np.ndarray, log_y: bool = False
) -> Series:
    """Points of one curve; ±inf are kept here and put at the edge of the y range when the
    plot is drawn, NaN stays a gap; on a log axis non-positive values become gaps."""
    values = np.asarray(values, dtype=float).copy()
    if log_y:
        values[np.isfinite(values) & (values <= 0)] = np.nan
    return Series(label, np.asarray(steps, dtype=float).tolist(), values.tolist())


def curves_named(names: list[str]) -> str:
    """The curves a chart draws, each named once in the order given (literal text)."""
    return ", ".join(printable(name) for name in dict.fromkeys(names)) or "no curve"


def fit_to_range(series: list[Series], y_range: PlotRange | None) -> None:
    """Put every point outside ``y_range`` (±inf and outliers) on its edge, recording where
    (in place; the original values stay in ``Series.raw``)."""
    for item in series:
        raw = np.asarray(item.raw, dtype=float)
        item.clipped, item.above, item.below = [], [], []
        if y_range is None:  # nothing finite: plotext refuses inf, NaN is a gap
            item.values = np.where(np.isinf(raw), np.nan, raw).tolist()
            continue
        drawn = y_range.clip(raw)
        finite = np.isfinite(raw)
        steps = np.asarray(item.steps, dtype=float)
        # The line goes to the edge and back; the edge markers say the points lie beyond it.
        for mask, out in (
            (np.isinf(raw), item.clipped),
            (finite & (raw > y_range.high), item.above),
            (finite & (raw < y_range.low), item.below),
        ):
            out.extend(zip(steps[mask].tolist(), drawn[mask].tolist(), strict=True))
        item.values = drawn.tolist()


def _range_of(series: list[Series], robust: bool, log_y: bool) -> PlotRange | None:
    values = np.concatenate([np.asarray(s.raw, dtype=float) for s in series] or [np.empty(0)])
    return plot_range(values, robust=robust, log=log_y)


class CurvePlot(RangedPlot):
    """Series of points (:class:`Series`) and vertical marks, kept and drawn in :meth:`replot`."""

    DEFAULT_CSS = """
    CurvePlot { height: 1fr; min-height: 10; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.series: list[Series] = []
        self.marks: list[tuple[float, str]] = []
        self.title = ""
        self.log_y = False
        self.xlabels = ["step"]  # longest first: the widest that fits is drawn
        self.legend_outside = False  # where the last render put the legend

    def show(
        self,
        series: list[Series],
        title: str = "",
        marks: list[tuple[float, str]] | None = None,
        log_y: bool = False,
        xlabels: list[str] | None = None,
    ) -> None:
        """Replace the plotted series and redraw; ``xlabels`` say what the steps are, in
        forms from the longest to the shortest (the widest that fits is drawn)."""
        for index, item in enumerate(series):
            item.raw = list(item.values)
            item.color = item.color or PLOTEXT_COLORS[index % len(PLOTEXT_COLORS)]
        self.series = series
        self.xlabels = xlabels or ["step"]
        self.title = title
        self.marks = marks or []
        self.log_y = log_y
        self.replot()

    @property
    def xlabel(self) -> str:
        """The x-axis label drawn at the widget's current width (plotext leaves out a
        label wider than the plot)."""
        room = self.size.width - X_LABEL_MARGIN
        return next((label for label in self.xlabels if len(label) <= room), self.xlabels[-1])

    @property
    def full_title(self) -> str:
        """The title and what the reader must know to read the plot: the log axis, the
        points drawn at an edge of the y range, and the key that shows them all."""
        notes = []
        if self.log_y:
            notes.append("log y")
        inf = sum(len(s.clipped) for s in self.series)
        above = sum(len(s.above) for s in self.series)
        below = sum(len(s.below) for s in self.series)
        if inf:
            notes.append(f"{INF_MARKER} = ±inf at the edge")
        if above or below:
            counts = " ".join(
                f"{marker}{n}" for marker, n in ((ABOVE_MARKER, above), (BELOW_MARKER, below)) if n
            )
            noun = "outlier" if above + below == 1 else "outliers"
            notes.append(f"{counts} {noun} at the edge (a: full range)")
        elif self.full_range:
            notes.append("full y range (a: without outliers)")
        if not self.drawn:
            notes.append("no finite points to plot")
        return " · ".join([self.title, *notes]) if self.title else " · ".join(notes)

    @property
    def drawn(self) -> list[Series]:
        """The series with at least one finite point to draw."""
        return [s for s in self.series if any(math.isfinite(v) for v in s.raw)]

    def legend_entries(self) -> list[tuple[str, str, str]]:
        """(marker character, label, Rich colour) per labelled line and edge marker."""
        entries = []
        for index, item in enumerate(self.drawn):
            color = rich_color(item.color or "")
            if item.label:
                entries.append((marker_symbol(self._marker(item, index)), item.label, color))
            if item.clipped:
                entries.append((INF_MARKER, f"{item.label} ±inf", color))
        return entries

    @staticmethod
    def _marker(item: Series, index: int) -> str:
        return item.marker or MARKERS[index % len(MARKERS)]

    def _title_lines(self, width: int) -> list[str]:
        title = self.full_title
        if not title or width < 1:
            return []
        return textwrap.wrap(title, width, max_lines=TITLE_LINES, placeholder=" …")

    def _legend_fits_inside(self, width: int, height: int) -> bool:
        """Whether plotext's legend (inside the plot, top left) covers at most a quarter of
        the canvas (half its width and half its height) and hides no point drawn on the top
        edge."""
        entries = self.legend_entries()
        if not entries:
            return True
        y_range = self.y_range
        if any(
            s.above or (y_range is not None and any(v == y_range.high for _x, v in s.clipped))
            for s in self.series
        ):
            return False
        legend_width = max(len(label) for _m, label, _c in entries) + 5
        canvas_width = width - X_LABEL_MARGIN
        canvas_height = height - Y_CANVAS_MARGIN
        if legend_width * 2 > canvas_width or len(entries) * 2 > canvas_height:
            return False
        return not self._points_under(legend_width, len(entries), canvas_width, canvas_height)

    def _points_under(self, columns: int, rows: int, canvas_width: int, canvas_height: int) -> bool:
        """Whether a drawn point falls in the top-left ``columns`` × ``rows`` of the canvas
        (where plotext puts its legend)."""
        drawn = self.drawn
        y_range = self.y_range
        if not drawn or y_range is None:
            return False
        steps = np.concatenate([np.asarray(s.steps, dtype=float) for s in drawn])
        values = np.concatenate([np.asarray(s.values, dtype=float) for s in drawn])
        low, high = y_range.low, y_range.high
        if self.log_y:
            with np.errstate(divide="ignore", invalid="ignore"):
                values, low, high = np.log10(values), math.log10(low), math.log10(high)
        x_low, x_high = float(steps.min()), float(steps.max())
        keep = np.isfinite(values)
        column = (steps[keep] - x_low) / ((x_high - x_low) or 1.0) * (canvas_width - 1)
        row = (high - values[keep]) / ((high - low) or 1.0) * (canvas_height - 1)
        return bool(np.any((column < columns) & (row < rows)))

    def _legend_lines(self, width: int) -> list[Text]:
        """The legend as lines below the plot, entries packed left to right."""
        lines: list[Text] = []
        line = Text()
        for marker, label, color in self.legend_entries():
            entry = Text.assemble((marker * 2, color), " ", label)
            if line.cell_len and line.cell_len + 2 + entry.cell_len > width:
                lines.append(line)
                line = Text()
            if line.cell_len:
                line.append("  ")
            line.append_text(entry)
        if line.cell_len:
            lines.append(line)
        return lines

    def render(self) -> RenderResult:
        """The title, the plot, and the legend below it when it would cover the plot."""
        width, height = self.size.width, self.size.height
        title = self._title_lines(width)
        plot_height = height - len(title)
        self.legend_outside = not self._legend_fits_inside(width, plot_height)
        legend = self._legend_lines(width) if self.legend_outside else []
        # The plot keeps at least half the height; a legend longer than that is cut.
        legend = legend[: max(0, plot_height // 2)]
        plot_height -= len(legend)
        self._draw(width, plot_height, labelled=not self.legend_outside)
        plt = self.plt
        size_plot(plt, width, plot_height)
        plt.theme(plotext_theme(self))
        out = Text("\n".join(title), style="bold") if title else Text()
        if title:
            out.append("\n")
        out.append_text(Text.from_ansi(plt.build().rstrip("\n")))
        for line in legend:
            out.append("\n")
            out.append_text(line)
        return out

    def replot(self) -> None:
        """Fit the series to the y range; they are drawn at the current size on render."""
        self.y_range = _range_of(self.series, robust=not self.full_range, log_y=self.log_y)
        fit_to_range(self.series, self.y_range)
        self.refresh()

    def _draw(self, width: int, height: int, labelled: bool) -> None:
        """Draw the kept series on the widget's own plotext figure (thread-safe)."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xlabel(self.xlabel)
        drawn = self.drawn
        for index, series in enumerate(drawn):
            draw = plt.scatter if series.scatter else plt.plot
            draw(
                series.steps,
                series.values,
                label=(series.label or None) if labelled else None,
                marker=self._marker(series, index),
                color=series.color or "default",
            )
        # After every line, so that no line covers an edge marker.
        for series in drawn:
            for points, marker in (
                (series.clipped, INF_MARKER),
                (series.above, ABOVE_MARKER),
                (series.below, BELOW_MARKER),
            ):
                if points:
                    xs, ys = zip(*points, strict=True)
                    scatter_label = f"{series.label} ±inf" if marker == INF_MARKER else None
                    plt.scatter(
                        list(xs),
                        list(ys),
                        marker=marker,
                        color=series.color or "default",
                        label=scatter_label if labelled else None,
                    )
        for step, _label in self.marks:
            plt.vline(step)  # the label is in the title: plotext has no vline legend
        if not drawn:
            return
        if self.log_y:
            plt.yscale("log")
        y_range = self.y_range
        if y_range is not None and y_range.high > y_range.low:
            if self.log_y:  # plotext takes limits on a log axis as logarithms
                plt.ylim(math.log10(y_range.low), math.log10(y_range.high))
            else:
                plt.ylim(y_range.low, y_range.high)
        steps = [x for s in drawn for x in s.steps] + [step for step, _ in self.marks]
        if steps and all(float(x).is_integer() for x in steps):
            low, high = min(steps), max(steps)
            most = max(2, (width - X_LABEL_MARGIN) // TICK_SPACING)
            ticks = integer_ticks(low, high, most)
            plt.xticks([float(t) for t in ticks], [str(t) for t in ticks])
