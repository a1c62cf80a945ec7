"""``summary --metric`` and ``grid --metric`` with the training-dynamics statistics."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hpo_tui.cli import main
from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.dynamics import study_dynamics
from tests.helpers import dynamics_campaign as dc
from tests.helpers.export_compare import csv_frame


@pytest.fixture
def storage(dynamics_db: str) -> str:
    return dynamics_db


def test_summary_metric_appends_columns_in_full_precision(
    storage: str, capsys: pytest.CaptureFixture
) -> None:
    args = ["summary", storage, "--format", "csv"]
    args += ["--metric", "frac_still_improving", "--metric", "final_gap_median"]
    args += ["--metric", "dynamics_n", "--metric", "train_val_gap_median"]
    assert main(args) == 0
    table = csv_frame(capsys.readouterr().out).set_index("study")
    assert list(table.columns[-4:]) == [
        "frac_still_improving",
        "final_gap_median",
        "dynamics_n",
        "train_val_gap_median",
    ]
    assert table.loc[dc.OVERFIT, "frac_still_improving"] == 0.5
    assert table.loc["dyn_2M_h3", "frac_still_improving"] == 1.0
    assert table.loc[dc.PLATEAU, "frac_still_improving"] == 0.0
    assert table.loc[dc.OVERFIT, "dynamics_n"] == dc.N_TRIALS
    assert table.loc[dc.OVERFIT, "final_gap_median"] == pytest.approx(0.15)
    # Bit-identical to the core's numbers: nothing rounded on the way to the file.
    campaign = load_campaign([storage])
    stats = study_dynamics(campaign).join(campaign.studies.set_index("study_id")["study"])
    exact = stats.set_index("study")
    for study in (dc.OVERFIT, "dyn_20M_h5"):
        for column in ("final_gap_median", "train_val_gap_median"):
            assert table.loc[study, column] == exact.loc[study, column]
    assert pd.isna(table.loc[dc.MAXIMIZED, "train_val_gap_median"])


def test_summary_without_metric_is_unchanged(storage: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["summary", storage, "--format", "csv"]) == 0
    columns = csv_frame(capsys.readouterr().out).columns
    assert columns[-3:].tolist() == ["best_value", "best_trial", "source"]


def test_summary_rejects_an_unknown_metric(storage: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["summary", storage, "--metric", "no_such_metric"])
    assert exc.value.code == 2


def test_grid_metric_frac_still_improving(storage: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["grid", storage, "--metric", "frac_still_improving", "--format", "csv"]) == 0
    text = capsys.readouterr().out
    grid = csv_frame(text).set_index("budget")
    assert grid.loc["2M"].tolist() == [0.5, 1.0, 0.0]
    assert grid.loc["20M"].tolist() == [1.0, 1.0, 1.0]


def test_grid_metric_best_epoch_median_in_markdown(
    storage: str, capsys: pytest.CaptureFixture
) -> None:
    assert main(["grid", storage, "--metric", "best_epoch_median", "--format", "markdown"]) == 0
    text = capsys.readouterr().out
    two_m = next(line for line in text.splitlines() if line.startswith("| 2M "))
    cells = [c.strip() for c in two_m.strip("|").split("|")]
    assert [float(c.strip("*")) for c in cells[1:]] == [6.0, float(dc.LAST), dc.PLATEAU_FROM]
    assert Path(storage).exists()
