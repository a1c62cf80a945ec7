"""Values for people: significant digits, literal text, plurals (no Rich, no Textual).

Files never round: floats are written with Python's shortest round-trip ``repr`` so a reader
gets the bit-identical value back. Screens and paper tables show significant digits, through
:func:`display_number`; the exact value is one key (``v``) or one command (``hpo-tui trial``)
away.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.config import DEFAULT_DIGITS


def exact_float(value: float) -> str:
    """Shortest text that reads back as the same float: NaN → ``""``, ±inf → ``inf``/``-inf``."""
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(float(value))


MISSING = "—"  # a missing value, and nothing else


def display_number(value: Any, digits: int = DEFAULT_DIGITS, *, full: bool = False) -> str:
    """A number for reading, in ``digits`` significant digits (the one number formatter of
    the screens and of the text, Markdown and LaTeX tables).

    - Integers, and floats holding an integer, print as integers: ``6``, never ``6.0000``.
    - Fixed notation from 1e-4 to 1e6 (``0.002461``, ``0.0006406``, ``0.2630``), never fewer
      integer digits than the number has (``12346``); scientific outside (``1.200e-05``).
    - ``full``: Python's shortest round-trip ``repr`` (``0.002461072230110954``).
    - ``—`` for a missing value (``None``, NaN, ``pd.NA``, ``NaT``); ``+inf``/``-inf``.
    """
    if value is None or value is pd.NA or value is pd.NaT:
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
