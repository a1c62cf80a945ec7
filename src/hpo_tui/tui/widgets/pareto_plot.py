"""Two objectives against each other (textual-plotext): the Pareto front, the dominated and
the infeasible trials each with their own marker, so the front reads without colour; or the
hypervolume history as a line."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hpo_tui.core.analysis.plot_range import integer_ticks, plot_range
from hpo_tui.tui.widgets.ranged_plot import RangedPlot

FRONT_MARKER, DOMINATED_MARKER, INFEASIBLE_MARKER = "*", "·", "x"
# Drawn in this order: the front last, on top.
GROUPS = (
    ("dominated", DOMINATED_MARKER, "gray"),
    ("infeasible", INFEASIBLE_MARKER, "red"),
    ("front", FRONT_MARKER, "green"),
)


@dataclass
class ScatterData:
    """What the plot draws: (group, marker, colour, xs, ys) per group, or one line."""

    title: str
    xlabel: str
    ylabel: str
    groups: list[tuple[str, str, str, list[float], list[float]]] = field(default_factory=list)
    line: tuple[list[float], list[float]] | None = None
    n_at_edge: int = 0  # ±inf values drawn at the edge of the axis


def _clip_infinite(values: np.ndarray) -> tuple[np.ndarray, int]:
    """±inf at the finite extremes (plotext refuses inf), and how many there were."""
    finite = values[np.isfinite(values)]
    low, high = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    infinite = np.isinf(values)
    clipped = np.where(values == np.inf, high, np.where(values == -np.inf, low, values))
    return clipped, int(infinite.sum())


def front_data(
    points: pd.DataFrame, x_column: str, y_column: str, title: str, xlabel: str, ylabel: str
) -> ScatterData:
    """Groups of :func:`hpo_tui.core.analysis.pareto.pareto_points` for two objectives."""
    xs, x_edge = _clip_infinite(points[x_column].to_numpy(dtype=float))
    ys, y_edge = _clip_infinite(points[y_column].to_numpy(dtype=float))
    on_front = points["on_front"].to_numpy(dtype=bool)
    infeasible = points["feasible"].eq(False).fillna(False).to_numpy(dtype=bool)
    masks = {"front": on_front, "infeasible": infeasible, "dominated": ~on_front & ~infeasible}
    data = ScatterData(title, xlabel, ylabel, n_at_edge=x_edge + y_edge)
    for group, marker, color in GROUPS:
        mask = masks[group]
        if mask.any():
            data.groups.append((group, marker, color, xs[mask].tolist(), ys[mask].tolist()))
    return data


class ParetoPlot(RangedPlot):
    """A scatter (or a line) of :class:`ScatterData`; its y range holds every point unless
    :attr:`full_range` is off (the front sits at the extremes)."""

    DEFAULT_CSS = """
    ParetoPlot { height: 1fr; min-height: 8; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(full_range=True, id=id, classes=classes)
        self.data = ScatterData(title="", xlabel="", ylabel="")

    def show(self, data: ScatterData) -> None:
        """Replace what is drawn and redraw."""
        self.data = data
        self.replot()

    def range_note(self) -> str:
        """What the title adds about the y range and the values at ±inf."""
        notes = []
        if self.data.n_at_edge:
            notes.append(f"{self.data.n_at_edge} ±inf at the edge")
        y_range = self.y_range
        if self.data.line is None and y_range is not None and y_range.n_clipped:
            notes.append(f"{y_range.n_clipped} outliers at the edge (a: full range)")
        return " · ".join(notes) if not self.data.title else "".join(f" · {n}" for n in notes)

    def replot(self) -> None:
        """Draw on the widget's own plotext figure (thread-safe, unlike plotext's module)."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        data = self.data
        plt.title(data.title)
        plt.xlabel(data.xlabel)
        plt.ylabel(data.ylabel)
        if data.line is not None:
            xs, ys = data.line
            if xs:
                plt.plot(xs, ys, marker="dot", color="green")
                # Trial numbers: whole ticks, about one per 10 columns.
                ticks = integer_ticks(min(xs), max(xs), max(2, self.size.width // 10))
                if ticks:
                    plt.xticks([float(t) for t in ticks], [str(t) for t in ticks])
            self.refresh()
            return
        values = np.asarray([y for *_, ys in data.groups for y in ys], dtype=float)
        self.y_range = plot_range(values, robust=not self.full_range)
        plt.title(data.title + self.range_note())
        for _group, marker, color, xs, ys in data.groups:
            shown = ys
            if self.y_range is not None:
                shown = self.y_range.clip(np.asarray(ys, dtype=float)).tolist()
            plt.scatter(xs, shown, marker=marker, color=color)
        if self.y_range is not None and self.y_range.high > self.y_range.low:
            plt.ylim(self.y_range.low, self.y_range.high)
        if not data.groups:
            plt.title(f"{data.title} — no trials to plot")
        self.refresh()
