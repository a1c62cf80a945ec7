"""The pruner audit in the export: ``hpo_pruning.csv`` (per study), ``hpo_pruning_trials.csv``
(per pruned trial), read back exactly, every column documented in the README and the docs."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.pruning import pruning_audit
from hpo_tui.core.export.dictionary import PRUNED_TRIAL_DOCS, PRUNING_DEFINITIONS, PRUNING_FIELDS
from hpo_tui.core.export.writer import EXPORT_FILES, render_export, write_export
from tests.helpers import pruning_campaign as pc
from tests.helpers.export_compare import FIXED
from tests.helpers.export_docs import DATA_MODEL, assert_documented, documented_columns
from tests.helpers.sqlite_file import written_sqlite


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory):
    return load_campaign(
        [written_sqlite(tmp_path_factory, "export_pruning/pruning.db", pc.populate_pruning)]
    )


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def test_both_files_read_back_exactly(campaign, tmp_path: Path) -> None:
    assert "hpo_pruning.csv" in EXPORT_FILES and "hpo_pruning_trials.csv" in EXPORT_FILES
    write_export(campaign, tmp_path / "out", generated_at=FIXED)
    audit = pruning_audit(campaign)
    for name, want in (
        ("hpo_pruning.csv", audit.studies),
        ("hpo_pruning_trials.csv", audit.trials),
    ):
        back = _read(tmp_path / "out" / name)
        want = want.drop(columns=["study_id"]).reset_index(drop=True)
        assert list(back.columns) == list(want.columns), name
        assert len(back) == len(want), name
        for column in want.columns:
            for got, exp in zip(back[column], want[column], strict=True):
                if pd.isna(exp):
                    assert pd.isna(got), (name, column)
                elif isinstance(exp, float):
                    assert struct.pack("<d", got) == struct.pack("<d", exp), (name, column)
                elif isinstance(exp, (int, np.integer)) and not isinstance(exp, bool):
                    assert got == exp, (name, column)  # read as float beside empty cells
                else:  # text: an empty note is an empty cell
                    assert ("" if pd.isna(got) else str(got)) == str(exp), (name, column)
    studies = _read(tmp_path / "out" / "hpo_pruning.csv").set_index("study")
    assert studies.loc[pc.MINIMIZED, "false_prune_estimate"] == 0.5  # 2 of 4, by hand
    assert pd.isna(studies.loc[pc.NO_PRUNED, "false_prune_estimate"])  # empty, not 0


def test_every_column_is_documented_in_readme_and_docs(campaign) -> None:
    audit = pruning_audit(campaign)
    axes = campaign.axis_names
    assert documented_columns(PRUNING_FIELDS, axes) == set(audit.studies.columns) - {"study_id"}
    assert documented_columns(PRUNED_TRIAL_DOCS, axes) == set(audit.trials.columns) - {"study_id"}
    readme = render_export(campaign, FIXED)["README.md"]
    assert_documented(readme, [*PRUNING_FIELDS, *PRUNED_TRIAL_DOCS])
    assert PRUNING_DEFINITIONS in readme
    data_model = DATA_MODEL.read_text(encoding="utf-8")
    assert PRUNING_DEFINITIONS.replace("\n", " ").strip() in data_model.replace("\n", " ")
    assert "`hpo_pruning.csv`" in readme and "`hpo_pruning_trials.csv`" in readme
