"""What a chart's axes show: a y range that outliers do not squash, integer ticks for steps.

UI-free: the chart widgets draw what these functions decide.

The robust range: the 5th–95th percentile of the plotted finite values sets a scale
(``span``); a value further than one ``span`` beyond that band is an *outlier*. The range is
the extent of the other values; on a side where outliers were cut off it is widened by a
little (:data:`EDGE_MARGIN` of the kept extent) so the clipped points, drawn at the edge, sit
above (or below) the kept ones. Percentiles 5–95 rather than 1–99: an overlay of two
50-step curves has 100 points, and a spike lasting a few steps is more than 1 % of them.
A learning curve's high first steps are not outliers: they lie within one span of the band.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

ROBUST_PERCENTILES = (5.0, 95.0)
OUTLIER_SPANS = 1.0  # how many band widths beyond the band a value must be to be clipped
EDGE_MARGIN = 0.05  # share of the kept extent added on a side where points were clipped
MIN_POINTS = 5  # fewer finite points: no percentile means anything, show them all


@dataclass(frozen=True)
class PlotRange:
    """A y range (in data units, also on a log axis) and how many values fall outside it."""

    low: float
    high: float
    clipped_low: int = 0
    clipped_high: int = 0

    @property
    def n_clipped(self) -> int:
        """How many finite values lie outside the range (drawn at its edges)."""
        return self.clipped_low + self.clipped_high

    def clip(self, values: np.ndarray) -> np.ndarray:
        """``values`` with everything outside the range put on its edge (NaN stays NaN)."""
        return np.clip(np.asarray(values, dtype=float), self.low, self.high)


def plot_range(values: np.ndarray, *, robust: bool = True, log: bool = False) -> PlotRange | None:
    """The y range of a chart of ``values``; ``None`` when none is finite (and positive on a
    log axis).

    Args:
        values: Every value plotted, all series together; NaN and ±inf are left out.
        robust: Leave outliers out of the range (see the module docstring); ``False``: the
            full extent of the finite values.
        log: The axis is logarithmic: non-positive values are left out and the percentiles
            are taken of the logarithms.
    """
    data = np.asarray(values, dtype=float)
    data = data[np.isfinite(data)]
    if log:
        data = np.log10(data[data > 0])
    if data.size == 0:
        return None
    low, high = float(data.min()), float(data.max())
    clipped_low = clipped_high = 0
    if robust and data.size >= MIN_POINTS:
        band_low = float(np.percentile(data, ROBUST_PERCENTILES[0], method="higher"))
        band_high = float(np.percentile(data, ROBUST_PERCENTILES[1], method="lower"))
        span = band_high - band_low
        if span <= 0:  # a flat band: measure distances against its magnitude
            span = abs(band_high) or 1.0
        fence_low, fence_high = band_low - OUTLIER_SPANS * span, band_high + OUTLIER_SPANS * span
        kept = data[(data >= fence_low) & (data <= fence_high)]
        clipped_low = int((data < fence_low).sum())
        clipped_high = int((data > fence_high).sum())
        low, high = float(kept.min()), float(kept.max())
        margin = EDGE_MARGIN * ((high - low) or abs(high) or 1.0)
        if clipped_low:
            low -= margin
        if clipped_high:
            high += margin
    if log:
        low, high = 10.0**low, 10.0**high
    return PlotRange(low, high, clipped_low, clipped_high)


NICE_FACTORS = (1, 2, 5)


def integer_ticks(low: float, high: float, most: int) -> list[int]:
    """At most ``most`` evenly spaced integer ticks within ``[low, high]``, at a round step
    (1, 2 or 5 times a power of ten), the smallest such step that fits.

    For an axis of integer steps: plotext's own ticks split the range evenly and give
    fractional labels (``0.0 7.5 15.0``).
    """
    first, last = math.ceil(low), math.floor(high)
    if last < first:
        return []
    most = max(most, 1)
    power = 1
    while True:
        for factor in NICE_FACTORS:
            step = factor * power
            start = math.ceil(first / step) * step
            count = (last - start) // step + 1
            if count <= most:
                return list(range(start, last + 1, step))
        power *= 10
