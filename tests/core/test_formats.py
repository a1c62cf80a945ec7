"""Exact float text and safe display text."""

from __future__ import annotations

import math
import struct

from hypothesis import given
from hypothesis import strategies as st

from hpo_tui.core.formats import display_number, exact_float, printable


@given(st.floats(allow_nan=False))
def test_exact_float_round_trips_bit_identically(value: float) -> None:
    text = exact_float(value)
    back = float(text)
    assert struct.pack("<d", back) == struct.pack("<d", value)


def test_special_values() -> None:
    assert exact_float(math.nan) == ""
    assert exact_float(math.inf) == "inf"
    assert exact_float(-math.inf) == "-inf"
    assert exact_float(-0.0) == "-0.0"


def test_display_keeps_small_numbers_visible() -> None:
    assert display_number(1.2e-05) == "1.200e-05"
    assert display_number(0.26304) == "0.2630"
    assert display_number(math.nan) == "—"
    assert display_number(math.inf) == "+inf"
    assert display_number(3) == "3"


def test_printable_neutralises_escape_sequences() -> None:
    hostile = "a\x1b[31mred\x1b]8;;http://x\x07b\u202etxt"
    shown = printable(hostile)
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
    assert shown == "a\\x1b[31mred\\x1b]8;;http://x\\x07b\\u202etxt"
    assert printable("Größe 模型 [bold]x[/bold]") == "Größe 模型 [bold]x[/bold]"
