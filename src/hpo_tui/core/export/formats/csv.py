"""CSV text of frames: exact floats (shortest round-trip ``repr``), ISO 8601 UTC datetimes,
empty cells for missing values, whole columns formatted at once."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any, TextIO

import numpy as np
import pandas as pd

from hpo_tui.core.display import exact_float

# Rows formatted and written together: their cells' texts are all held at once.
CHUNK_ROWS = 10_000
# What makes the csv module quote a field (QUOTE_MINIMAL, "\n" line ends): the delimiter, the
# quote and the line end. A "\r" sends its whole row to the csv module (see write_csv).
_NEEDS_QUOTES = re.compile('[,"\n]')


def cell_text(value: Any) -> str:
    """One CSV cell: exact floats, ISO 8601 UTC datetimes, empty for missing values."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "True" if value else "False"
    if isinstance(value, (float, np.floating)):
        return exact_float(float(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, datetime):
        return pd.Timestamp(value).isoformat()
    return str(value)


def column_texts(series: pd.Series) -> list[str]:
    """:func:`cell_text` of every value of a column, whole columns at once where the dtype
    allows (numbers and booleans in C, UTC datetimes by numpy), value by value otherwise."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return float_texts(series.to_numpy(dtype=np.float64))
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return _integer_texts(series.to_numpy())
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return ["True" if v else "False" for v in series.tolist()]
    if isinstance(dtype, (pd.Int64Dtype, pd.BooleanDtype)):
        missing = series.isna().to_numpy(dtype=bool)
        if isinstance(dtype, pd.Int64Dtype):
            texts = _integer_texts(series.fillna(0).to_numpy(dtype=np.int64))
        else:
            texts = np.where(series.fillna(False).to_numpy(dtype=bool), "True", "False").tolist()
        for row in np.flatnonzero(missing).tolist():
            texts[row] = ""
        return texts
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        # Every value a str, or missing (None, NaN, pd.NA: an empty cell).
        texts = series.tolist()
        for row in np.flatnonzero(series.isna().to_numpy(dtype=bool)).tolist():
            texts[row] = ""
        return texts
    if isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC":
        iso = utc_iso_texts(series)
        if iso is not None:
            return iso
    return [cell_text(v) for v in series.tolist()]


def float_texts(values: np.ndarray) -> list[str]:
    """:func:`~hpo_tui.core.display.exact_float` of every float64 of ``values``.

    ``repr`` makes one Python call per float; orjson writes the same shortest round-trip
    digits for a whole array in C, laid out as ``repr`` lays them out wherever ``repr`` uses
    no exponent (magnitudes from 1e-4 to below 1e16, and zeros). Those are taken from orjson,
    every other value from ``repr`` (exponents such as ``1e-05``) or as ``exact_float`` writes
    NaN and ±inf.
    """
    values = np.ascontiguousarray(values, dtype=np.float64)
    if not len(values):
        return []
    finite = np.isfinite(values)
    if not _orjson_writes_repr():
        texts = np.array(list(map(repr, values.tolist())), dtype=object)
    else:
        import orjson

        written = orjson.dumps(values, option=orjson.OPT_SERIALIZE_NUMPY)[1:-1].decode()
        texts = np.array(written.split(","), dtype=object)
        magnitude = np.abs(values)
        exponent = finite & ~(((magnitude >= 1e-4) & (magnitude < 1e16)) | (values == 0.0))
        for row in np.flatnonzero(exponent).tolist():
            texts[row] = repr(float(values[row]))
    texts[np.isnan(values)] = exact_float(math.nan)
    texts[np.isposinf(values)] = exact_float(math.inf)
    texts[np.isneginf(values)] = exact_float(-math.inf)
    return texts.tolist()


# Floats ``repr`` writes without an exponent: near where it switches to one, zeros, integers.
_REPR_PROBES: tuple[float, ...] = (
    0.0,
    -0.0,
    1e-4,
    0.00012345678901234567,
    5.0e-4,
    0.1,
    -0.5,
    1 / 3,
    123.0,
    12345.678,
    2.0**53 + 2,
    1e15,
    9999999999999998.0,
)


@cache
def _orjson_writes_repr() -> bool:
    """Whether this orjson writes floats without exponents exactly as ``repr`` does (checked
    once on values where a layout rule could differ, so the CSV bytes never depend on the
    orjson version: ``repr`` is used for every float otherwise)."""
    import orjson

    probes = np.array(_REPR_PROBES, dtype=np.float64)
    written = orjson.dumps(probes, option=orjson.OPT_SERIALIZE_NUMPY)[1:-1].decode().split(",")
    return written == [repr(v) for v in _REPR_PROBES]


def _integer_texts(values: np.ndarray) -> list[str]:
    """``str`` of every integer of a numpy integer array (orjson writes them in C)."""
    if not len(values):
        return []
    import orjson

    contiguous = np.ascontiguousarray(values)
    return orjson.dumps(contiguous, option=orjson.OPT_SERIALIZE_NUMPY)[1:-1].decode().split(",")


def utc_iso_texts(series: pd.Series) -> list[str] | None:
    """``Timestamp.isoformat()`` of a UTC column, by numpy (``2026-11-25T18:37:26.428788+00:00``;
    no fraction when the microseconds are 0; ``""`` for NaT). None when a value has
    nanoseconds (isoformat would print 9 digits): the caller goes cell by cell then."""
    nanos = series.to_numpy(dtype="datetime64[ns]")
    missing = np.isnat(nanos)
    if bool((nanos[~missing].astype(np.int64) % 1000 != 0).any()):
        return None
    texts = np.datetime_as_string(nanos.astype("datetime64[us]"), unit="us").tolist()
    out = [(text[:-7] if text.endswith(".000000") else text) + "+00:00" for text in texts]
    for row in np.flatnonzero(missing).tolist():
        out[row] = ""
    return out


def _numeric(series: pd.Series) -> bool:
    dtype = series.dtype
    return (isinstance(dtype, np.dtype) and dtype.kind in "fiub") or isinstance(
        dtype, (pd.Int64Dtype, pd.BooleanDtype, pd.DatetimeTZDtype)
    )


def frame_to_csv(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> str:
    """CSV text of ``frame`` with :func:`cell_text` cells (RFC 4180 quoting, ``\\n`` lines):
    what :func:`write_csv` writes."""
    out = io.StringIO()
    write_csv(out, frame, columns)
    return out.getvalue()


def write_csv(out: TextIO, frame: pd.DataFrame, columns: Sequence[str] | None = None) -> None:
    """Write ``frame`` as CSV to ``out``: :func:`cell_text` cells, quoted as the csv module
    quotes them (QUOTE_MINIMAL), ``\\n`` line ends.

    Cells are formatted a column at a time and rows joined in blocks of :data:`CHUNK_ROWS`,
    so a large frame's text is never held whole. Only text columns can need quotes (numbers
    and datetimes never hold a comma, a quote or a line break).
    """
    columns = list(columns) if columns is not None else list(frame.columns)
    plain = csv.writer(out, lineterminator="\n")
    # The csv module leaves a lone "\r" unquoted when lines end in "\n", and every reader
    # takes it for a line break: such rows are written with every field quoted.
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    (quoted if any("\r" in str(c) for c in columns) else plain).writerow(columns)
    whole = [frame[c] for c in columns]
    textual = [i for i, series in enumerate(whole) if not _numeric(series)]
    for start in range(0, len(frame), CHUNK_ROWS):
        stop = start + CHUNK_ROWS
        parts = whole if len(frame) <= CHUNK_ROWS else [s.iloc[start:stop] for s in whole]
        texts = [column_texts(part) for part in parts]
        joined = {i: "".join(texts[i]) for i in textual}  # one search per column, in C
        if len(columns) < 2 or any("\r" in text for text in joined.values()):
            # One field alone is quoted when empty ("" is not a blank line); "\r" as above.
            for cells in zip(*texts, strict=True):
                (quoted if any("\r" in cell for cell in cells) else plain).writerow(cells)
            continue
        for i in textual:
            if _NEEDS_QUOTES.search(joined[i]):
                texts[i] = [_quoted(text) for text in texts[i]]
        out.write("\n".join(map(",".join, zip(*texts, strict=True))) + "\n")


def _quoted(text: str) -> str:
    """``text`` as the csv module writes a field (quoted only when it must be)."""
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text
