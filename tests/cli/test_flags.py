"""Every flag is honoured by every format it is accepted with; otherwise one line, exit 2.

For each command and format: a flag the format honours changes the output; a flag it cannot
honour is refused before anything is read, naming the flag and the format.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hpo_tui.cli import main
from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.space import study_space
from hpo_tui.core.export.formats.markup import latex_escape, markdown_escape
from tests.helpers.golden import GOLDEN_SPEC
from tests.helpers.paths import ROOT

MISSING = "no/such/storage.db"  # a refused flag is refused before any source is opened


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.fixture
def patterns(patterns_db: Path) -> str:
    return str(patterns_db)


def _run(argv: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


REFUSED = [
    (["summary", "--digits", "3"], "--digits", "csv"),
    (["summary", "--digits", "3"], "--digits", "json"),
    (["summary", "--digits", "4"], "--digits", "csv"),  # the default value, given explicitly
    (["grid", "--digits", "3"], "--digits", "csv"),
    (["grid", "--digits", "3"], "--digits", "json"),
    (["importance", "--digits", "3"], "--digits", "csv"),
]


@pytest.mark.parametrize(("argv", "flag", "fmt"), REFUSED)
def test_a_flag_the_format_cannot_honour_is_one_line_exit_2(
    argv: list[str], flag: str, fmt: str, capsys: pytest.CaptureFixture
) -> None:
    code, out, err = _run([argv[0], MISSING, *argv[1:], "--format", fmt], capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("hpo-tui: error: ")
    assert flag in err and f"--format {fmt}" in err
    assert MISSING not in err  # refused before the source was looked at


@pytest.mark.parametrize("fmt", ["table", "markdown", "latex"])
@pytest.mark.parametrize("command", ["summary", "grid"])
def test_digits_changes_every_format_that_accepts_it(
    command: str, fmt: str, capsys: pytest.CaptureFixture
) -> None:
    outputs = {}
    for digits in ("2", "6"):
        code, outputs[digits], _ = _run(
            [command, GOLDEN_SPEC, "--format", fmt, "--digits", digits], capsys
        )
        assert code == 0
    assert outputs["2"] != outputs["6"]
    _, default, _ = _run([command, GOLDEN_SPEC, "--format", fmt], capsys)
    _, four, _ = _run([command, GOLDEN_SPEC, "--format", fmt, "--digits", "4"], capsys)
    assert default == four  # no --digits: 4 decimals, as documented


@pytest.mark.parametrize("fmt", ["table", "markdown", "latex"])
def test_importance_digits_changes_every_format_that_accepts_it(
    patterns: str, fmt: str, capsys: pytest.CaptureFixture
) -> None:
    _, two, _ = _run(["importance", patterns, "--format", fmt, "--digits", "2"], capsys)
    _, six, _ = _run(["importance", patterns, "--format", fmt, "--digits", "6"], capsys)
    assert two and two != six


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "markdown", "latex"])
def test_summary_metric_is_honoured_by_every_format(
    fmt: str, capsys: pytest.CaptureFixture
) -> None:
    _, plain, _ = _run(["summary", GOLDEN_SPEC, "--format", fmt], capsys)
    code, with_metric, _ = _run(
        ["summary", GOLDEN_SPEC, "--format", fmt, "--metric", "best_epoch_median"], capsys
    )
    assert code == 0 and with_metric != plain
    if fmt != "table":  # the terminal table may abbreviate a header to fit
        name = r"best\_epoch\_median" if fmt == "latex" else "best_epoch_median"
        assert name in with_metric and name not in plain


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "markdown", "latex"])
def test_grid_metric_is_honoured_by_every_format(fmt: str, capsys: pytest.CaptureFixture) -> None:
    outputs = {}
    for metric in ("best", "n_diverged"):
        code, outputs[metric], _ = _run(
            ["grid", GOLDEN_SPEC, "--format", fmt, "--metric", metric], capsys
        )
        assert code == 0
    assert outputs["best"] != outputs["n_diverged"]


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown", "latex"])
def test_space_per_study_is_honoured_by_every_format(
    fmt: str, capsys: pytest.CaptureFixture
) -> None:
    _, merged, _ = _run(["space", GOLDEN_SPEC, "--format", fmt], capsys)
    code, per_study, _ = _run(["space", GOLDEN_SPEC, "--format", fmt, "--per-study"], capsys)
    assert code == 0 and per_study != merged
    if fmt in ("markdown", "latex"):
        rows = study_space(load_campaign([GOLDEN_SPEC]))
        mark = "| " if fmt == "markdown" else r" \\"
        body = [line for line in per_study.splitlines() if mark in line]
        assert len(body) == len(rows) + 1  # the header and one line per study and distribution
        escape = latex_escape if fmt == "latex" else markdown_escape
        for study in set(rows["study"]):
            assert escape(str(study)) in per_study
