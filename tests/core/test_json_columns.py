"""Whole-column JSON texts (hpo_full.json's writer): each text is what ``strict_json`` then
orjson write for that one value, whatever the value (NaN, ±inf, -0.0, subnormals, ints
beyond 64 bits, unicode and escapes, missing values of every kind)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hpo_tui.core.export.formats.json import strict_json
from hpo_tui.core.export.formats.json_columns import (
    ColumnTexts,
    concat_runs,
    number_arrays,
    number_texts,
    splice,
    value_texts,
)
from hpo_tui.core.export.full_json_records import _dict_texts

FLOATS = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True)
# More often than FLOATS draws them.
ODD_FLOATS = st.sampled_from(
    [
        0.0,
        -0.0,
        1e-300,
        5e-324,
        -5e-324,
        1.7976931348623157e308,
        1e16,
        1e-7,
        0.1,
        2.0**63,
        math.nan,
        math.inf,
        -math.inf,
    ]
)
# Every code point but lone surrogates (orjson refuses them: those records go through json).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _texts(array: pa.Array) -> list[bytes]:
    return array.to_pylist()


def _reference(value: Any, nan_as_null: bool = False) -> bytes:
    """One value as the dict-based records write it."""
    if nan_as_null and isinstance(value, float) and math.isnan(value):
        value = None
    return orjson.dumps(strict_json(value))


@SETTINGS
@given(st.lists(st.one_of(FLOATS, ODD_FLOATS), max_size=60), st.booleans())
def test_number_texts_are_each_floats_strict_text(values: list[float], nan_as_null: bool) -> None:
    got = _texts(number_texts(np.array(values, dtype=float), nan_as_null=nan_as_null))
    assert got == [_reference(v, nan_as_null) for v in values]
    assert b"NaN" not in b"".join(got) or not nan_as_null


@SETTINGS
@given(
    st.one_of(
        st.lists(st.integers(-(2**63), 2**63 - 1), max_size=40).map(
            lambda v: np.array(v, dtype=np.int64)
        ),
        st.lists(st.integers(0, 2**64 - 1), max_size=40).map(
            lambda v: np.array(v, dtype=np.uint64)
        ),
        st.lists(st.integers(-(2**31), 2**31 - 1), max_size=40).map(
            lambda v: np.array(v, dtype=np.int32)
        ),
        st.lists(st.booleans(), max_size=40).map(lambda v: np.array(v, dtype=bool)),
        st.lists(st.floats(width=32), max_size=40).map(lambda v: np.array(v, dtype=np.float32)),
    )
)
def test_number_texts_of_any_numeric_dtype_are_those_of_its_python_numbers(
    numbers: np.ndarray,
) -> None:
    """A float32 is written with the digits of its float64 value (what ``tolist`` gives),
    not orjson's own float32 digits."""
    assert _texts(number_texts(numbers)) == [_reference(v) for v in numbers.tolist()]


@st.composite
def runs(draw: st.DrawFn) -> tuple[list[float], list[int]]:
    lengths = draw(st.lists(st.integers(1, 6), min_size=1, max_size=12))
    values = draw(
        st.lists(st.one_of(FLOATS, ODD_FLOATS), min_size=sum(lengths), max_size=sum(lengths))
    )
    return values, np.cumsum(lengths).tolist()


@SETTINGS
@given(runs(), st.sampled_from([b",", b"}", b"]"]), st.booleans())
def test_number_arrays_are_each_runs_strict_array_then_the_byte_after(
    drawn: tuple[list[float], list[int]], after: bytes, nan_as_null: bool
) -> None:
    values, ends = drawn
    got = _texts(number_arrays(np.array(values), np.array(ends), after, nan_as_null))
    starts = [0, *ends[:-1]]
    want = [
        b"[" + b",".join(_reference(v, nan_as_null) for v in values[a:b]) + b"]" + after
        for a, b in zip(starts, ends, strict=True)
    ]
    assert got == want


@st.composite
def step_runs(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    """Runs of steps, most counting 0, 1, … as curves' steps do, some not."""
    steps: list[int] = []
    ends: list[int] = []
    for _ in range(draw(st.integers(1, 8))):
        length = draw(st.integers(1, 5))
        if draw(st.integers(0, 4)):
            steps += list(range(length))
        else:
            steps += draw(st.lists(st.integers(-3, 2**40), min_size=length, max_size=length))
        ends.append(len(steps))
    return steps, ends


@SETTINGS
@given(step_runs())
def test_number_arrays_of_steps(drawn: tuple[list[int], list[int]]) -> None:
    steps, ends = drawn
    got = _texts(number_arrays(np.array(steps, dtype=np.int64), np.array(ends), b","))
    starts = [0, *ends[:-1]]
    want = [orjson.dumps(steps[a:b]) + b"," for a, b in zip(starts, ends, strict=True)]
    assert got == want


def test_number_arrays_of_integer_steps() -> None:
    steps = np.array([0, 1, 2, 10, -3, 2**62], dtype=np.int64)
    got = _texts(number_arrays(steps, np.array([3, 4, 6]), b","))
    assert got == [b"[0,1,2],", b"[10],", b"[-3,4611686018427387904],"]
    assert _texts(number_arrays(steps[:0], np.array([], dtype=np.int64), b",")) == []


JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**80), 2**80),  # beyond 64 bits: orjson refuses, the caller writes it
    FLOATS,
    ODD_FLOATS,
    TEXT,
    st.sampled_from(["null", "{", "a{b}", 'q"uote', "back\\slash", "\n\t\x00", "😀", "ß"]),
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


