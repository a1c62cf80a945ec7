"""Exact float text and safe display text."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hpo_tui.core.display import display_number, display_value, exact_float, printable


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


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [
        (0.002461072230110954, 4, "0.002461"),  # not 0.0025: significant digits, not decimals
        (6.406e-04, 4, "0.0006406"),  # same notation as 0.004700 in one column
        (0.0047, 4, "0.004700"),
        (0.26304, 4, "0.2630"),
        (0.3199, 4, "0.3199"),
        (1.2e-05, 4, "1.200e-05"),  # below 1e-4: scientific, never 0.0000
        (123.456, 4, "123.5"),
        (12345.678, 4, "12346"),  # never fewer integer digits than the number has
        (9.99996, 4, "10.00"),  # rounding up carries into the next power of ten
        (0.000099996, 4, "0.0001000"),
        (123456789.5, 4, "1.235e+08"),
        (-0.002461072230110954, 4, "-0.002461"),
        (0.002461072230110954, 6, "0.00246107"),
        (0.002461072230110954, 1, "0.002"),
    ],
)
def test_display_in_significant_digits(value: float, digits: int, shown: str) -> None:
    assert display_number(value, digits) == shown


@pytest.mark.parametrize("value", [6.0, np.float64(6.0), 6, np.int64(6), -3.0, 0.0, 1e14])
def test_integers_print_as_integers(value: object) -> None:
    assert display_number(value) == str(int(value))  # type: ignore[call-overload]


def test_dash_means_missing_and_nothing_else() -> None:
    import pandas as pd

    for missing in (None, math.nan, np.nan, pd.NA):
        assert display_number(missing) == "—"
    assert display_value(None) == "None"  # a categorical choice None is a value
    assert display_value("adam") == "adam"
    assert display_value(True) == "True"
    assert display_value(0.002461072230110954) == "0.002461"
    assert display_value([0.1, 0.2]) == "[0.1, 0.2]"


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_full_value_is_the_shortest_round_trip_repr(value: float) -> None:
    text = display_number(value, full=True)
    if value.is_integer() and abs(value) < 1e15:
        assert text == str(int(value))
    else:
        assert text == repr(value)
    assert float(text) == value


@given(
    st.floats(min_value=1e-300, max_value=1e300, allow_nan=False, allow_infinity=False),
    st.integers(min_value=1, max_value=10),
)
def test_display_keeps_the_asked_significant_digits(value: float, digits: int) -> None:
    text = display_number(value, digits)
    if value.is_integer() and abs(value) < 1e15:
        assert text == str(int(value))
        return
    back = float(text)
    # Rounded to ``digits`` significant digits: within half a unit of the last one.
    assert abs(back - value) <= 0.5 * 10 ** (math.floor(math.log10(value)) - digits + 1) * 1.0001
    mantissa = text.split("e")[0].replace("-", "").replace(".", "").lstrip("0")
    if "e" in text or back < 10**digits:
        assert len(mantissa) == digits


def test_digits_are_configurable_and_checked() -> None:
    from hpo_tui.core.config import config_from_mapping
    from hpo_tui.core.errors import ConfigError

    assert config_from_mapping({}).digits == 4
    assert config_from_mapping({"display": {"digits": 6}}).digits == 6
    for bad in (0, 18, "4", True, 4.0):
        with pytest.raises(ConfigError, match=r"display\.digits"):
            config_from_mapping({"display": {"digits": bad}})
    with pytest.raises(ConfigError, match=r"display\.colour"):
        config_from_mapping({"display": {"colour": 1}})
