"""Paper-ready text tables: Markdown and LaTeX (booktabs), escaped for each format.

Cells show ``digits`` significant digits (:func:`~hpo_tui.core.formats.display_number`)
because these are for reading; CSV and JSON renderings elsewhere stay exact.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.formats import display_number, printable

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_RE = re.compile("|".join(re.escape(k) for k in _LATEX_SPECIAL))
# Characters with inline meaning inside a table cell; "_" only where it can start or end
# emphasis (not between letters or digits, so names like n_trials stay readable).
_MD_RE = re.compile(r"([\\`*\[\]<>|~])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def latex_escape(text: str) -> str:
    """Escape LaTeX's special characters (and make control characters visible)."""
    return _LATEX_RE.sub(lambda m: _LATEX_SPECIAL[m.group(0)], printable(text))


def markdown_escape(text: str) -> str:
    """Escape Markdown's inline syntax and table pipes (and control characters)."""
    return _MD_RE.sub(lambda m: "\\" + m.group(0), printable(text)).replace("\n", " ")


def cell_display(value: Any, digits: int) -> str:
    """A cell for reading: strings as they are, numbers in ``digits`` significant digits."""
    if isinstance(value, str):
        return value
    return display_number(value, digits=digits)


def markdown_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    bold: set[tuple[int, int]] | None = None,
    align: Sequence[str] | None = None,
) -> str:
    """A GitHub-flavoured Markdown table; cells given as plain text get escaped here."""
    bold = bold or set()
    align = align or ["l"] + ["r"] * (len(header) - 1)
    rule = {"l": "---", "r": "---:", "c": ":---:"}
    lines = [
        "| " + " | ".join(markdown_escape(h) for h in header) + " |",
        "|" + "|".join(rule[a] for a in align) + "|",
    ]
    for i, row in enumerate(rows):
        cells = []
        for j, text in enumerate(row):
            text = markdown_escape(text)
            cells.append(f"**{text}**" if (i, j) in bold else text)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def latex_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    bold: set[tuple[int, int]] | None = None,
    align: Sequence[str] | None = None,
) -> str:
    """A booktabs ``tabular`` (needs ``\\usepackage{booktabs}``)."""
    bold = bold or set()
    align = align or ["l"] + ["r"] * (len(header) - 1)
    lines = [
        r"\begin{tabular}{" + "".join(align) + "}",
        r"\toprule",
        " & ".join(latex_escape(h) for h in header) + r" \\",
        r"\midrule",
    ]
    for i, row in enumerate(rows):
        cells = []
        for j, text in enumerate(row):
            text = latex_escape(text)
            cells.append(rf"\textbf{{{text}}}" if (i, j) in bold else text)
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines) + "\n"


def frame_rows(frame: pd.DataFrame, digits: int) -> list[list[str]]:
    """All cells of ``frame`` as display text."""
    return [[cell_display(v, digits) for v in row] for row in frame.itertuples(index=False)]


def frame_markdown(frame: pd.DataFrame, digits: int = 4) -> str:
    """``frame`` as a Markdown table."""
    return markdown_table([str(c) for c in frame.columns], frame_rows(frame, digits))


def frame_latex(frame: pd.DataFrame, digits: int = 4) -> str:
    """``frame`` as a booktabs LaTeX table."""
    return latex_table([str(c) for c in frame.columns], frame_rows(frame, digits))


def json_number(value: float) -> float | str:
    """A float for strict JSON: NaN/+inf/-inf become "NaN"/"Infinity"/"-Infinity"."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return value


class PlainList(list[Any]):
    """A list already made of plain JSON values (finite floats, ints): :func:`strict_json`
    passes it through without looking at each item. Built where whole arrays were checked at
    once (an export's curves: millions of numbers)."""


def strict_json(data: Any) -> Any:
    """``data`` as plain JSON types, every non-finite float replaced as in :func:`json_number`.

    numpy/pandas scalars become Python ones, missing values ``null``, timestamps ISO 8601.
    """
    # Exact-type fast paths first: an export holds millions of curve floats.
    kind = type(data)
    if kind is str or kind is int or kind is bool or kind is PlainList:
        return data
    if kind is float:
        return data if data - data == 0.0 else json_number(data)  # x - x is NaN if not finite
    if kind is list:
        if all(type(v) is float for v in data):  # curve values
            if all(v - v == 0.0 for v in data):
                return data
            return [v if v - v == 0.0 else json_number(v) for v in data]
        if all(type(v) is int for v in data):  # curve steps
            return data
    if kind is dict:
        return {str(k): strict_json(v) for k, v in data.items()}
    if kind is list or kind is tuple:
        return [strict_json(v) for v in data]
    if data is None or data is pd.NA or data is pd.NaT:
        return None
    if isinstance(data, (bool, np.bool_)):
        return bool(data)
    if isinstance(data, np.integer):
        return int(data)
    if isinstance(data, (float, np.floating)):
        return json_number(float(data))
    if isinstance(data, pd.Timestamp):
        return data.isoformat()
    if isinstance(data, dict):
        return {str(k): strict_json(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [strict_json(v) for v in data]
    return data


def dumps_strict(data: Any, indent: int | None = None) -> str:
    """JSON text that any strict parser accepts (non-finite floats as strings, see
    :func:`strict_json`).

    Compact text (``indent=None``: the export's large ``hpo_full.json``, written piece by
    piece) comes from orjson, a required dependency so that export bytes never depend on
    what else is installed: floats in their shortest round-trip digits (``0.00001`` where
    Python writes ``1e-05``), no spaces after separators. What orjson refuses (integers beyond
    64 bits, strings that are not valid UTF-8) goes through ``json`` with the same
    separators.
    """
    plain = strict_json(data)
    if indent is None:
        import orjson

        try:
            return orjson.dumps(plain).decode()
        except orjson.JSONEncodeError:
            return json.dumps(plain, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return json.dumps(plain, indent=indent, ensure_ascii=False, allow_nan=False)


def params_json(params: dict[str, Any]) -> str:
    """A trial's params as one line of strict JSON, by name, every float at full precision:
    what ``y`` on the trial screen copies, ready for ``study.enqueue_trial(json.loads(...))``."""
    plain = strict_json(dict(sorted(params.items())))
    return json.dumps(plain, ensure_ascii=False, allow_nan=False)
