"""Durations for people: ``3 h 12 min``, and how long a running trial has been running.

"Now" is always a parameter, so the screens (and the tests) decide which clock to read.
"""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd

# (seconds in the unit, its symbol), largest first; a duration shows its two leading units.
_UNITS = ((86_400, "d"), (3_600, "h"), (60, "min"), (1, "s"))
MISSING = "—"


def format_duration(seconds: float | None) -> str:
    """A duration in its two largest units, truncated: ``42 s``, ``12 min 5 s``,
    ``3 h 12 min``, ``2 d 5 h``; ``—`` when there is none (NaN/None).

    Truncated, not rounded: an elapsed time never reads longer than it was.
    """
    if seconds is None or not math.isfinite(seconds):
        return MISSING
    whole = int(max(seconds, 0.0))
    for index, (size, symbol) in enumerate(_UNITS):
        if whole >= size or size == 1:
            lead = f"{whole // size} {symbol}"
            if index + 1 == len(_UNITS):
                return lead
            next_size, next_symbol = _UNITS[index + 1]
            return f"{lead} {(whole % size) // next_size} {next_symbol}"
    return MISSING  # unreachable: the last unit always matches


def running_seconds(start: pd.Timestamp | datetime | None, now: datetime) -> float | None:
    """Seconds from ``start`` (timezone-aware, as the campaign's ``datetime_start``) to
    ``now``; None when the trial has no start. Negative when the clocks disagree."""
    if start is None or pd.isna(start):
        return None
    return (pd.Timestamp(now) - pd.Timestamp(start)).total_seconds()


def running_for(start: pd.Timestamp | datetime | None, now: datetime) -> str:
    """``running for 3 h 12 min`` for a trial started at ``start``; a start after ``now``
    (the storage's clock ahead of this machine's) is said, not hidden as ``0 s``."""
    seconds = running_seconds(start, now)
    if seconds is None:
        return "not started"
    if seconds < 0:
        return f"started {format_duration(-seconds)} in the future (clock skew?)"
    return f"running for {format_duration(seconds)}"
