"""`grid`, `summary`, `diverged` with two sweeps: one table per sweep, a sweep column."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import optuna
import pytest

from hpo_tui.cli import main


def test_grid_prints_one_table_per_sweep(
    capsys: pytest.CaptureFixture, two_sweeps: tuple[str, str]
) -> None:
    assert main(["grid", *two_sweeps, "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.index("**Sweep phase5**") < out.index("**Sweep phase6a**")
    old, new = out.split("**Sweep phase6a**")
    assert "| Budget | h1 | h5 |" in old and "| 2B |" in old and "| 20M |" not in old
    assert "| Budget | h1 | h3 |" in new and "| 20M |" in new
    assert main(["grid", *two_sweeps]) == 0
    table = capsys.readouterr().out
    assert "sweep phase5" in table and "sweep phase6a" in table
    assert "not on any grid (the name fits no axis pattern): sanity check, sanity check" in table


def test_sweep_option_picks_one(capsys: pytest.CaptureFixture, two_sweeps: tuple[str, str]) -> None:
    assert main(["grid", *two_sweeps, "--sweep", "phase5", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["sweep"] == "phase5"
    assert (document["rows"], document["columns"]) == (["2M", "2B"], ["h1", "h5"])
    assert main(["grid", *two_sweeps, "--format", "json"]) == 0
    assert [d["sweep"] for d in json.loads(capsys.readouterr().out)] == ["phase5", "phase6a"]
    assert main(["grid", *two_sweeps, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["sweep"], r["budget"]) for r in rows][:2] == [("phase5", "2M"), ("phase5", "2B")]
    assert rows[0]["h3"] == "" and rows[0]["h5"] != ""


def test_unknown_sweep_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture, two_sweeps: tuple[str, str]
) -> None:
    assert main(["grid", *two_sweeps, "--sweep", "phase7"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["hpo-tui: error: no sweep 'phase7' (sweeps: phase5, phase6a)"]


def test_no_grid_at_all_says_so(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'plain.db'}"
    optuna.create_study(study_name="baseline", storage=url).optimize(
        lambda t: t.suggest_float("x", 0, 1), n_trials=2
    )
    assert main(["grid", str(tmp_path / "plain.db")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "fits the grid's axes (budget, horizon)" in captured.err


@pytest.mark.parametrize("command", ["summary", "diverged"])
def test_summary_and_diverged_carry_the_sweep(
    capsys: pytest.CaptureFixture, two_sweeps: tuple[str, str], command: str
) -> None:
    assert main([command, *two_sweeps, "--format", "csv"]) == 0
    header = capsys.readouterr().out.splitlines()[0].split(",")
    assert "sweep" in header
