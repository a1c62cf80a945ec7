"""Export files compared across storages: exported at a fixed time, and the only text that
names the storage (the ``source`` column/field, the README's provenance line) masked. Also how
a test reads a CSV text back, the way the export README tells its readers to."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from hpo_tui.core.export.writer import write_export
from hpo_tui.core.model.campaign import Campaign

FIXED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SOURCE_MASK = "<source>"


def csv_frame(text: str) -> pd.DataFrame:
    """CSV text read back exactly: an empty cell is missing, no other text is (``NA`` stays)."""
    return pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])


def export_files(campaign: Campaign, folder: Path) -> dict[str, bytes]:
    write_export(campaign, folder, generated_at=FIXED)
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def masked_text(name: str, data: bytes, campaign: Campaign) -> str:
    """The file's text with the storage's name replaced where the export names it (and only
    there: every replacement is counted)."""
    text = data.decode("utf-8")
    (display,) = [s.display for s in campaign.sources]
    n_studies, n_trials = len(campaign.studies), len(campaign.trials)
    n_diverged = int(campaign.trials["diverged"].sum())
    if name.endswith(".csv") and text.startswith("study,source,"):
        assert not set(display) & set(',"\n'), "the test expects a display needing no quotes"
        n_pruned = int((campaign.trials["state"] == "PRUNED").sum())
        rows = {
            "hpo_summary.csv": n_trials,
            "hpo_diverged.csv": n_diverged,
            "hpo_pruning.csv": n_studies,
            "hpo_pruning_trials.csv": n_pruned,
        }[name]
        pattern, replacement = rf"^([^,\n]*),{re.escape(display)},", rf"\1,{SOURCE_MASK},"
        masked, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
        assert count == rows, name
        return masked
    if name.endswith(".json"):
        quoted = re.escape(json.dumps(display))
        masked, count = re.subn(rf'("sources?": ?\[?\s*){quoted}', rf'\1"{SOURCE_MASK}"', text)
        expected = {"hpo_full.json": n_studies + 1, "hpo_diverged.json": n_diverged + 1}[name]
        assert count == expected, name
        return masked
    if name == "README.md":
        line = f"\n- `{display}`\n"
        assert text.count(line) == 1
        return text.replace(line, f"\n- `{SOURCE_MASK}`\n")
    assert display not in text, f"{name} names the storage somewhere unexpected"
    return text


def first_difference(got: str, want: str) -> str:
    at = next(
        (i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b),
        min(len(got), len(want)),
    )
    return f"at {at}: got {got[at - 80 : at + 80]!r}, want {want[at - 80 : at + 80]!r}"
