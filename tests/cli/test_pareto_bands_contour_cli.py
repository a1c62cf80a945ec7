"""``hpo-tui pareto``, ``bands`` and ``contour``: the same numbers as Optuna's own functions,
exact in csv/json, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import optuna
import pytest
from optuna._hypervolume import compute_hypervolume
from optuna.trial import TrialState

from hpo_tui.cli import main
from tests.helpers.export_compare import csv_frame
from tests.helpers.multi_objective import KEYED, LISTED, NSGA
from tests.helpers.patterns_campaign import STRONG, TRAP


def _study(path: str, name: str) -> optuna.Study:
    return optuna.load_study(study_name=name, storage=f"sqlite:///{path}")


def test_pareto_csv_is_best_trials_with_exact_values(
    multi: str, capsys: pytest.CaptureFixture
) -> None:
    assert main(["pareto", multi, "--study", NSGA, "--format", "csv"]) == 0
    table = csv_frame(capsys.readouterr().out)
    assert list(table.columns[:3]) == ["number", "val_loss", "accuracy"]  # metric names
    best = {t.number: t for t in _study(multi, NSGA).best_trials}
    assert sorted(table["number"]) == sorted(best)
    for row in table.itertuples(index=False):
        assert [row.val_loss, row.accuracy] == best[row.number].values  # exact round trip
        assert row.param_width == best[row.number].params["width"]


def test_pareto_objectives_and_all(multi: str, capsys: pytest.CaptureFixture) -> None:
    args = ["pareto", multi, "--study", LISTED, "--objectives", "1", "0", "--all"]
    assert main([*args, "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    study = _study(multi, LISTED)
    complete = [t for t in study.trials if t.state == TrialState.COMPLETE]
    assert len(records) == len(complete)
    assert list(records[0])[:3] == ["number", "values_1", "values_0"]
    front = {r["number"] for r in records if r["on_front"]}
    assert front == {t.number for t in study.best_trials}
    infeasible = next(r for r in records if r["number"] == 0)
    assert infeasible["feasible"] is False and infeasible["on_front"] is False


def test_pareto_table_names_the_front(multi: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["pareto", multi, "--study", NSGA]) == 0
    out = capsys.readouterr().out
    n_front = len(_study(multi, NSGA).best_trials)
    assert f"{NSGA}: {n_front} trials on the Pareto front" in out
    assert "val_loss (minimize), accuracy (maximize)" in out


def test_hypervolume_history(multi: str, capsys: pytest.CaptureFixture) -> None:
    reference = [0.9, 0.5]  # val_loss at most 0.9, accuracy at least 0.5
    args = ["pareto", multi, "--study", NSGA, "--reference-point", "0.9,0.5", "--format", "csv"]
    assert main(args) == 0
    history = csv_frame(capsys.readouterr().out)
    study = _study(multi, NSGA)
    complete = study.get_trials(states=(TrialState.COMPLETE,))
    assert list(history["number"]) == [t.number for t in complete]
    # The last value, by Optuna: every trial within the point, accuracy negated.
    losses = np.array([[t.values[0], -t.values[1]] for t in complete])
    ref = np.array([reference[0], -reference[1]])
    inside = losses[np.all(losses <= ref, axis=1)]
    expected = compute_hypervolume(inside, ref)
    assert history["hypervolume"].iloc[-1] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--study", "nope"], "no study named 'nope' in"),
        (["--study", NSGA, "--reference-point", "1"], "has 1 numbers; the study has 2"),
        (["--study", NSGA, "--objectives", "0", "5"], "objective 5 does not exist"),
        (["--study", NSGA, "--format", "csv", "--digits", "3"], "--digits has no meaning"),
    ],
)
def test_pareto_errors(
    multi: str, capsys: pytest.CaptureFixture, args: list[str], message: str
) -> None:
    assert main(["pareto", multi, *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_pareto_of_a_single_objective_study(patterns: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["pareto", patterns, "--study", STRONG]) == 2
    assert "has one objective" in capsys.readouterr().err


def test_bands_csv_matches_pandas_quantiles(patterns: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["bands", patterns, "--study", TRAP, "--top", "20", "--format", "csv"]) == 0
    bands = csv_frame(capsys.readouterr().out)
    frame = _study(patterns, TRAP).trials_dataframe()
    ranked = frame[frame["state"] == "COMPLETE"].sort_values(
        ["value", "number"],
        ascending=[False, True],  # maximize
    )
    top = ranked.iloc[: math.ceil(0.2 * len(ranked))]
    x = bands[bands["param"] == "x"].set_index("statistic")
    assert x.loc["n", "top"] == len(top) and x.loc["n", "all"] == len(ranked)
    assert x.loc["median", "top"] == top["params_x"].median()
    assert x.loc["q25", "all"] == ranked["params_x"].quantile(0.25)


def test_bands_trials_and_objective(multi: str, capsys: pytest.CaptureFixture) -> None:
    args = ["bands", multi, "--study", NSGA, "--objective", "1", "--trials", "--format", "csv"]
    assert main(args) == 0
    table = csv_frame(capsys.readouterr().out)
    assert list(table.columns[:3]) == ["rank", "number", "accuracy"]
    best = max(
        (t for t in _study(multi, NSGA).trials if t.state == TrialState.COMPLETE),
        key=lambda t: (t.values[1], -t.number),
    )
    assert (table["number"].iloc[0], table["accuracy"].iloc[0]) == (best.number, best.values[1])
    assert main(["bands", multi, "--study", KEYED, "--objective", "2"]) == 2
    assert "objective 2 does not exist" in capsys.readouterr().err


def test_contour_table_draws_glyphs_with_a_legend(
    patterns: str, capsys: pytest.CaptureFixture
) -> None:
    args = ["contour", patterns, "--study", STRONG, "--params", "learning_rate", "dropout"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "value (minimize): best per cell of learning_rate × dropout" in out
    assert "learning_rate (log) →" in out and "blank: no trial" in out
    legend = [line for line in out.splitlines() if line.endswith("(best)")]
    assert len(legend) == 1 and legend[0].startswith("@ ")
    assert "@@" in out


def test_contour_csv_cells(patterns: str, capsys: pytest.CaptureFixture) -> None:
    args = ["contour", patterns, "--study", TRAP, "--params", "x", "y", "--bins", "4", "2"]
    assert main([*args, "--format", "csv"]) == 0
    cells = csv_frame(capsys.readouterr().out)
    # By hand: x ∈ [-1, 1] in 4 bins of 0.5, y ∈ [0, 1] in 2 bins of 0.5; maximize.
    best: dict[tuple[int, int], tuple[float, int]] = {}
    for trial in _study(patterns, TRAP).trials:
        if trial.state != TrialState.COMPLETE:
            continue
        cell = (
            min(3, math.floor((trial.params["x"] + 1) / 0.5)),
            min(1, math.floor(trial.params["y"] / 0.5)),
        )
        current = best.get(cell)
        if current is None or trial.value > current[0]:
            best[cell] = (trial.value, trial.number)
    found = {
        (r.x_bin, r.y_bin): (r.best_value, r.best_number) for r in cells.itertuples(index=False)
    }
    assert found == best
    assert list(cells.columns[:4]) == ["x_bin", "x_label", "x_low", "x_high"]


def test_contour_errors(patterns: str, capsys: pytest.CaptureFixture) -> None:
    base = ["contour", patterns, "--study", STRONG]
    assert main([*base, "--params", "dropout", "lr"]) == 2
    assert "has no param 'lr'" in capsys.readouterr().err
    assert main([*base, "--params", "dropout", "width", "--bins", "0", "3"]) == 2
    assert "from 1 to 200" in capsys.readouterr().err


def test_untrusted_names_are_printed_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = tmp_path / "odd.db"
    name = "[bold red]odd\x1b[2J"
    study = optuna.create_study(
        study_name=name, storage=f"sqlite:///{path}", directions=["minimize", "minimize"]
    )
    study.set_metric_names(["[i]loss", "time"])
    study.optimize(
        lambda t: (t.suggest_float("[b]x", 0, 1), t.suggest_float("y", 0, 1)), n_trials=4
    )
    assert main(["pareto", str(path), "--study", name]) == 0
    out = capsys.readouterr().out
    assert "[bold red]odd" in out and "\x1b" not in out and "[i]loss" in out
    assert main(["contour", str(path), "--study", name, "--params", "[b]x", "y"]) == 0
    out = capsys.readouterr().out
    assert "[b]x" in out and "\x1b" not in out
