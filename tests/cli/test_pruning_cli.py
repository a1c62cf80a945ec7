"""``hpo-tui pruning``: the audit per study or per pruned trial, in every format."""

from __future__ import annotations

from pathlib import Path

import pytest

from hpo_tui.cli import main
from hpo_tui.cli.pruning import top_k_fraction
from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.pruning import pruning_audit
from hpo_tui.core.export.formats.csv import frame_to_csv
from tests.helpers import pruning_campaign as pc
from tests.helpers.export_compare import csv_frame


def test_csv_is_the_core_frame_exactly(pruning_db: str, capsys) -> None:
    assert main(["pruning", pruning_db, "--format", "csv"]) == 0
    want = pruning_audit(load_campaign([pruning_db])).studies.drop(columns=["study_id"])
    assert capsys.readouterr().out == frame_to_csv(want)
    assert main(["pruning", pruning_db, "--format", "csv", "--trials"]) == 0
    want = pruning_audit(load_campaign([pruning_db])).trials.drop(columns=["study_id"])
    assert capsys.readouterr().out == frame_to_csv(want)


def test_top_k_as_percentage_or_fraction(pruning_db: str, capsys) -> None:
    # Top k = all 4 complete trials: trials 4, 6 and 7 are possible false prunes (of 4
    # assessed), see tests/core/test_pruning.py.
    for top_k in ("100%", "1", "1.0"):
        assert main(["pruning", pruning_db, "--format", "csv", "--top-k", top_k]) == 0
        table = csv_frame(capsys.readouterr().out).set_index("study")
        assert table.loc[pc.MINIMIZED, "n_possible_false_prune"] == 3
        assert table.loc[pc.MINIMIZED, "false_prune_estimate"] == 0.75
        assert table.loc[pc.MINIMIZED, "top_k_fraction"] == 1.0
    assert top_k_fraction("10%") == 0.1
    assert top_k_fraction("0.25") == 0.25


@pytest.mark.parametrize("bad", ["0", "150%", "2", "ten", "-5%"])
def test_a_bad_top_k_exits_2(pruning_db: str, bad: str, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["pruning", pruning_db, "--top-k", bad])
    assert exc.value.code == 2
    assert "--top-k" in capsys.readouterr().err


def test_table_and_markdown(pruning_db: str, capsys) -> None:
    assert main(["pruning", pruning_db]) == 0
    out = capsys.readouterr().out
    assert "pruner audit · top k = 10 % · 4 studies" in out
    assert "no pruned trials" in out and "multi-objective study: no single ranking" in out
    assert "possible false prune: at its pruning step" in out
    assert main(["pruning", pruning_db, "--format", "markdown", "--trials", "--digits", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("| study | number | pruning_step | value_at_pruning |")
    # Trial 4 of the minimized study: step 2, 0.92, 4 complete there, rank 4, as-low #0
    # finished first, a possible false prune, 6 steps not run.
    assert f"| {pc.MINIMIZED} | 4 | 2 | 0.92 | 4 | 4 | 1 | yes | 6 |  |" in lines


def test_digits_refused_with_csv(pruning_db: str, capsys) -> None:
    assert main(["pruning", pruning_db, "--format", "csv", "--digits", "3"]) == 2
    assert "--digits has no meaning with --format csv" in capsys.readouterr().err


def test_bad_source_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["pruning", str(tmp_path / "missing.db")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hpo-tui: error: ") and err.count("\n") == 1