def _refused_or(value: Any) -> bytes | None:
    try:
        return orjson.dumps(strict_json(value))
    except orjson.JSONEncodeError:
        return None


@SETTINGS
@given(st.lists(JSON_VALUES, max_size=20))
def test_value_texts(values: list[Any]) -> None:
    texts, refused = value_texts(values)
    want = [_refused_or(v) for v in values]
    assert refused.tolist() == [w is None for w in want]
    assert [t for t, w in zip(_texts(texts), want, strict=True) if w is not None] == [
        w for w in want if w is not None
    ]


@SETTINGS
@given(st.lists(st.dictionaries(TEXT, JSON_VALUES, max_size=6), max_size=12))
def test_dict_texts_sort_only_the_top_level_keys(dicts: list[dict[str, Any]]) -> None:
    """orjson's own key sorting would sort nested dicts too: those take the strict path,
    as do NaN, ±inf and None (orjson writes them all as null)."""
    refused = np.zeros(len(dicts), dtype=bool)
    got = _texts(_dict_texts(dicts, refused))
    want = [_refused_or(dict(sorted(d.items()))) for d in dicts]
    assert refused.tolist() == [w is None for w in want]
    for text, expected in zip(got, want, strict=True):
        if expected is not None:
            assert text == expected


def test_dict_texts_examples() -> None:
    dicts = [
        {"b": {"z": 1, "a": [math.nan]}, "a": None, "é": "null", "e": "{"},
        {"x": np.float64(0.5), "w": np.int64(3)},  # numpy numbers: orjson refuses them alone
        {"seed": 2**70},
        {},
        {"losses": [1.0, math.inf, -0.0]},
    ]
    refused = np.zeros(len(dicts), dtype=bool)
    got = _texts(_dict_texts(dicts, refused))
    assert refused.tolist() == [False, False, True, False, False]
    assert got[0] == b'{"a":null,"b":{"z":1,"a":["NaN"]},"e":"{","\xc3\xa9":"null"}'
    assert got[1] == b'{"w":3,"x":0.5}'
    assert got[3] == b"{}"
    assert got[4] == b'{"losses":[1.0,"Infinity",-0.0]}'


def _frame() -> pd.DataFrame:
    nat = pd.NaT
    times = pd.Series(
        [
            datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            nat,
            datetime(2026, 1, 2, 3, 4, 5, 120, tzinfo=UTC),
            datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
            datetime(2026, 1, 2, tzinfo=UTC),
            datetime(2000, 2, 29, 12, tzinfo=UTC),
        ],
        dtype="datetime64[ns, UTC]",
    )
    nanos = times.copy()
    nanos.iloc[0] = pd.Timestamp("2026-01-02T03:04:05.000000001", tz="UTC")
    return pd.DataFrame(
        {
            "f": [0.5, math.nan, math.inf, -math.inf, -0.0, 1e-300],
            "violation": [math.nan, 0.0, math.inf, -1.5, math.nan, 5e-324],
            "i": np.array([0, -1, 2**62, 7, 8, 9], dtype=np.int64),
            "b": [True, False, True, True, False, False],
            "n": pd.array([1, None, 3, None, 5, 2**40], dtype="Int64"),
            "ok": pd.array([True, None, False, None, True, False], dtype="boolean"),
            "s": pd.Series(["COMPLETE", None, 'ünï"\\\n', math.nan, "COMPLETE", "😀"]),
            "mixed": pd.Series([1, True, 1.0, -0.0, 0.0, 2**70], dtype=object),
            "missing_kinds": pd.Series(["x", pd.NA, None, math.nan, nat, "x"], dtype=object),
            "t": times,
            "t_ns": nanos,
            "str_dtype": pd.Series(["a", None, "b", "a", None, "c"], dtype="str"),
        }
    )


@pytest.mark.parametrize(
    "rows", [[0, 1, 2, 3, 4, 5], [5, 3, 1], [2, 2, 0], []], ids=["all", "some", "repeat", "none"]
)
def test_column_texts_are_each_values_strict_text(rows: list[int]) -> None:
    frame = _frame()
    columns = ColumnTexts(dict(frame.items()), nan_as_null={"violation", "s"})
    texts, refused = columns.texts(np.array(rows, dtype=np.int64))
    assert list(texts) == list(frame.columns)
    want_refused = np.zeros(len(rows), dtype=bool)
    for name in frame.columns:
        series = frame[name].iloc[rows]
        values = series.tolist()
        if name in ("violation", "s"):
            values = [None if m else v for v, m in zip(values, series.isna(), strict=True)]
        want = [_refused_or(v) for v in values]
        want_refused |= np.array([w is None for w in want], dtype=bool)
        got = _texts(texts[name])
        assert [g for g, w in zip(got, want, strict=True) if w is not None] == [
            w for w in want if w is not None
        ], name
    assert refused.tolist() == want_refused.tolist()
    if 0 in rows:
        t_ns = _texts(texts["t_ns"])[rows.index(0)]
        assert t_ns == b'"2026-01-02T03:04:05.000000001+00:00"'


def test_splice_and_concat_runs() -> None:
    a = pa.array([b"1", b"22", b"333"], type=pa.large_binary())
    joined = splice(b"[", b"", a, b",", a, b"]")
    assert _texts(joined) == [b"[1,1]", b"[22,22]", b"[333,333]"]
    assert _texts(concat_runs(joined, np.array([2, 0, 1]))) == [b"[1,1][22,22]", b"", b"[333,333]"]
    assert _texts(concat_runs(joined.slice(1), np.array([1, 1]))) == [b"[22,22]", b"[333,333]"]
