"""``hpo-tui verify``: exit 0 identical, 1 drift (listed, capped, counted), 2 bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import optuna
import pandas as pd
import pytest

from hpo_tui.cli import main
from hpo_tui.core.export.writer import EXPORT_FILES


def _objective(trial: optuna.Trial) -> float:
    return trial.suggest_float("x", -1, 1) ** 2


@pytest.fixture
def exported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, optuna.Study]:
    monkeypatch.chdir(tmp_path)
    study = optuna.create_study(study_name="v_2M_h1", storage="sqlite:///v.db")
    study.optimize(_objective, n_trials=4)
    assert main(["export", "v.db", "--out", "out"]) == 0
    return tmp_path, study


def test_identical_exits_0(exported, capsys) -> None:
    capsys.readouterr()
    assert main(["verify", "out", "v.db"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"identical: out ({len(EXPORT_FILES)} files) re-derived from v.db")
    assert "generated_at" in out  # says what was ignored
    # Without SOURCE: the sources the export recorded.
    assert main(["verify", "out"]) == 0


def test_drift_exits_1_listed_capped_counted(exported, capsys) -> None:
    _, study = exported
    study.optimize(_objective, n_trials=2)  # trials 4 and 5 are new
    capsys.readouterr()
    assert main(["verify", "out", "v.db", "--format", "csv", "--max", "4"]) == 1
    captured = capsys.readouterr()
    frame = pd.read_csv(io.StringIO(captured.out), keep_default_na=False, dtype=str)
    assert list(frame.columns) == ["file", "where", "column", "on_disk", "derived"]
    assert len(frame) == 4
    assert "first 4 shown" in captured.err and "hpo_summary.csv: 2" in captured.err
    assert main(["verify", "out", "v.db", "--format", "json", "--max", "1000"]) == 1
    rows = json.loads(capsys.readouterr().out)
    summary = [r for r in rows if r["file"] == "hpo_summary.csv"]
    assert [r["where"] for r in summary] == [
        "study=v_2M_h1 source=v.db number=4",
        "study=v_2M_h1 source=v.db number=5",
    ]
    assert main(["verify", "out", "v.db"]) == 1
    assert "drift:" in capsys.readouterr().out


def test_bad_input_exits_2(exported, capsys) -> None:
    assert main(["verify", "missing", "v.db"]) == 2
    assert capsys.readouterr().err.startswith("hpo-tui: error: missing: no such folder")
    Path("empty").mkdir()
    assert main(["verify", "empty", "v.db"]) == 2
    assert "not an hpo-tui export" in capsys.readouterr().err
    assert main(["verify", "out", "nothing-here.db"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hpo-tui: error:") and "nothing-here.db" in err
    assert "Traceback" not in err
