"""The base of the plots whose y range leaves outliers out, or holds every finite value."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from hpo_tui.core.analysis.plot_range import PlotRange


class RangedPlot(PlotextPlot):
    """A plot that keeps what it draws and draws it again in :meth:`replot`, on its own
    plotext figure (``self.plt``).

    Its y range leaves outliers out (:func:`hpo_tui.core.analysis.plot_range.plot_range`), or,
    with :attr:`full_range`, holds every finite value; ``a`` on the screens toggles it.
    """

    def __init__(
        self, *, full_range: bool = False, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.full_range = full_range
        self.y_range: PlotRange | None = None  # as last drawn; None: no finite value

    def toggle_full_range(self) -> None:
        """Switch between the robust y range and every finite value."""
        self.full_range = not self.full_range
        self.replot()

    def replot(self) -> None:
        """Draw what the plot keeps."""
        raise NotImplementedError
