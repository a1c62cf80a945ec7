"""``hpo-tui transfer``: the core frames in csv, readable tables, bad input exits 2."""

from __future__ import annotations

from hpo_tui.cli import main
from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.transfer import transfer
from hpo_tui.core.export.formats.csv import frame_to_csv


def test_csv_is_the_core_frame_exactly(transfer_db: str, capsys) -> None:
    result = transfer(load_campaign([transfer_db]))
    assert main(["transfer", transfer_db, "--format", "csv"]) == 0
    assert capsys.readouterr().out == frame_to_csv(result.pairs)
    assert main(["transfer", transfer_db, "--format", "csv", "--params"]) == 0
    assert capsys.readouterr().out == frame_to_csv(result.params)


def test_table_and_markdown(transfer_db: str, capsys) -> None:
    assert main(["transfer", transfer_db]) == 0
    out = capsys.readouterr().out
    assert "cross-budget transfer · 2 pairs" in out and "shared configs: 2 (< 3)" in out
    assert main(["transfer", transfer_db, "--params", "--format", "markdown", "--sweep", "t"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| axis | fixed | a | b | param |")
    assert "| budget | h1 | 2M | 2B | x | 0.1000 | 0.9000 | 100 | no | 10 | no |" in out


def test_unknown_sweep_and_no_pairs_exit_2(transfer_db: str, tmp_path, capsys) -> None:
    assert main(["transfer", transfer_db, "--sweep", "nope"]) == 2
    assert "no sweep 'nope'" in capsys.readouterr().err
    import optuna

    optuna.create_study(study_name="lonely_2M_h1", storage=f"sqlite:///{tmp_path / 'one.db'}")
    assert main(["transfer", str(tmp_path / "one.db")]) == 2
    assert "nothing to compare" in capsys.readouterr().err
