"""hpo_importance.csv: in the export set, exact floats, documented column by column."""

from __future__ import annotations

import math
import struct
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.importance import campaign_importance
from hpo_tui.core.export.dictionary import IMPORTANCE_FIELDS
from hpo_tui.core.export.writer import EXPORT_FILES, IMPORTANCE_CSV, render_export, write_export
from tests.helpers.paths import ROOT
from tests.helpers.patterns_campaign import FEW, STRONG

FIXED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def campaign(patterns_db: Path):
    return load_campaign([str(patterns_db)])


def test_importance_csv_is_exported_with_exact_floats(campaign, tmp_path: Path) -> None:
    assert IMPORTANCE_CSV in EXPORT_FILES
    write_export(campaign, tmp_path / "out", generated_at=FIXED)
    back = pd.read_csv(tmp_path / "out" / IMPORTANCE_CSV, keep_default_na=False, na_values=[""])
    assert list(back.columns) == [
        "study",
        "budget",
        "horizon",
        "param",
        "importance",
        "method",
        "n_trials",
        "note",
    ]
    want = campaign_importance(campaign)
    assert back["param"].tolist() == want["param"].tolist()
    for got, exp in zip(back["importance"], want["importance"], strict=True):
        if math.isnan(exp):
            assert math.isnan(got)
        else:
            assert struct.pack("<d", got) == struct.pack("<d", exp)
    strong = back[back["study"] == STRONG]
    assert strong["param"].iloc[0] == "learning_rate"
    few = back[back["study"] == FEW]
    assert few["importance"].isna().all() and few["note"].str.startswith("too few").all()
    assert set(back["method"]) == {"ped_anova"}


def test_every_importance_column_is_documented_in_readme_and_docs(campaign) -> None:
    readme = render_export(campaign, FIXED)["README.md"]
    documented = {name for name, _ in IMPORTANCE_FIELDS}
    assert documented == {"study", "<axes>", "param", "importance", "method", "n_trials", "note"}
    assert "## Columns of hpo_importance.csv" in readme
    data_model = (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8")
    for name, meaning in IMPORTANCE_FIELDS:
        line = f"| `{name}` | {meaning} |"
        assert line in readme, name
        assert line in data_model, name
    assert "`hpo_importance.csv`" in readme


def test_the_export_computes_each_importance_once(
    campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``hpo_importance.csv`` and the transfer files share one importance cache."""
    import hpo_tui.core.analysis.ped_anova as ped_anova

    real = ped_anova.ped_anova_scores
    calls: list[int] = []

    def counting(inputs):
        calls.append(len(inputs.numbers))
        return real(inputs)

    monkeypatch.setattr(ped_anova, "ped_anova_scores", counting)
    write_export(campaign, tmp_path / "out", generated_at=FIXED)
    during_export = len(calls)
    with_numbers = campaign_importance(campaign).dropna(subset=["importance"])["study_id"]
    assert (tmp_path / "out" / "hpo_transfer.csv").read_text(encoding="utf-8").count("\n") > 1
    assert during_export == with_numbers.nunique() == 3
