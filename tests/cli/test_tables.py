"""Paper tables and exports from the command line (golden files on the committed fixture)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hpo_tui.cli import main
from hpo_tui.core import load_campaign
from hpo_tui.core.export.writer import EXPORT_FILES, write_export
from tests.helpers.golden import GOLDEN_SPEC
from tests.helpers.paths import ROOT


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("fmt", ["markdown", "latex", "csv", "json"])
@pytest.mark.parametrize("metric", ["best", "n_diverged"])
def test_grid_formats(capsys: pytest.CaptureFixture, golden, fmt: str, metric: str) -> None:
    assert main(["grid", GOLDEN_SPEC, "--format", fmt, "--metric", metric]) == 0
    assert golden(f"grid/{metric}.{fmt}") == capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["markdown", "latex", "csv", "json"])
def test_summary_formats(capsys: pytest.CaptureFixture, golden, fmt: str) -> None:
    assert main(["summary", GOLDEN_SPEC, "--format", fmt]) == 0
    assert golden(f"summary/summary.{fmt}") == capsys.readouterr().out


def test_diverged_csv(capsys: pytest.CaptureFixture) -> None:
    assert main(["diverged", GOLDEN_SPEC, "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out == (ROOT / "tests/fixtures/golden/export/hpo_diverged.csv").read_text()


def test_best_cell_is_bold_and_direction_aware(tmp_path: Path, capsys) -> None:
    """A minimize-only grid: the lowest value is bold; a maximize-only grid: the highest."""
    import optuna

    for direction, expected in (("minimize", "0.1000"), ("maximize", "0.4000")):
        url = f"sqlite:///{tmp_path / direction}.db"
        for name, value in (("m_2M_h1", 0.3), ("m_2M_h3", 0.1), ("m_2B_h1", 0.4)):
            study = optuna.create_study(study_name=name, storage=url, direction=direction)
            study.add_trial(optuna.trial.create_trial(value=value))
        assert main(["grid", url, "--format", "markdown"]) == 0
        markdown = capsys.readouterr().out
        assert f"**{expected}**" in markdown
        assert markdown.count("**") == 2
        assert main(["grid", url, "--format", "latex"]) == 0
        assert rf"\textbf{{{expected}}}" in capsys.readouterr().out


def test_cli_export_equals_core_export(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hpo_tui", "export", GOLDEN_SPEC, "--out", str(tmp_path / "cli")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    write_export(load_campaign([GOLDEN_SPEC]), tmp_path / "core")
    for name in EXPORT_FILES:
        cli = (tmp_path / "cli" / name).read_text().splitlines()
        core = (tmp_path / "core" / name).read_text().splitlines()
        strip = [line for line in cli if "generated_at" not in line and "Written by" not in line]
        strip_core = [
            line for line in core if "generated_at" not in line and "Written by" not in line
        ]
        if name == "hpo_full.json":  # one line: drop the timestamp field
            import re

            pattern = re.compile(r'"generated_at": ?"[^"]*"')
            strip = [pattern.sub("", line) for line in cli]
            strip_core = [pattern.sub("", line) for line in core]
        assert strip == strip_core, name


def test_export_to_a_file_is_one_line_exit_2(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("x")
    result = subprocess.run(
        [sys.executable, "-m", "hpo_tui", "export", GOLDEN_SPEC, "--out", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert str(target) in result.stderr and "not a folder" in result.stderr
    assert target.read_text() == "x"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["space", GOLDEN_SPEC, "--format", "csv"], "param,kind,low,high,log,step,choices"),
        (["space", GOLDEN_SPEC, "--format", "markdown"], "| Parameter | Type |"),
        (["space", GOLDEN_SPEC, "--per-study", "--format", "csv"], "study,budget,horizon,param"),
        (["methods", GOLDEN_SPEC, "--format", "latex"], r"\subsubsection*{Search space}"),
        (["methods", GOLDEN_SPEC], "### Samplers and pruners"),
    ],
)
def test_space_and_methods_commands(capsys: pytest.CaptureFixture, args, expected: str) -> None:
    assert main(args) == 0
    assert expected in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["table", "markdown", "latex"])
@pytest.mark.parametrize("metric", ["best_epoch_median", "best_epoch", "n_diverged", "best"])
def test_grid_integers_print_as_integers(
    capsys: pytest.CaptureFixture, fmt: str, metric: str
) -> None:
    """Whole numbers are never padded (``6``, not ``6.0000``), other cells keep 4 significant
    digits, whatever the metric."""
    import re

    from hpo_tui.core.analysis.grid import build_grid
    from hpo_tui.core.display import display_number

    assert main(["grid", GOLDEN_SPEC, "--format", fmt, "--metric", metric]) == 0
    out = capsys.readouterr().out
    grid = build_grid(load_campaign([GOLDEN_SPEC]), metric)  # type: ignore[arg-type]
    values = [v for v in grid.values.stack().dropna().tolist()]
    assert values
    for value in values:
        shown = display_number(value)
        if float(value).is_integer():
            assert shown == str(int(value))
        assert re.search(rf"(?<![\d.]){re.escape(shown)}(?![\d.])", out), (value, shown)
    assert not re.search(r"\b\d+\.0000\b", out)
