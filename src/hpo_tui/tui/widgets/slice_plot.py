"""Param vs objective scatter (textual-plotext): log-x for log params, categories as ticks,
the top 10 %, the rest and the diverged trials each with their own marker (no colour needed)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.analysis.patterns import choice_label
from hpo_tui.core.analysis.plot_range import plot_range
from hpo_tui.core.display import printable
from hpo_tui.tui.widgets.ranged_plot import RangedPlot

TOP_MARKER, REST_MARKER, DIVERGED_MARKER = "*", "o", "x"


@dataclass
class SliceData:
    """What the plot draws: (group, marker, xs, ys) per group, x ticks for categories."""

    title: str
    xlabel: str
    log_x: bool = False
    ylabel: str = "objective"
    groups: list[tuple[str, str, list[float], list[float]]] = field(default_factory=list)
    xticks: tuple[list[float], list[str]] | None = None
    xlim: tuple[float, float] | None = None


def slice_data(
    points: pd.DataFrame,
    top_numbers: set[int],
    scale: str,
    choices: list[Any],
    direction: str,
    title: str,
    xlabel: str,
    ylabel: str = "objective",
) -> SliceData:
    """Turn :func:`hpo_tui.core.analysis.patterns.slice_points` into plot groups.

    Diverged trials without a value are drawn at the worst finite value (the top edge of a
    minimization); ±inf values are clipped to the finite extremes (plotext refuses inf).
    """
    values = points["value"].to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    worst = (finite.max() if direction != "maximize" else finite.min()) if finite.size else 0.0
    low, high = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    data = SliceData(title=title, xlabel=xlabel, log_x=scale == "log", ylabel=ylabel)
    if scale == "categorical":
        positions = {choice_label(c): float(i) for i, c in enumerate(choices)}
        data.xticks = (list(positions.values()), [printable(label) for label in positions])
        data.xlim = (-0.5, len(positions) - 0.5)  # keep the first and last off the frame
    xs: dict[str, list[float]] = {"top": [], "rest": [], "diverged": []}
    ys: dict[str, list[float]] = {"top": [], "rest": [], "diverged": []}
    for number, value, diverged, x in zip(
        points["number"], values, points["diverged"], points["param_value"], strict=True
    ):
        if scale == "categorical":
            position = positions.get(choice_label(x))
            if position is None:
                continue
            x_value = position
        else:
            if x is None or isinstance(x, (str, bool)):
                continue
            x_value = float(x)
            if data.log_x and x_value <= 0:
                continue
        if math.isnan(value):
            y_value = worst
        elif math.isinf(value):
            y_value = high if value > 0 else low
        else:
            y_value = float(value)
        group = "diverged" if diverged else ("top" if int(number) in top_numbers else "rest")
        xs[group].append(x_value)
        ys[group].append(y_value)
    markers = {"rest": REST_MARKER, "top": TOP_MARKER, "diverged": DIVERGED_MARKER}
    for group in ("rest", "top", "diverged"):
        if xs[group]:
            data.groups.append((group, markers[group], xs[group], ys[group]))
    return data


class SlicePlot(RangedPlot):
    """A scatter of :class:`SliceData`."""

    DEFAULT_CSS = """
    SlicePlot { height: 1fr; min-height: 10; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.data = SliceData(title="", xlabel="")

    def show(self, data: SliceData) -> None:
        """Replace the plotted points and redraw."""
        self.data = data
        self.replot()

    def drawn_groups(self) -> list[tuple[str, str, list[float], list[float]]]:
        """The groups as drawn: by default one trial that spiked does not squash the others;
        the y range leaves outliers out (:func:`hpo_tui.core.analysis.plot_range.plot_range`) and
        they sit on its edge."""
        values = [y for *_, ys in self.data.groups for y in ys]
        self.y_range = plot_range(np.asarray(values, dtype=float), robust=not self.full_range)
        if self.y_range is None:
            return self.data.groups
        return [
            (group, marker, xs, self.y_range.clip(np.asarray(ys, dtype=float)).tolist())
            for group, marker, xs, ys in self.data.groups
        ]

    def range_note(self) -> str:
        """What the title adds about the y range: clipped points and the key that shows them."""
        y_range = self.y_range
        if y_range is not None and y_range.n_clipped:
            counts = " ".join(
                f"{mark}{n}"
                for mark, n in (("↑", y_range.clipped_high), ("↓", y_range.clipped_low))
                if n
            )
            noun = "outlier" if y_range.n_clipped == 1 else "outliers"
            return f"{counts} {noun} at the edge (a: full range)"
        return "full y range (a: without outliers)" if self.full_range else ""

    def replot(self) -> None:
        """Draw on the widget's own plotext figure (thread-safe, unlike plotext's module)."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        groups = self.drawn_groups()
        note = self.range_note()
        plt.title(f"{self.data.title} · {note}" if note else self.data.title)
        plt.xlabel(self.data.xlabel)
        plt.ylabel(self.data.ylabel)
        # No plotext legend: it covers the top-left corner, where points are; the screen's
        # title names the markers.
        for _group, marker, xs, ys in groups:
            plt.scatter(xs, ys, marker=marker)
        if self.y_range is not None and self.y_range.high > self.y_range.low:
            plt.ylim(self.y_range.low, self.y_range.high)
        if self.data.xticks is not None:
            plt.xticks(*self.data.xticks)
        if self.data.xlim is not None:
            plt.xlim(*self.data.xlim)
        if self.data.log_x and self.data.groups:
            plt.xscale("log")
        if not self.data.groups:
            plt.title(f"{self.data.title} — no points to plot")
        self.refresh()
