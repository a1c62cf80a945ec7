"""The CSV the export wrote cell by cell, as the reference for the column-at-once writer."""

from __future__ import annotations

import csv
import io

import pandas as pd

from hpo_tui.core.export.formats.csv import cell_text


def csv_cell_by_cell(frame: pd.DataFrame) -> str:
    """Every cell through ``cell_text``, every row through the ``csv`` module (what the
    export wrote before whole columns were formatted at once)."""
    out = io.StringIO()
    plain = csv.writer(out, lineterminator="\n")
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    columns = [str(c) for c in frame.columns]
    (quoted if any("\r" in c for c in columns) else plain).writerow(columns)
    for row in zip(*(frame[c].tolist() for c in frame.columns), strict=True):
        cells = [cell_text(v) for v in row]
        (quoted if any("\r" in c for c in cells) else plain).writerow(cells)
    return out.getvalue()
