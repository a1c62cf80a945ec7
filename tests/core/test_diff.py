"""``diff_exports`` and ``hpo-tui diff`` on two real exports of one storage, before and
after trials were added with Optuna."""

from __future__ import annotations

import io
import json
from pathlib import Path

import optuna
import pandas as pd
import pytest

from hpo_tui.cli import main
from hpo_tui.core import load_campaign
from hpo_tui.core.export.diff import diff_exports, read_export
from hpo_tui.core.export.verify import VerifyError
from hpo_tui.core.export.writer import write_export


def _objective(trial: optuna.Trial) -> float:
    return trial.suggest_float("x", -1, 1) ** 2


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    """Old and new export; what Optuna says of the storage after the change."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    folder = tmp_path_factory.mktemp("diff")
    url = f"sqlite:///{folder / 'd.db'}"
    grown = optuna.create_study(study_name="d_2M_h1", storage=url)
    for x in (0.5, 0.3):
        grown.enqueue_trial({"x": x})
        grown.optimize(_objective, n_trials=1)  # trials 0 and 1: 0.25, 0.09
    running = grown.ask({"x": optuna.distributions.FloatDistribution(-1, 1)})  # trial 2
    still = optuna.create_study(study_name="d_2B_h1", storage=url)
    still.optimize(_objective, n_trials=2)
    write_export(load_campaign([str(folder / "d.db")]), folder / "old")

    grown.tell(running, 0.5)  # trial 2: RUNNING → COMPLETE
    grown.enqueue_trial({"x": 0.1})
    grown.optimize(_objective, n_trials=1)  # trial 3: the new best, 0.1²
    pruned = grown.ask({"x": optuna.distributions.FloatDistribution(-1, 1)})  # trial 4
    pruned.report(0.7, 0)
    grown.tell(pruned, state=optuna.trial.TrialState.PRUNED)
    diverged = grown.ask({"x": optuna.distributions.FloatDistribution(-1, 1)})  # trial 5
    diverged.report(float("nan"), 0)
    grown.tell(diverged, state=optuna.trial.TrialState.FAIL)
    optuna.create_study(study_name="d_20M_h1", storage=url).optimize(_objective, n_trials=1)
    write_export(load_campaign([str(folder / "d.db")]), folder / "new")
    truth = {"best_value": grown.best_value, "best_trial": grown.best_trial.number}
    return folder / "old", folder / "new", truth


def test_per_study_changes(exports) -> None:
    old, new, truth = exports
    frame = diff_exports(read_export(old), read_export(new)).set_index("study")
    grown = frame.loc["d_2M_h1"]
    assert grown["status"] == "both"
    assert (grown["best_old"], grown["best_trial_old"]) == (0.3**2, 1)
    assert (grown["best_new"], grown["best_trial_new"]) == (
        truth["best_value"],
        truth["best_trial"],
    )
    assert truth["best_trial"] == 3 and grown["best_changed"]
    assert (grown["n_trials_old"], grown["n_trials_new"]) == (3, 6)
    # Added: 3 COMPLETE, 4 PRUNED, 5 FAIL; trial 2 was there (RUNNING) and is not "added".
    added = {s: grown[f"added_{s}"] for s in ("complete", "pruned", "fail", "running", "waiting")}
    assert added == {"complete": 1, "pruned": 1, "fail": 1, "running": 0, "waiting": 0}
    assert (grown["n_newly_diverged"], grown["newly_diverged"]) == (1, "#5")
    assert grown["state_changed"] == "#2 RUNNING→COMPLETE"
    assert grown["counts_changed"] == (
        "n_trials 3→6, n_complete 2→4, n_pruned 0→1, n_fail 0→1, n_running 1→0, n_diverged 0→1"
    )
    still = frame.loc["d_2B_h1"]
    assert still["status"] == "both" and not still["best_changed"]
    assert still["counts_changed"] == "" and still["newly_diverged"] == ""
    assert frame.loc["d_20M_h1", "status"] == "added"
    assert frame.loc["d_20M_h1", "added_complete"] == 1
    # Swapped: the new study is "removed", trials "added" none.
    back = diff_exports(read_export(new), read_export(old)).set_index("study")
    assert back.loc["d_20M_h1", "status"] == "removed"
    assert back.loc["d_2M_h1", "added_complete"] == 0


def test_cli_formats(exports, capsys) -> None:
    old, new, _ = exports
    assert main(["diff", str(old), str(new), "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)
    assert table["study"].tolist() == ["d_2M_h1", "d_20M_h1"]  # d_2B_h1 did not change
    assert main(["diff", str(old), str(new), "--format", "json", "--all"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["study"] for r in rows] == ["d_2M_h1", "d_2B_h1", "d_20M_h1"]
    assert main(["diff", str(old), str(new), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| study | status | best_old |")
    assert "| d_2M_h1 | both | 0.09000 | 1 | 0.01000 | 3 |" in out
    assert main(["diff", str(old), str(new)]) == 0
    assert "2 studies of 3 changed" in capsys.readouterr().out


def test_bad_input(exports, tmp_path: Path, capsys) -> None:
    old, _, _ = exports
    with pytest.raises(VerifyError, match="no such folder"):
        read_export(tmp_path / "missing")
    assert main(["diff", str(old), str(tmp_path)]) == 2
    assert "not an hpo-tui export" in capsys.readouterr().err
