"""Text renderings shared by the CLI, the TUI and the exports (no Rich, no Textual).

Files never round: floats are written with Python's shortest round-trip ``repr`` so a reader
gets the bit-identical value back. Screens may round, through :func:`display_number`.
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


def frame_to_csv(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> str:
    """CSV text of ``frame`` with :func:`cell_text` cells (RFC 4180 quoting, ``\\n`` lines)."""
    columns = list(columns) if columns is not None else list(frame.columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # The csv module leaves a lone "\r" unquoted when lines end in "\n", and every reader
    # takes it for a line break: such rows are written with every field quoted.
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    (quoted if any("\r" in str(c) for c in columns) else writer).writerow(columns)
    data = [frame[c].tolist() for c in columns]
    for row in zip(*data, strict=True):
        cells = [cell_text(v) for v in row]
        (quoted if any("\r" in c for c in cells) else writer).writerow(cells)
    return out.getvalue()


def display_number(value: Any, digits: int = 4) -> str:
    """A number for a screen: 4 decimals in the usual range, scientific outside it.

    ``1.2e-05`` is shown as ``1.200e-05``, never as ``0.0000``.
    """
    if value is None or value is pd.NA:
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    try:
        number = float(value)
    except (TypeError, ValueError):
        return printable(str(value))
    if math.isnan(number):
        return "—"
    if math.isinf(number):
        return "+inf" if number > 0 else "-inf"
    if number == 0:
        return "0"
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    if 10 ** -(digits - 1) <= abs(number) < 10**6:
        return f"{number:.{digits}f}"
    return f"{number:.{digits - 1}e}"


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
