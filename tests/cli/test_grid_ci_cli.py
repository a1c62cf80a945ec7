"""``hpo-tui grid --ci``: intervals and ties in every format, flags refused in one line."""

from __future__ import annotations

import json

import pytest

from hpo_tui.cli import main
from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.grid import build_grid
from hpo_tui.core.analysis.grid_ci import Bootstrap, grid_intervals
from tests.helpers import grid_ci_campaign as gc
from tests.helpers.export_compare import csv_frame
from tests.helpers.sqlite_file import written_sqlite


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> str:
    return written_sqlite(tmp_path_factory, "grid_ci_cli/ci.db", gc.populate_grid_ci)


def test_csv_one_row_per_cell_with_interval_and_tie(storage: str, capsys) -> None:
    assert main(["grid", storage, "--ci", "--format", "csv"]) == 0
    table = csv_frame(capsys.readouterr().out)
    assert list(table.columns) == [
        "budget",
        "horizon",
        "value",
        "ci_low",
        "ci_high",
        "n_values",
        "best",
        "tied_with_best",
    ]
    table = table.set_index(["budget", "horizon"])
    # See tests/helpers/grid_ci_campaign.py: [min, max] of each cell's values.
    assert table.loc[("2M", "h1"), ["ci_low", "ci_high"]].tolist() == [0.30, 0.40]
    assert table.loc[("2M", "h3"), ["ci_low", "ci_high"]].tolist() == [0.35, 0.90]
    assert table.loc[("20M", "h3"), ["ci_low", "ci_high", "n_values"]].tolist() == [0.41, 0.41, 1]
    assert set(table.index[table["tied_with_best"]]) == gc.TIED
    assert table.index[table["best"]].tolist() == [gc.BEST]


def test_json_cells_and_method(storage: str, capsys) -> None:
    assert main(["grid", storage, "--ci", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["interval"]["resamples"] == 1000 and document["interval"]["seed"] == 0
    assert document["interval"]["level"] == 0.95
    tied = {(c["budget"], c["horizon"]) for c in document["cells"] if c["tied_with_best"]}
    assert tied == gc.TIED
    cell = next(c for c in document["cells"] if (c["budget"], c["horizon"]) == ("2M", "h3"))
    assert (cell["ci_low"], cell["ci_high"], cell["n_values"]) == (0.35, 0.90, 2)


def test_resamples_and_seed_reach_the_core(storage: str, capsys) -> None:
    args = ["grid", storage, "--ci", "--resamples", "7", "--seed", "3", "--format", "csv"]
    assert main(args) == 0
    table = csv_frame(capsys.readouterr().out).set_index(["budget", "horizon"])
    campaign = load_campaign([storage])
    want = grid_intervals(campaign, build_grid(campaign), Bootstrap(resamples=7, seed=3))
    for (budget, horizon), row in table.iterrows():
        assert row["ci_low"] == want.low.loc[budget, horizon]
        assert row["ci_high"] == want.high.loc[budget, horizon]


def test_table_and_markdown_mark_every_tied_cell(storage: str, capsys) -> None:
    assert main(["grid", storage, "--ci"]) == 0
    out = capsys.readouterr().out
    assert "*0.3000 [0.3000, 0.4000]" in out and "*0.3500 [0.3500, 0.9000]" in out
    assert "*0.45" not in out and "*0.41" not in out
    assert "overlaps the best cell's (1000 resamples" in out
    assert main(["grid", storage, "--ci", "--format", "markdown", "--metric", "top5_mean"]) == 0
    assert capsys.readouterr().out.count("**") == 4  # top-5 mean of ≤ 5 values: the mean, tied


def test_without_ci_the_grid_is_unchanged(storage: str, capsys) -> None:
    assert main(["grid", storage, "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "budget,h1,h3"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--resamples", "10"], "--resamples applies to bootstrap intervals: add --ci"),
        (["--seed", "1"], "--seed applies to bootstrap intervals: add --ci"),
        (["--ci", "--metric", "n_diverged"], "--ci applies to --metric best, median, top5_mean"),
    ],
)
def test_refused_in_one_line(storage: str, args: list[str], message: str, capsys) -> None:
    assert main(["grid", storage, *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"hpo-tui: error: {message}") and err.count("\n") == 1


@pytest.mark.parametrize("args", [["--resamples", "0"], ["--seed", "-1"], ["--resamples", "x"]])
def test_bad_numbers_exit_2(storage: str, args: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["grid", storage, "--ci", *args])
    assert exc.value.code == 2
