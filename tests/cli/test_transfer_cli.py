"""``hpo-tui transfer``: the core frames in csv, readable tables, bad input exits 2."""

from __future__ import annotations

import pytest

from hpo_tui.cli import main
from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.transfer import transfer
from hpo_tui.core.export.formats.csv import frame_to_csv
from tests.helpers.transfer_campaign import populate_transfer


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("transfer_cli") / "transfer.db"
    populate_transfer(f"sqlite:///{path}")
    return str(path)


def test_csv_is_the_core_frame_exactly(storage: str, capsys) -> None:
    result = transfer(load_campaign([storage]))
    assert main(["transfer", storage, "--format", "csv"]) == 0
    assert capsys.readouterr().out == frame_to_csv(result.pairs)
    assert main(["transfer", storage, "--format", "csv", "--params"]) == 0
    assert capsys.readouterr().out == frame_to_csv(result.params)


def test_table_and_markdown(storage: str, capsys) -> None:
    assert main(["transfer", storage]) == 0
    out = capsys.readouterr().out
    assert "cross-budget transfer · 2 pairs" in out and "shared configs: 2 (< 3)" in out
    assert main(["transfer", storage, "--params", "--format", "markdown", "--sweep", "t"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| axis | fixed | a | b | param |")
    assert "| budget | h1 | 2M | 2B | x | 0.1000 | 0.9000 | 100 | no | 10 | no |" in out


def test_unknown_sweep_and_no_pairs_exit_2(storage: str, tmp_path, capsys) -> None:
    assert main(["transfer", storage, "--sweep", "nope"]) == 2
    assert "no sweep 'nope'" in capsys.readouterr().err
    import optuna

    optuna.create_study(study_name="lonely_2M_h1", storage=f"sqlite:///{tmp_path / 'one.db'}")
    assert main(["transfer", str(tmp_path / "one.db")]) == 2
    assert "nothing to compare" in capsys.readouterr().err
