"""Terminal tables for the CLI (Rich), with untrusted text kept literal."""

from __future__ import annotations

import sys

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from hpo_tui.core.formats import display_number, printable


def cell(value: object) -> Text:
    """A table cell; ``Text`` objects are never parsed for markup."""
    if isinstance(value, str):
        return Text(printable(value))
    return Text(display_number(value), justify="right")


def print_table(frame: pd.DataFrame, title: str | None = None) -> None:
    """Print ``frame`` as a Rich table on stdout."""
    table = Table(title=title, title_justify="left", header_style="bold")
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column].dtype)
        table.add_column(
            printable(str(column)), justify="right" if numeric else "left", no_wrap=numeric
        )
    for row in frame.itertuples(index=False):
        table.add_row(*(cell(v) for v in row))
    # On a pipe or a file nothing is cut: the table takes the width it needs.
    width = None if sys.stdout.isatty() else 10_000
    Console(file=sys.stdout, soft_wrap=False, width=width).print(table)
