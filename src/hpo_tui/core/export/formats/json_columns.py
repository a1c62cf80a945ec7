"""Strict JSON texts of whole columns at once, as Arrow binary arrays, to splice into records
with Arrow's element-wise concatenation (:func:`splice`): no Python object per record.

Numbers go through one ``orjson.dumps`` of their numpy array (orjson writes the digits it
writes for the same Python numbers), and that text is cut into one text per number or per run
of numbers (a curve's points); other values are written one by one, each as
:func:`~hpo_tui.core.export.formats.json.strict_json` and orjson write it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hpo_tui.core.export.formats.json import json_number, strict_json

BINARY = pa.large_binary()  # 64-bit offsets: one run may hold more than 2 GB of text
NULL = b"null"
_COMMA = ord(",")
_OPEN = ord("[")


def _plain_numbers(numbers: np.ndarray) -> np.ndarray:
    """``numbers`` as the numpy array orjson writes as it writes their ``tolist()``: float64
    (orjson writes a float32 in its own shortest digits, not the float64 ones), int64 or
    uint64, bool; C-contiguous."""
    kind = numbers.dtype.kind
    if kind == "f":
        return np.ascontiguousarray(numbers, dtype=np.float64)
    if kind == "i":
        return np.ascontiguousarray(numbers, dtype=np.int64)
    if kind == "u":
        return np.ascontiguousarray(numbers, dtype=np.uint64)
    if kind == "b":
        return np.ascontiguousarray(numbers, dtype=np.bool_)
    raise TypeError(f"not a numeric array: {numbers.dtype}")


# What orjson writes as null, as strict JSON writes it: NaN, +inf, -inf; NaN when null.
_NON_FINITE = pa.array([b'"NaN"', b'"Infinity"', b'"-Infinity"', NULL], type=BINARY)


def _non_finite(value: float, nan_as_null: bool) -> float | str | None:
    """A NaN or ±inf as strict JSON writes it (NaN as None when ``nan_as_null``)."""
    return None if nan_as_null and value != value else json_number(value)


def number_texts(numbers: np.ndarray, nan_as_null: bool = False) -> pa.Array:
    """The JSON text of each of ``numbers``, as orjson writes the same Python ints, floats
    and bools; NaN and ±inf as the strings of
    :func:`~hpo_tui.core.export.formats.json.json_number` (NaN as ``null`` when
    ``nan_as_null``)."""
    numbers = _plain_numbers(numbers)
    if not len(numbers):
        return pa.array([], type=BINARY)
    odd = ~np.isfinite(numbers) if numbers.dtype.kind == "f" else None
    if odd is not None and not odd.any():
        odd = None
    dumped = numbers if odd is None else np.where(odd, 0.0, numbers)  # written again below
    raw = np.frombuffer(orjson.dumps(dumped, option=orjson.OPT_SERIALIZE_NUMPY), dtype=np.uint8)
    # "[a,b,...]": no number's text holds a comma.
    commas = np.flatnonzero(raw == _COMMA)
    keep = np.ones(len(raw), dtype=bool)
    keep[0] = keep[-1] = False
    keep[commas] = False
    offsets = np.empty(len(numbers) + 1, dtype=np.int64)
    offsets[0] = 0
    offsets[1:-1] = commas - np.arange(1, len(numbers))  # less "[" and the commas before
    offsets[-1] = len(raw) - 1 - len(numbers)
    texts = texts_array(offsets, raw[keep])
    if odd is None:
        return texts
    token = np.where(numbers > 0, 1, 2)
    token[np.isnan(numbers)] = 3 if nan_as_null else 0
    return pc.if_else(pa.array(odd), _NON_FINITE.take(pa.array(token)), texts)


def number_arrays(
    numbers: np.ndarray, ends: np.ndarray, after: bytes, nan_as_null: bool = False
) -> pa.Array:
    """The JSON array of each run of ``numbers``, followed by the one byte ``after``.

    Run ``i`` is ``numbers[ends[i - 1]:ends[i]]`` (the first starts at 0, the last ends at
    ``len(numbers)``). Numbers are written as :func:`number_texts` writes them; the runs
    that count 0, 1, … (a curve's usual steps) are written once per length.
    """
    if len(after) != 1:
        raise ValueError("after: one byte")
    numbers = _plain_numbers(numbers)
    ends = np.asarray(ends, dtype=np.int64)
    if not len(ends):
        return pa.array([], type=BINARY)
    starts = np.r_[0, ends[:-1]]
    counting = _counting_runs(numbers, starts, ends)
    if counting is not None:
        return splice(counting, after)
    runs: list[Any] = [numbers[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    if numbers.dtype.kind == "f":  # orjson writes NaN and ±inf as null: those runs as lists
        odd = np.flatnonzero(~np.isfinite(numbers))
        current, values, first = -1, [], 0
        odd_runs = np.searchsorted(ends, odd, side="right")
        for row, run in zip(odd.tolist(), odd_runs.tolist(), strict=True):
            if run != current:
                current, first = run, int(starts[run])
                values = runs[run] = runs[run].tolist()
            values[row - first] = _non_finite(values[row - first], nan_as_null)
    raw = np.frombuffer(orjson.dumps(runs, option=orjson.OPT_SERIALIZE_NUMPY), dtype=np.uint8)
    # "[[..],[..],...]": each run opens with the only "[" in it; the "," after each run and
    # the last "]" become ``after``, so the runs are one after the other in one buffer.
    opens = np.flatnonzero(raw == _OPEN)[1:] - 1
    data = np.array(raw[1:])
    data[opens[1:] - 1] = after[0]
    data[-1] = after[0]
    return texts_array(np.r_[opens, len(data)], data)


def _counting_runs(numbers: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> pa.Array | None:
    """The JSON arrays of the runs when each run counts 0, 1, … (a curve's usual steps):
    each length's text written once. None when a run does not."""
    if numbers.dtype.kind not in "iu":
        return None
    lengths = ends - starts
    if not len(numbers) or np.any(lengths == 0):
        return None
    if not (np.all(numbers[starts] == 0) and np.all(numbers[ends - 1] == lengths - 1)):
        return None
    # Within runs, every step is the previous one plus 1 (between runs anything goes).
    jumps = np.flatnonzero(np.diff(numbers) != 1)
    if not np.isin(jumps, ends[:-1] - 1).all():
        return None
    distinct, which = np.unique(lengths, return_inverse=True)
    texts = [orjson.dumps(np.arange(n), option=orjson.OPT_SERIALIZE_NUMPY) for n in distinct]
    return pa.array(texts, type=BINARY).take(pa.array(which))


def texts_array(offsets: np.ndarray, data: np.ndarray | bytes) -> pa.Array:
    """The :data:`BINARY` array of the texts ``data[offsets[i]:offsets[i + 1]]`` (int64
    offsets), without a copy."""
    return pa.Array.from_buffers(
        BINARY, len(offsets) - 1, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def value_texts(values: Sequence[Any]) -> tuple[pa.Array, np.ndarray]:
    """The JSON text of each value (:func:`strict_json`, then orjson), and where orjson
    refused one (an int beyond 64 bits, a string that is not valid UTF-8: ``null`` there,
    for the caller to write that value's record another way)."""
    texts: list[bytes] = []
    refused = np.zeros(len(values), dtype=bool)
    # Texts by (type, value), for the values a column repeats: strings, ints, None, NaN;
    # not other floats (0.0 == -0.0, their texts differ).
    known: dict[tuple[type, Any], bytes] = {}
    for row, value in enumerate(values):
        kind = type(value)
        key: tuple[type, Any] | None = None
        if kind is str or kind is int or kind is bool or value is None:
            key = (kind, value)
        elif kind is float and value != value:
            key = (kind, "NaN")
        if key is not None and key in known:
            texts.append(known[key])
            continue
        try:
            text = orjson.dumps(strict_json(value))
        except orjson.JSONEncodeError:
            refused[row] = True
            text = NULL
        else:
            if key is not None:
                known[key] = text
        texts.append(text)
    return pa.array(texts, type=BINARY), refused


def _object_texts(values: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """:func:`value_texts` of an object array, each distinct string written once, each None
    as ``null`` without a look."""
    missing = pd.isna(values)
    present = values[~missing]
    if pd.api.types.infer_dtype(present, skipna=False) != "string":
        return value_texts(values.tolist())
    codes, uniques = pd.factorize(present)
    absent = np.flatnonzero(missing)
    is_none = np.array([v is None for v in values[absent].tolist()], dtype=bool)
    others = absent[~is_none]  # NaN, NA, NaT: each as strict_json writes it
    texts, refused = value_texts([*uniques.tolist(), None, *values[others].tolist()])
    which = np.empty(len(values), dtype=np.int64)
    which[~missing] = codes
    which[absent[is_none]] = len(uniques)
    which[others] = len(uniques) + 1 + np.arange(len(others))
    return texts.take(pa.array(which)), refused[which]


def _utc_texts(nanos: np.ndarray) -> pa.Array | None:
    """The JSON text of each UTC datetime (``datetime64[ns]`` values), as
    ``Timestamp.isoformat()`` (``2026-11-25T18:37:26.428788+00:00``, no fraction when the
    microseconds are 0) in quotes; ``null`` for NaT. None when a value has nanoseconds
    (isoformat would write 9 digits)."""
    missing = np.isnat(nanos)
    if bool((nanos.view(np.int64)[~missing] % 1000 != 0).any()):
        return None
    micros = nanos.astype("datetime64[us]")
    texts = pa.array(np.datetime_as_string(micros, unit="us"))  # no quote, no backslash
    whole = pa.array(micros.view(np.int64) % 1_000_000 == 0)
    texts = pc.if_else(whole, pc.utf8_slice_codeunits(texts, 0, 19), texts).cast(BINARY)
    return null_where(missing, splice(b'"', texts, b'+00:00"'))


class ColumnTexts:
    """The JSON text of each value of columns (of one length), for any of their rows: as
    :func:`value_texts` writes ``tolist()`` of each column, NaN and every other missing value
    as ``null`` in the columns named in ``nan_as_null`` (elsewhere as :func:`strict_json`
    writes them: NaN as ``"NaN"``, ``None``/``NA``/``NaT`` as ``null``).

    The columns become numpy arrays once; the numeric ones (numpy floats, ints and bools,
    pandas' nullable ``Int64`` and ``boolean``) of one kind are written together for the rows
    asked for, by one :func:`number_texts`; UTC datetimes by numpy; others value by value.
    """

    def __init__(self, columns: Mapping[str, pd.Series], nan_as_null: Collection[str] = ()) -> None:
        self.names = list(columns)
        # name: (numbers, missing or None, NaN as null)
        self._numbers: dict[str, tuple[np.ndarray, np.ndarray | None, bool]] = {}
        self._times: dict[str, tuple[np.ndarray, pd.Series]] = {}
        self._values: dict[str, np.ndarray] = {}
        for name, series in columns.items():
            dtype = series.dtype
            if isinstance(dtype, np.dtype) and dtype.kind in "fiub":
                numbers = _plain_numbers(series.to_numpy())
                self._numbers[name] = (numbers, None, dtype.kind == "f" and name in nan_as_null)
            elif isinstance(dtype, (pd.Int64Dtype, pd.BooleanDtype)):
                numbers = series.to_numpy(dtype=dtype.numpy_dtype, na_value=0)
                self._numbers[name] = (numbers, series.isna().to_numpy(dtype=bool), False)
            elif isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC":
                self._times[name] = (series.to_numpy(dtype="datetime64[ns]"), series)
            else:
                values = series.to_numpy(dtype=object)
                if name in nan_as_null:
                    values = values.copy()
                    values[series.isna().to_numpy(dtype=bool)] = None
                self._values[name] = values

    def texts(self, rows: np.ndarray) -> tuple[dict[str, pa.Array], np.ndarray]:
        """The texts of the rows at positions ``rows``, by column, and where orjson refused
        a value of a row (``null`` there)."""
        n = len(rows)
        refused = np.zeros(n, dtype=bool)
        out: dict[str, pa.Array] = {}
        groups: dict[tuple[str, bool], list[str]] = {}
        for name, (numbers, _, nulls) in self._numbers.items():
            groups.setdefault((numbers.dtype.str, nulls), []).append(name)
        for (_, nulls), names in groups.items():
            numbers = np.concatenate([self._numbers[name][0][rows] for name in names])
            texts = number_texts(numbers, nan_as_null=nulls)
            for index, name in enumerate(names):
                column, missing = texts.slice(index * n, n), self._numbers[name][1]
                out[name] = column if missing is None else null_where(missing[rows], column)
        for name, (nanos, series) in self._times.items():
            times = _utc_texts(nanos[rows])
            if times is None:  # nanoseconds: Timestamp.isoformat, value by value
                times, refused_here = value_texts(series.iloc[rows].tolist())
                refused |= refused_here
            out[name] = times
        for name, values in self._values.items():
            out[name], refused_here = _object_texts(values[rows])
            refused |= refused_here
        return {name: out[name] for name in self.names}, refused


def null_where(mask: np.ndarray, texts: pa.Array) -> pa.Array:
    """``texts`` with ``null`` where ``mask`` is true."""
    return pc.if_else(pa.array(mask), pa.scalar(NULL, BINARY), texts)


def splice(*parts: bytes | pa.Array) -> pa.Array:
    """Element-wise concatenation of texts: arrays of one length, and literal bytes repeated
    on every row (at least one part an array)."""
    pieces: list[Any] = []
    for part in parts:
        if isinstance(part, bytes) and pieces and isinstance(pieces[-1], bytes):
            pieces[-1] += part
        else:
            pieces.append(part)
    scalars = [pa.scalar(p, BINARY) if isinstance(p, bytes) else p for p in pieces]
    return pc.binary_join_element_wise(*scalars, pa.scalar(b"", BINARY))


def concat_runs(texts: pa.Array, counts: np.ndarray) -> pa.Array:
    """One text per run of ``texts`` (run ``i`` holds ``counts[i]`` texts, maybe none: then
    the empty text), its texts one after the other: the same bytes, without a copy."""
    data, offsets = _buffers(texts)
    bounds = np.ascontiguousarray(offsets[np.r_[0, np.cumsum(counts, dtype=np.int64)]])
    return pa.Array.from_buffers(BINARY, len(counts), [None, pa.py_buffer(bounds), data])


def text_buffers(texts: pa.Array) -> tuple[memoryview, np.ndarray]:
    """The bytes of a :data:`BINARY` array without nulls and the offsets of its texts in them
    (text ``i`` is ``data[offsets[i]:offsets[i + 1]]``)."""
    data, offsets = _buffers(texts)
    return memoryview(data if data is not None else b""), offsets


def _buffers(texts: pa.Array) -> tuple[pa.Buffer | None, np.ndarray]:
    if texts.null_count:
        raise ValueError("a JSON text is missing")  # would be written as nothing
    _, offsets, data = texts.buffers()
    start = texts.offset
    return data, np.frombuffer(offsets, dtype=np.int64)[start : start + len(texts) + 1]


def replace_texts(
    texts: pa.Array, mask: np.ndarray, replacements: list[bytes] | pa.Array
) -> pa.Array:
    """``texts`` with those where ``mask`` is true replaced by ``replacements``, in order."""
    if not isinstance(replacements, pa.Array):
        replacements = pa.array(replacements, type=BINARY)
    return pc.replace_with_mask(texts, pa.array(mask), replacements)
