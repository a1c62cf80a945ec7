"""Cross-budget transfer in the export: ``hpo_transfer.csv`` and ``hpo_transfer_params.csv``
read back as the core frames, every column documented in the README and the docs."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.transfer import transfer
from hpo_tui.core.export.dictionary import (
    TRANSFER_DEFINITIONS,
    TRANSFER_FIELDS,
    TRANSFER_PARAM_FIELDS,
)
from hpo_tui.core.export.formats.csv import frame_to_csv
from hpo_tui.core.export.writer import EXPORT_FILES, render_export
from tests.helpers.export_compare import FIXED
from tests.helpers.export_docs import DATA_MODEL, assert_documented, documented_columns
from tests.helpers.sqlite_file import written_sqlite
from tests.helpers.transfer_campaign import populate_transfer


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory):
    return load_campaign(
        [written_sqlite(tmp_path_factory, "export_transfer/transfer.db", populate_transfer)]
    )


def test_both_files_are_the_core_frames(campaign) -> None:
    assert "hpo_transfer.csv" in EXPORT_FILES and "hpo_transfer_params.csv" in EXPORT_FILES
    texts = render_export(campaign, FIXED)
    result = transfer(campaign)
    assert texts["hpo_transfer.csv"] == frame_to_csv(result.pairs)
    assert texts["hpo_transfer_params.csv"] == frame_to_csv(result.params)
    text = io.StringIO(texts["hpo_transfer.csv"])
    back = pd.read_csv(text, keep_default_na=False, na_values=[""])
    assert back["shared_rho"].iloc[0] == 0.6  # worked out in tests/core/test_transfer.py
    assert back["best_params_rho"].tolist() == [-1.0, 1.0]


def test_every_column_is_documented_in_readme_and_docs(campaign) -> None:
    result = transfer(campaign)
    assert documented_columns(TRANSFER_FIELDS) == set(result.pairs.columns)
    assert documented_columns(TRANSFER_PARAM_FIELDS) == set(result.params.columns)
    readme = render_export(campaign, FIXED)["README.md"]
    assert_documented(readme, [*TRANSFER_FIELDS, *TRANSFER_PARAM_FIELDS])
    assert TRANSFER_DEFINITIONS in readme
    assert TRANSFER_DEFINITIONS in DATA_MODEL.read_text(encoding="utf-8")
    assert "`hpo_transfer.csv`" in readme and "`hpo_transfer_params.csv`" in readme
