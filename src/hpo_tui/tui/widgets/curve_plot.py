"""Learning curves with textual-plotext: NaN as gaps, ±inf clipped and marked, log-y."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from textual_plotext import PlotextPlot

# Distinguishable without colour: each series has its own marker.
MARKERS = ("hd", "dot", "x", "+", "o", "*", "sd", "#")


@dataclass
class Series:
    """One line: its label, points, and where infinities were clipped."""

    label: str
    steps: list[float]
    values: list[float]
    clipped: list[tuple[float, float]] = field(default_factory=list)


def prepare_series(
    label: str, steps: np.ndarray, values: np.ndarray, log_y: bool = False
) -> Series:
    """Points ready for plotext: NaN stays (a gap), ±inf becomes the finite extreme and is
    reported in ``clipped``; on a log axis non-positive values become gaps."""
    values = np.asarray(values, dtype=float).copy()
    steps = np.asarray(steps, dtype=float)
    finite = values[np.isfinite(values)]
    top = float(finite.max()) if finite.size else 1.0
    bottom = float(finite.min()) if finite.size else 0.0
    clipped = []
    for i, v in enumerate(values):
        if math.isinf(v):
            values[i] = top if v > 0 else bottom
            clipped.append((float(steps[i]), float(values[i])))
    if log_y:
        values[values <= 0] = np.nan
    return Series(label, steps.tolist(), values.tolist(), clipped)


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

    def show(
        self,
        series: list[Series],
        title: str = "",
        marks: list[tuple[float, str]] | None = None,
        log_y: bool = False,
    ) -> None:
        """Replace the plotted series and redraw."""
        self.series = series
        self.title = title
        self.marks = marks or []
        self.log_y = log_y
        self.replot()

    def replot(self) -> None:
        """Draw the kept series on the widget's own plotext figure (thread-safe)."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(self.title)
        plt.xlabel("step")
        drawn = False
        for index, series in enumerate(self.series):
            if not any(isinstance(v, float) and math.isfinite(v) for v in series.values):
                continue
            plt.plot(
                series.steps,
                series.values,
                label=series.label,
                marker=MARKERS[index % len(MARKERS)],
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
