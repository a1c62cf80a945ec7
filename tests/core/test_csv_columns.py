"""CSV written a whole column at a time gives the bytes of the cell-by-cell writer, on odd
values of every column kind the export writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hpo_tui.core.display import exact_float
from hpo_tui.core.export.formats import csv as csv_format
from hpo_tui.core.export.formats.csv import column_texts, frame_to_csv
from tests.helpers.csv_reference import csv_cell_by_cell

# Floats at the edges of every formatting rule: where ``repr`` switches to exponents
# (1e-4, 1e16), integers beyond 2**53, the smallest and largest, signed zeros, non-finite.
EDGE_FLOATS = [
    0.0,
    -0.0,
    1e-4,
    float(np.nextafter(1e-4, 0)),
    -1e-4,
    1e16,
    float(np.nextafter(1e16, 0)),
    -1e16,
    1e15,
    0.1,
    1 / 3,
    2.0**53,
    2.0**53 + 2,
    123.0,
    1e-300,
    1e300,
    5e-324,
    -5e-324,
    1.7976931348623157e308,
    float("nan"),
    float("inf"),
    float("-inf"),
]
FLOATS = st.one_of(
    st.sampled_from(EDGE_FLOATS),
    st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True),
)
TEXT = st.text(
    st.one_of(
        st.characters(blacklist_categories=("Cs",)),
        st.sampled_from([",", '"', "\n", "\r", " ", "é", "β", "📈", "\t"]),
    ),
    max_size=12,
)
UTC_TIMES = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)
ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    FLOATS,
    TEXT,
    UTC_TIMES,
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1)),
    st.datetimes(
        min_value=datetime(1970, 1, 2),
        max_value=datetime(2200, 1, 1),
        timezones=st.just(timezone(timedelta(hours=5, minutes=30))),
    ),
)
KINDS = [
    "float",
    "float32",
    "int",
    "int32",
    "uint",
    "Int64",
    "bool",
    "boolean",
    "object_text",
    "str",
    "object_mixed",
    "utc",
    "utc_ns",
    "naive",
]


def _column(kind: str, n: int, draw: st.DrawFn) -> pd.Series:
    """A column of ``kind`` with ``n`` drawn values, typed as the export's frames type it."""

    def values(strategy: st.SearchStrategy[Any]) -> list[Any]:
        return draw(st.lists(strategy, min_size=n, max_size=n))

    if kind == "float":
        return pd.Series(values(FLOATS), dtype=np.float64)
    if kind == "float32":
        with np.errstate(over="ignore"):  # beyond float32: inf, as the cast makes it
            return pd.Series(values(FLOATS), dtype=np.float64).astype(np.float32)
    if kind == "int":
        return pd.Series(values(st.integers(-(2**63), 2**63 - 1)), dtype=np.int64)
    if kind == "int32":
        return pd.Series(values(st.integers(-(2**31), 2**31 - 1)), dtype=np.int32)
    if kind == "uint":
        return pd.Series(values(st.integers(0, 2**64 - 1)), dtype=np.uint64)
    if kind == "Int64":
        return pd.Series(
            values(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1))), dtype="Int64"
        )
    if kind == "bool":
        return pd.Series(values(st.booleans()), dtype=bool)
    if kind == "boolean":
        return pd.Series(values(st.one_of(st.none(), st.booleans())), dtype="boolean")
    if kind == "object_text":
        return pd.Series(values(st.one_of(st.none(), TEXT)), dtype=object)
    if kind == "str":
        return pd.Series(values(st.one_of(st.none(), TEXT)), dtype="str")
    if kind == "object_mixed":
        return pd.Series(values(ANY_VALUE), dtype=object)
    if kind == "utc":
        return pd.Series(pd.to_datetime(values(st.one_of(st.none(), UTC_TIMES)), utc=True))
    if kind == "utc_ns":  # nanoseconds: Timestamp.isoformat prints 9 digits
        micro = pd.to_datetime(values(st.one_of(st.none(), UTC_TIMES)), utc=True)
        nanos = values(st.integers(0, 999))
        return pd.Series(micro) + pd.to_timedelta(nanos, unit="ns")
    assert kind == "naive"
    return pd.Series(pd.to_datetime(values(st.one_of(st.none(), UTC_TIMES))).tz_localize(None))


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 12))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=6))
    names = draw(st.lists(TEXT, min_size=len(kinds), max_size=len(kinds), unique=True))
    return pd.DataFrame(
        {name: _column(kind, n, draw) for name, kind in zip(names, kinds, strict=True)}
    )


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_columns_at_once_give_the_cell_by_cell_bytes(frame: pd.DataFrame) -> None:
    assert frame_to_csv(frame) == csv_cell_by_cell(frame)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(frames(), st.integers(1, 4))
def test_rows_written_in_blocks_give_the_same_bytes(frame: pd.DataFrame, block: int) -> None:
    """A large frame is written a block of rows at a time (here blocks of 1 to 4 rows)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csv_format, "CHUNK_ROWS", block)
        assert frame_to_csv(frame) == csv_cell_by_cell(frame)


@pytest.mark.parametrize("seed", [0, 1])
def test_float_columns_print_every_float_as_repr(seed: int) -> None:
    """Shortest round-trip text of floats from random bit patterns (every exponent, sign and
    subnormal) and from a uniform spread of magnitudes, beside ``repr`` of each."""
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2**64, 100_000, dtype=np.uint64, endpoint=False).view(np.float64)
    spread = np.sign(rng.random(100_000) - 0.5) * 10.0 ** rng.uniform(-6, 18, 100_000)
    values = np.concatenate([bits, spread, np.array(EDGE_FLOATS)])
    texts = column_texts(pd.Series(values))
    assert texts == [exact_float(v) for v in values.tolist()]


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"only": pd.Series(["", "a", ""], dtype=object)}),
        pd.DataFrame({"only": pd.Series([None, None], dtype=object)}),
        pd.DataFrame({"a": pd.Series([], dtype=float), "b": pd.Series([], dtype=object)}),
        pd.DataFrame(index=range(3)),
        pd.DataFrame({"a,b": [1.5], 'q"': ["x\r"], "\r": [2]}),
    ],
    ids=["one-column-empty-cells", "one-column-missing", "no-rows", "no-columns", "quoted"],
)
def test_frames_at_the_edges(frame: pd.DataFrame) -> None:
    assert frame_to_csv(frame) == csv_cell_by_cell(frame)
