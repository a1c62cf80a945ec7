"""The noise-aware grid in the export: ``hpo_grid_intervals.csv``, one row per grid cell and
metric (best, top-5 mean), the same numbers ``hpo-tui grid --ci --format csv`` prints, every
column documented, verified clean and a changed interval caught by ``hpo-tui verify``."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from hpo_tui.cli import main
from hpo_tui.core import load_campaign
from hpo_tui.core.config import Config
from hpo_tui.core.export.dictionary import GRID_INTERVAL_DEFINITIONS, GRID_INTERVAL_FIELDS
from hpo_tui.core.export.verify import verify_export
from hpo_tui.core.export.writer import EXPORT_FILES, GRID_INTERVALS_CSV, render_export, write_export
from tests.helpers import grid_ci_campaign as gc
from tests.helpers.paths import ROOT
from tests.helpers.sqlite_file import written_sqlite

FIXED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> str:
    return written_sqlite(tmp_path_factory, "export_grid_ci/ci.db", gc.populate_grid_ci)


@pytest.fixture(scope="module")
def text(storage: str) -> str:
    return render_export(load_campaign([storage]), FIXED)[GRID_INTERVALS_CSV]


def _table(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_one_row_per_cell_and_metric_with_the_hand_worked_intervals(text: str) -> None:
    assert GRID_INTERVALS_CSV == "hpo_grid_intervals.csv" and GRID_INTERVALS_CSV in EXPORT_FILES
    table = _table(text)
    assert list(table.columns) == [
        "sweep",
        "study",
        "budget",
        "horizon",
        "metric",
        "value",
        "ci_low",
        "ci_high",
        "n_values",
        "best",
        "tied_with_best",
        "confidence",
        "resamples",
        "seed",
    ]
    assert len(table) == 4 * 2  # four cells, two metrics
    assert set(table["sweep"]) == {"ci"}
    assert (table["study"] == "ci_" + table["budget"] + "_" + table["horizon"]).all()
    cells = table.set_index(["metric", "budget", "horizon"])
    # tests/helpers/grid_ci_campaign.py: best = the smaller value, interval [min, max].
    assert cells.loc[("best", "2M", "h3"), ["value", "ci_low", "ci_high"]].tolist() == [
        0.35,
        0.35,
        0.90,
    ]
    # Top-5 mean of two values a < b: every value is in the top 5, so it is their mean;
    # a resample of two draws is (a, a) with probability 1/4, (b, b) 1/4, mixed 1/2: its mean
    # is a, (a + b) / 2 or b, and about 250 of the 1000 are a (the 25th smallest is a) and
    # about 250 are b (the 975th smallest is b): the interval is [a, b] again.
    assert cells.loc[("top5_mean", "2M", "h3"), ["value", "ci_low", "ci_high"]].tolist() == [
        (0.35 + 0.90) / 2,
        0.35,
        0.90,
    ]
    # One value 0.41 (the PRUNED and FAIL trials do not count): a point interval, one value.
    for metric in ("best", "top5_mean"):
        row = cells.loc[(metric, "20M", "h3")]
        assert [row["value"], row["ci_low"], row["ci_high"], row["n_values"]] == [
            0.41,
            0.41,
            0.41,
            1,
        ]
        tied = {(b, h) for (m, b, h), t in cells["tied_with_best"].items() if m == metric and t}
        assert tied == gc.TIED
        best = [(b, h) for (m, b, h), t in cells["best"].items() if m == metric and t]
        assert best == [gc.BEST]
    assert set(table["confidence"]) == {0.95}
    assert set(table["resamples"]) == {1000} and set(table["seed"]) == {0}


@pytest.mark.parametrize("metric", ["best", "top5_mean"])
def test_the_same_text_as_the_cli_csv(storage: str, text: str, metric: str, capsys) -> None:
    assert main(["grid", storage, "--ci", "--format", "csv", "--metric", metric]) == 0
    printed = _rows(capsys.readouterr().out)
    exported = [row for row in _rows(text) if row["metric"] == metric]
    assert printed and len(printed) == len(exported)
    for want, got in zip(printed, exported, strict=True):
        assert {column: got[column] for column in want} == want


def test_two_sweeps_each_give_their_cells(tmp_path: Path, capsys) -> None:
    path = tmp_path / "two.db"
    gc.populate_grid_ci(f"sqlite:///{path}")
    import optuna

    # A second sweep: the same grid under the name prefix "old_", maximized.
    for name, values in gc.VALUES.items():
        study = optuna.create_study(
            study_name=f"old_{name}", storage=f"sqlite:///{path}", direction="maximize"
        )
        for value in values:
            trial = optuna.trial.create_trial(state=optuna.trial.TrialState.COMPLETE, value=value)
            study.add_trial(trial)
    exported = _rows(render_export(load_campaign([str(path)]), FIXED)[GRID_INTERVALS_CSV])
    assert {row["sweep"] for row in exported} == {"ci", "old_ci"}
    assert len(exported) == 2 * 4 * 2
    assert main(["grid", str(path), "--ci", "--format", "csv"]) == 0
    printed = _rows(capsys.readouterr().out)
    best_rows = [row for row in exported if row["metric"] == "best"]
    assert [{c: row[c] for c in printed[0]} for row in best_rows] == printed
    # Maximized: a cell's best is its largest value (0.40, 0.90, 0.50, 0.41); the best cell
    # is the largest of those, 0.90 at 2M h3.
    old_best = [row for row in best_rows if row["sweep"] == "old_ci" and row["best"] == "True"]
    assert [(r["study"], r["value"]) for r in old_best] == [("old_ci_2M_h3", "0.9")]


def test_no_grid_gives_a_header_only(tmp_path: Path) -> None:
    import optuna

    path = tmp_path / "flat.db"
    optuna.create_study(study_name="no axes here", storage=f"sqlite:///{path}")
    text = render_export(load_campaign([str(path)]), FIXED)[GRID_INTERVALS_CSV]
    assert text.count("\n") == 1 and text.startswith("sweep,study,")


def test_every_column_is_documented_in_readme_and_docs(storage: str, text: str) -> None:
    documented = {part for name, _ in GRID_INTERVAL_FIELDS for part in name.split(" / ")}
    assert documented == set(_table(text).columns) - {"budget", "horizon"} | {"<axes>"}
    readme = render_export(load_campaign([storage]), FIXED)["README.md"]
    data_model = (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8")
    for name, meaning in GRID_INTERVAL_FIELDS:
        line = f"| `{name}` | {meaning} |"
        assert line in readme, name
        assert line in data_model, name
    assert GRID_INTERVAL_DEFINITIONS in readme and GRID_INTERVAL_DEFINITIONS in data_model
    assert f"`{GRID_INTERVALS_CSV}`" in readme


def test_verify_is_clean_and_names_a_changed_interval(storage: str, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    write_export(load_campaign([storage]), folder, generated_at=FIXED)
    assert verify_export(folder, [storage], Config()).identical
    path = folder / GRID_INTERVALS_CSV
    rows = _rows(path.read_text(encoding="utf-8"))
    header = list(rows[0])
    (target,) = [r for r in rows if r["study"] == "ci_2M_h3" and r["metric"] == "top5_mean"]
    target["ci_high"] = "0.9000000000000001"  # one ULP above 0.9
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    report = verify_export(folder, [storage], Config())
    found = [(d.file, d.where, d.column, d.on_disk, d.derived) for d in report.differences]
    where = "study=ci_2M_h3 metric=top5_mean"
    assert found == [(GRID_INTERVALS_CSV, where, "ci_high", "0.9000000000000001", "0.9")]
