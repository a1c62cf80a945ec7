"""The command line on constrained studies: the best is feasible, and the grid says so."""

from __future__ import annotations

import io
from pathlib import Path

import optuna
import pandas as pd
import pytest

from hpo_tui.cli import main
from tests.helpers.constrained import CONSTRAINED, MULTI_STUDY

pytestmark = pytest.mark.filterwarnings("ignore:Overwrite an old format constraint")


def test_summary_best_is_optunas_feasible_best(
    constrained_db: str, capsys: pytest.CaptureFixture
) -> None:
    assert main(["summary", constrained_db, "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False, na_values=[""])
    for name in CONSTRAINED:
        if name == MULTI_STUDY:
            continue
        best = optuna.load_study(study_name=name, storage=f"sqlite:///{constrained_db}").best_trial
        row = table[table["study"] == name].iloc[0]
        assert (int(row["best_trial"]), float(row["best_value"])) == (best.number, best.value)


def test_grid_title_says_constrained_studies_rank_feasible_trials(
    constrained_db: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["grid", constrained_db]) == 0
    assert "feasible trials only in constrained studies" in capsys.readouterr().out
    plain = tmp_path / "plain.db"
    study = optuna.create_study(study_name="p_2M_h1", storage=f"sqlite:///{plain}")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert main(["grid", str(plain)]) == 0
    assert "feasible" not in capsys.readouterr().out
