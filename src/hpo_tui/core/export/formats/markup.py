"""Paper-ready text tables: Markdown and LaTeX (booktabs), escaped for each format.

Cells show ``digits`` significant digits (:func:`~hpo_tui.core.display.display_number`)
because these are for reading; CSV and JSON renderings elsewhere stay exact.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from hpo_tui.core.display import display_number, printable

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
