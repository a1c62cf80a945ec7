"""Text renderings shared by the CLI, the TUI and the exports (no Rich, no Textual).

Files never round: floats are written with Python's shortest round-trip ``repr`` so a reader
gets the bit-identical value back. Screens and paper tables show significant digits, through
:func:`display_number`; the exact value is one key (``v``) or one command (``hpo-tui trial``)
away.
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd


def exact_float(value: float) -> str:
    """Shortest text that reads back as the same float: NaN → ``""``, ±inf → ``inf``/``-inf``."""
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(float(value))


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
        iso = _utc_iso_texts(series)
        if iso is not None:
            return iso
    return [cell_text(v) for v in series.tolist()]


def _utc_iso_texts(series: pd.Series) -> list[str] | None:
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


DEFAULT_DIGITS = 4
MISSING = "—"  # a missing value, and nothing else


def display_number(value: Any, digits: int = DEFAULT_DIGITS, *, full: bool = False) -> str:
    """A number for reading, in ``digits`` significant digits (the one number formatter of
    the screens and of the text, Markdown and LaTeX tables).

    - Integers, and floats holding an integer, print as integers: ``6``, never ``6.0000``.
    - Fixed notation from 1e-4 to 1e6 (``0.002461``, ``0.0006406``, ``0.2630``), never fewer
      integer digits than the number has (``12346``); scientific outside (``1.200e-05``).
    - ``full``: Python's shortest round-trip ``repr`` (``0.002461072230110954``).
    - ``—`` for a missing value (``None``, NaN, ``pd.NA``); ``+inf``/``-inf``.
    """
    if value is None or value is pd.NA:
        return MISSING
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    try:
        number = float(value)
    except (TypeError, ValueError):
        return printable(str(value))
    if math.isnan(number):
        return MISSING
    if math.isinf(number):
        return "+inf" if number > 0 else "-inf"
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    if full:
        return repr(number)
    # The exponent of the number as rounded to ``digits`` (9.99996 → 10.00, not 9.9999).
    exponent = int(f"{number:.{digits - 1}e}".rsplit("e", 1)[1])
    if -4 <= exponent < 6:
        return f"{number:.{max(0, digits - 1 - exponent)}f}"
    return f"{number:.{digits - 1}e}"


def display_value(value: Any, digits: int = DEFAULT_DIGITS, *, full: bool = False) -> str:
    """A stored value (param, attr) for reading: numbers by :func:`display_number`, text and
    everything else literally (``None`` is a categorical choice here, shown as ``None``)."""
    if value is None:
        return "None"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        return display_number(value, digits, full=full)
    return printable(str(value))


def printable(text: str) -> str:
    """``text`` with control and bidi-formatting characters made visible as escapes.

    Untrusted names can hold ANSI/OSC sequences or right-to-left marks; shown raw they would
    drive the terminal. Printable text, including non-ASCII letters, is kept as is.
    """
    if text.isprintable() and not any(unicodedata.category(c) == "Cf" for c in text):
        return text
    out = []
    for char in text:
        if char.isprintable() and unicodedata.category(char) != "Cf":
            out.append(char)
        else:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    return "".join(out)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``count`` and the noun that agrees with it: ``"1 trial"``, ``"0 trials"``, ``"2 studies"``.

    Args:
        count: How many.
        singular: The noun (or noun phrase, e.g. ``"diverged trial"``) for one.
        plural_form: For other counts; default: ``singular`` + ``s``, or ``ies`` for a final
            consonant + ``y`` (``study`` → ``studies``).
    """
    if count == 1:
        return f"{count} {singular}"
    if plural_form is None:
        consonant_y = singular.endswith("y") and singular[-2:-1] not in ("", *"aeiou")
        plural_form = singular[:-1] + "ies" if consonant_y else singular + "s"
    return f"{count} {plural_form}"
