"""``hpo-tui importance``: the params × studies table for a paper, CSV, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

import hpo_tui.core.importance as importance_module
from hpo_tui.cli import main
from hpo_tui.core import load_campaign
from hpo_tui.core.formats import frame_to_csv
from hpo_tui.core.importance import campaign_importance
from tests.helpers.patterns_campaign import patterns_db


@pytest.fixture(scope="module")
def patterns(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(patterns_db(tmp_path_factory))


def test_markdown_table_rows_params_columns_studies(patterns: str, capsys) -> None:
    assert main(["importance", patterns, "--format", "markdown", "--digits", "2"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "| Parameter | 2M h1 | 2M h3 | 20M h1 |"
    rows = {line.split(" | ")[0].removeprefix("| "): line for line in lines[2:8]}
    assert set(rows) == {"x", "learning_rate", "activation", "y", "dropout", "width"}
    assert "| **0.96** |" in rows["learning_rate"]  # the top param of its study in bold
    assert rows["learning_rate"].endswith("| — |")  # 20M h1 has no numbers
    assert out.count("**") == 4  # one bold cell per study with numbers
    assert "— 20M h1: too few completed trials (n=8, need ≥ 50)" in out


def test_latex_and_table(patterns: str, capsys) -> None:
    assert main(["importance", patterns, "--format", "latex"]) == 0
    latex = capsys.readouterr().out
    assert latex.startswith("\\begin{tabular}{lrrr}")
    assert "learning\\_rate & \\textbf{0.9629} &  & — \\\\" in latex
    assert "% 20M h1: too few completed trials (n=8, need ≥ 50)" in latex
    assert main(["importance", patterns]) == 0
    table = capsys.readouterr().out
    assert "importance (PED-ANOVA)" in table and "learning_rate" in table


def test_csv_is_the_export_file(patterns: str, capsys) -> None:
    assert main(["importance", patterns, "--format", "csv"]) == 0
    want = campaign_importance(load_campaign([patterns])).drop(columns=["study_id"])
    assert capsys.readouterr().out == frame_to_csv(want)


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
