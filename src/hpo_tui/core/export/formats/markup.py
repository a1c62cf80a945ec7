"""Paper-ready text tables: Markdown and LaTeX (booktabs), escaped for each format.

Cells show ``digits`` significant digits (:func:`~hpo_tui.core.display.display_number`)
because these are for reading; CSV and JSON renderings elsewhere stay exact.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from hpo_tui.core.display import display_number, printable

TextRows = Sequence[Sequence[str]]  # a table's body: rows of cell texts
Cells = set[tuple[int, int]]  # (row, column) positions in the body
Aligns = Sequence[str]  # per column: "l", "r" or "c"

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
    header: Sequence[str], rows: TextRows, bold: Cells | None = None, align: Aligns | None = None
) -> str:
    """A GitHub-flavoured Markdown table; cells given as plain text get escaped here."""
    rule = {"l": "---", "r": "---:", "c": ":---:"}
    lines = [
        "| " + " | ".join(markdown_escape(h) for h in header) + " |",
        "|" + "|".join(rule[a] for a in align or _default_align(header)) + "|",
    ]
    body = _body(rows, bold, markdown_escape, lambda text: f"**{text}**")
    lines += ["| " + " | ".join(cells) + " |" for cells in body]
    return "\n".join(lines) + "\n"


def latex_table(
    header: Sequence[str], rows: TextRows, bold: Cells | None = None, align: Aligns | None = None
) -> str:
    """A booktabs ``tabular`` (needs ``\\usepackage{booktabs}``)."""
    lines = [
        r"\begin{tabular}{" + "".join(align or _default_align(header)) + "}",
        r"\toprule",
        " & ".join(latex_escape(h) for h in header) + r" \\",
        r"\midrule",
    ]
    body = _body(rows, bold, latex_escape, lambda text: rf"\textbf{{{text}}}")
    lines += [" & ".join(cells) + r" \\" for cells in body]
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines) + "\n"


def _default_align(header: Sequence[str]) -> list[str]:
    """The first column left (names), the others right (numbers)."""
    return ["l"] + ["r"] * (len(header) - 1)


def _body(
    rows: TextRows,
    bold: Cells | None,
    escape: Callable[[str], str],
    emphasis: Callable[[str], str],
) -> list[list[str]]:
    """Each cell escaped, and emphasised where (row, column) is in ``bold``."""
    bold = bold or set()
    return [
        [emphasis(escape(text)) if (i, j) in bold else escape(text) for j, text in enumerate(row)]
        for i, row in enumerate(rows)
    ]


def frame_rows(frame: pd.DataFrame, digits: int) -> list[list[str]]:
    """All cells of ``frame`` as display text."""
    return [[cell_display(v, digits) for v in row] for row in frame.itertuples(index=False)]


def frame_markdown(frame: pd.DataFrame, digits: int = 4) -> str:
    """``frame`` as a Markdown table."""
    return markdown_table([str(c) for c in frame.columns], frame_rows(frame, digits))


def frame_latex(frame: pd.DataFrame, digits: int = 4) -> str:
    """``frame`` as a booktabs LaTeX table."""
    return latex_table([str(c) for c in frame.columns], frame_rows(frame, digits))
