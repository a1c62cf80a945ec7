"""Human-readable durations and the age of a running trial, with an injected "now"."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from hpo_tui.core.durations import format_duration, running_for, running_seconds

NOW = datetime(2026, 3, 4, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (42.9, "42 s"),
        (60, "1 min 0 s"),
        (12 * 60 + 5, "12 min 5 s"),
        (3 * 3600 + 12 * 60 + 59, "3 h 12 min"),
        (2 * 86400 + 5 * 3600 + 7 * 60, "2 d 5 h"),
    ],
)
def test_format_duration_picks_two_units(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_format_duration_says_when_there_is_none() -> None:
    assert format_duration(math.nan) == "—"
    assert format_duration(None) == "—"


def test_running_seconds_from_an_aware_start() -> None:
    start = pd.Timestamp(NOW - timedelta(hours=3, minutes=12, seconds=30))
    assert running_seconds(start, NOW) == pytest.approx(3 * 3600 + 12 * 60 + 30)
    assert running_seconds(pd.NaT, NOW) is None


def test_running_for_text() -> None:
    start = pd.Timestamp(NOW - timedelta(hours=3, minutes=12, seconds=30))
    assert running_for(start, NOW) == "running for 3 h 12 min"
    assert running_for(pd.NaT, NOW) == "not started"


def test_running_for_a_start_in_the_future_says_so() -> None:
    start = pd.Timestamp(NOW + timedelta(minutes=2))
    assert running_for(start, NOW) == "started 2 min 0 s in the future (clock skew?)"
