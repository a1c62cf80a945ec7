"""``hpo-tui importance``: the params × studies table for a paper, CSV, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

import hpo_tui.core.analysis.importance as importance_module
from hpo_tui.cli import main
from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.importance import campaign_importance
from hpo_tui.core.export.formats.csv import frame_to_csv


@pytest.fixture
def patterns(patterns_db: Path) -> str:
    return str(patterns_db)


def test_markdown_table_rows_params_columns_studies(patterns: str, capsys) -> None:
    assert main(["importance", patterns, "--format", "markdown", "--digits", "2"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    # 20M h3 has numbers from fewer than 50 completed trials: marked, explained below
    assert lines[0] == "| Parameter | 2M h1 | 2M h3 | 20M h1 | 20M h3 † |"
    rows = {line.split(" | ")[0].removeprefix("| "): line for line in lines[2:8]}
    assert set(rows) == {"x", "learning_rate", "activation", "y", "dropout", "width"}
    assert "| **0.96** |" in rows["learning_rate"]  # the top param of its study in bold
    assert rows["learning_rate"].endswith("| — | **1.0** |")  # 20M h1: no numbers; 2 sig. digits
    assert out.count("**") == 6  # one bold cell per study with numbers
    assert "— 20M h1: too few completed trials (n=8, need ≥ 20)  \n" in out
    assert "† 20M h3: few completed trials (n=35 \\< 50): the ranking may change  \n" in out


def test_latex_and_table(patterns: str, capsys) -> None:
    assert main(["importance", patterns, "--format", "latex"]) == 0
    latex = capsys.readouterr().out
    assert latex.startswith("\\begin{tabular}{lrrrr}")
    assert "Parameter & 2M h1 & 2M h3 & 20M h1 & 20M h3 † \\\\" in latex
    assert "learning\\_rate & \\textbf{0.9629} &  & — & \\textbf{0.9990} \\\\" in latex
    assert "% — 20M h1: too few completed trials (n=8, need ≥ 20)" in latex
    assert "% † 20M h3: few completed trials (n=35 < 50): the ranking may change" in latex
    assert main(["importance", patterns]) == 0
    table = capsys.readouterr().out
    assert "importance (PED-ANOVA)" in table and "learning_rate" in table
    assert "20M h3 †" in table
    assert table.endswith(
        "— 20M h1: too few completed trials (n=8, need ≥ 20)\n"
        "† 20M h3: few completed trials (n=35 < 50): the ranking may change\n"
    )


def test_csv_is_the_export_file(patterns: str, capsys) -> None:
    assert main(["importance", patterns, "--format", "csv"]) == 0
    want = campaign_importance(load_campaign([patterns])).drop(columns=["study_id"])
    out = capsys.readouterr().out
    assert out == frame_to_csv(want)
    caution = ",ped_anova,35,few completed trials (n=35 < 50): the ranking may change\n"
    assert "\npat_20M_h3,20M,h3,learning_rate,0.99" in out and out.count(caution) == 2


def test_fanova_without_scikit_learn_is_one_line_exit_2(
    patterns: str, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importance_module, "_has_sklearn", lambda: False)
    assert main(["importance", patterns, "--method", "fanova"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "hpo-tui: error: fANOVA needs scikit-learn, which is not installed "
        "(pip install 'hpo-tui[fanova]', or use the default ped_anova)\n"
    )


def test_bad_source_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["importance", str(tmp_path / "missing.db")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hpo-tui: error: ") and err.count("\n") == 1
