"""Learning curves with textual-plotext: NaN as gaps, ±inf clipped and marked, log-y."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from textual.app import RenderResult
from textual_plotext import PlotextPlot

# Columns of the plot not under the x axis: the y tick labels and the frame.
X_LABEL_MARGIN = 8
# Distinguishable without colour: each series has its own marker.
MARKERS = ("hd", "dot", "x", "+", "o", "*", "sd", "#")


@dataclass
class Series:
    """One line: its label, points, and where infinities were clipped."""

    label: str
    steps: list[float]
    values: list[float]
    clipped: list[tuple[float, float]] = field(default_factory=list)
    marker: str | None = None  # None: the next of MARKERS
    color: str | None = None  # a plotext colour name; None: plotext's sequence


def prepare_series(
    label: str, steps: np.ndarray, values: np.ndarray, log_y: bool = False
) -> Series:
    """Points of one curve; ±inf are kept here and clipped when the plot is drawn (to the
    finite extremes of everything on the plot), NaN stays a gap; on a log axis
    non-positive values become gaps."""
    values = np.asarray(values, dtype=float).copy()
    if log_y:
        values[np.isfinite(values) & (values <= 0)] = np.nan
    return Series(label, np.asarray(steps, dtype=float).tolist(), values.tolist())


def clip_infinities(series: list[Series]) -> None:
    """Replace ±inf by the finite max/min over all series, recording where (in place)."""
    finite = [v for s in series for v in s.values if math.isfinite(v)]
    top = max(finite) if finite else 1.0
    bottom = min(finite) if finite else 0.0
    for item in series:
        item.clipped = []
        for i, v in enumerate(item.values):
            if math.isinf(v):
                item.values[i] = top if v > 0 else bottom
                item.clipped.append((item.steps[i], item.values[i]))


class CurvePlot(PlotextPlot):
    """A plot that keeps its series and redraws them in :meth:`replot`."""

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
        clip_infinities(series)
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

    def render(self) -> RenderResult:
        self.plt.xlabel(self.xlabel)  # the width may have changed since replot
        return super().render()

    def replot(self) -> None:
        """Draw the kept series on the widget's own plotext figure (thread-safe)."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(self.title)
        plt.xlabel(self.xlabel)
        drawn = False
        for index, series in enumerate(self.series):
            if not any(isinstance(v, float) and math.isfinite(v) for v in series.values):
                continue
            style = {"color": series.color} if series.color else {}
            plt.plot(
                series.steps,
                series.values,
                label=series.label,
                marker=series.marker or MARKERS[index % len(MARKERS)],
                **style,
            )
            drawn = True
            if series.clipped:
                xs, ys = zip(*series.clipped, strict=True)
                plt.scatter(list(xs), list(ys), marker="x", label=f"{series.label} ±inf")
        for step, _label in self.marks:
            plt.vline(step)  # the label is in the title: plotext has no vline legend
        if self.log_y and drawn:
            plt.yscale("log")
        if not drawn:
            plt.title(f"{self.title} — no finite points to plot")
        self.refresh()
