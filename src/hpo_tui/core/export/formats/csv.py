"""CSV text of frames: exact floats (shortest round-trip ``repr``), ISO 8601 UTC datetimes,
empty cells for missing values, whole columns formatted at once."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.display import exact_float


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
    """:func:`cell_text` of every value of a column, whole numpy columns at once where the
    dtype allows (floats, ints, bools: ``repr``/``str`` mapped in C), cell by cell otherwise."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = series.to_numpy(dtype=float)
        texts = list(map(repr, values.tolist()))
        for row in np.flatnonzero(~np.isfinite(values)).tolist():
            texts[row] = exact_float(float(values[row]))
        return texts
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return list(map(str, series.tolist()))
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return ["True" if v else "False" for v in series.tolist()]
    if isinstance(dtype, pd.Int64Dtype):
        missing = series.isna().to_numpy(dtype=bool)
        texts = list(map(str, series.fillna(0).to_numpy(dtype=np.int64).tolist()))
        for row in np.flatnonzero(missing).tolist():
            texts[row] = ""
        return texts
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        return [v if type(v) is str else cell_text(v) for v in series.tolist()]
    if isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC":
        iso = utc_iso_texts(series)
        if iso is not None:
            return iso
    return [cell_text(v) for v in series.tolist()]


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
        dtype, (pd.Int64Dtype, pd.DatetimeTZDtype)
    )


def frame_to_csv(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> str:
    """CSV text of ``frame`` with :func:`cell_text` cells (RFC 4180 quoting, ``\\n`` lines),
    formatted a column at a time."""
    columns = list(columns) if columns is not None else list(frame.columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # The csv module leaves a lone "\r" unquoted when lines end in "\n", and every reader
    # takes it for a line break: such rows are written with every field quoted.
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    (quoted if any("\r" in str(c) for c in columns) else writer).writerow(columns)
    texts = [column_texts(frame[c]) for c in columns]
    # Numbers and datetimes never hold a "\r": only text columns are searched.
    textual = [t for c, t in zip(columns, texts, strict=True) if not _numeric(frame[c])]
    if not any("\r" in text for column in textual for text in column):
        writer.writerows(zip(*texts, strict=True))
        return out.getvalue()
    for cells in zip(*texts, strict=True):
        (quoted if any("\r" in c for c in cells) else writer).writerow(cells)
    return out.getvalue()
