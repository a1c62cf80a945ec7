"""The command line: summary output, exact CSV, and one-line errors with exit code 2."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from hpo_tui import __version__
from hpo_tui.cli import main
from hpo_tui.core import load_campaign
from tests.conftest import BuiltStorage
from tests.helpers.snapshot_fs import fs_state


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hpo_tui", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"hpo-tui {__version__}"


def test_summary_csv_is_exact(sqlite_storage: BuiltStorage, capsys: pytest.CaptureFixture) -> None:
    assert main(["summary", sqlite_storage.spec, "--format", "csv"]) == 0
    text = capsys.readouterr().out
    table = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
    assert list(table.columns) == [
        "study",
        "budget",
        "horizon",
        "sweep",
        "direction",
        "n_trials",
        "n_complete",
        "n_pruned",
        "n_fail",
        "n_running",
        "n_waiting",
        "n_diverged",
        "best_value",
        "best_trial",
        "source",
    ]
    campaign = load_campaign([sqlite_storage.spec])
    want = campaign.studies.set_index("study")
    for row in table.itertuples(index=False):
        expected = want.loc[row.study, "best_value"]
        if pd.isna(expected):
            assert pd.isna(row.best_value)
        else:
            assert struct.pack("<d", row.best_value) == struct.pack("<d", expected)
        assert row.n_trials == want.loc[row.study, "n_trials"]
    # grid studies by sweep (fx, then fx_multi), each in magnitude order; off-grid last
    assert table["sweep"].tolist()[:4] == ["fx", "fx", "fx", "fx_multi"]
    assert table["budget"].tolist()[:4] == ["2M", "200M", "2B", "20M"]
    assert pd.isna(table["budget"].iloc[-1])


def test_summary_table_shows_every_study(sqlite_storage: BuiltStorage) -> None:
    result = run("summary", sqlite_storage.spec)
    assert result.returncode == 0, result.stderr
    for name in ("fx_2M_h1", "fx_2B_h3", "sanity check (no axes)"):
        assert name in result.stdout


def test_storage_from_environment(sqlite_storage: BuiltStorage) -> None:
    import os

    env = {**os.environ, "HPO_TUI_STORAGE": sqlite_storage.spec}
    result = run("summary", "--format", "csv", env=env)
    assert result.returncode == 0, result.stderr
    assert "fx_2M_h1" in result.stdout


def _bad_inputs(tmp: Path) -> list[tuple[str, str]]:
    (tmp / "empty.db").touch()
    (tmp / "notes.txt").write_text("hello\n")
    (tmp / "random.bin").write_bytes(bytes(range(256)) * 8)
    (tmp / "nostore").mkdir()
    (tmp / "nostore" / "readme.md").write_text("# nothing\n")
    return [
        (str(tmp / "missing.db"), "no such file"),
        (str(tmp / "empty.db"), "empty file"),
        (str(tmp / "notes.txt"), "not an Optuna storage"),
        (str(tmp / "random.bin"), "not an Optuna storage"),
        (str(tmp / "nostore"), "no Optuna storage"),
        ("postgresql://postgres:hunter2@127.0.0.1:1/x", "not reachable"),
        ("mongodb://u:hunter2@localhost/0", "unsupported storage URL"),
    ]


def test_bad_inputs_give_one_line_exit_2_and_write_nothing(tmp_path: Path) -> None:
    cases = _bad_inputs(tmp_path)
    before = fs_state(tmp_path)
    for spec, problem in cases:
        result = run("summary", spec)
        assert result.returncode == 2, (spec, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert problem in lines[0], lines[0]
        assert "Traceback" not in result.stderr
        assert "hunter2" not in result.stderr + result.stdout
        shown = spec.replace("hunter2", "***")
        assert shown in lines[0]
    assert fs_state(tmp_path) == before


@pytest.mark.parametrize(
    "args",
    [
        ["summary", "postgresql://alice:s3cr/et@127.0.0.1:1/db"],
        ["summary", "postgresql://alice@127.0.0.1:1/db?password=s3cr/et"],
    ],
)
def test_secrets_in_odd_urls_stay_hidden(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert "s3cr" not in result.stderr + result.stdout
    assert "alice" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["summary", "x.db", "--digits", "0"],
        ["grid", "x.db", "--watch", "inf"],
        ["summary", "x.db", "--watch", "-1"],
    ],
)
def test_bad_options_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_tui_on_a_missing_file_is_one_line_exit_2(tmp_path: Path) -> None:
    result = run(str(tmp_path / "missing.db"))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "no such file" in result.stderr


def test_wrong_password_is_masked_and_named(pg_storage: BuiltStorage) -> None:
    url = pg_storage.spec.replace("postgres@", "nobody:hunter2@")
    result = run("summary", url)
    assert result.returncode == 2
    assert "hunter2" not in result.stderr
    assert "nobody:***@" in result.stderr


def test_no_source_names_the_demo(tmp_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k != "HPO_TUI_STORAGE"}
    result = subprocess.run(
        [sys.executable, "-m", "hpo_tui", "summary"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 2
    assert "hpo-tui demo" in result.stderr


def test_demo_print_prints_the_summary(
    capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hpo_tui.demo as demo
    from tests.helpers.golden import GOLDEN_DB

    monkeypatch.setattr(demo, "demo_storage_path", lambda: GOLDEN_DB)
    assert main(["demo", "--print"]) == 0
    out = capsys.readouterr().out
    assert "fx_2M_h1" in out and "sweep" in out


def test_ctrl_c_mid_export_leaves_the_previous_export_and_says_so(
    capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import hpo_tui.core.export.writer as export
    from tests.helpers.golden import GOLDEN_DB

    out = tmp_path / "analysis"
    assert main(["export", str(GOLDEN_DB), "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(export, "write_full_json", interrupted)
    assert main(["export", str(GOLDEN_DB), "--out", str(out)]) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"hpo-tui: export interrupted: {out} is unchanged (the previous export, if any, is intact)"
    ]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analysis"]  # no staging left


@pytest.mark.parametrize("interrupt", [False, True])
def test_export_runs_without_the_cyclic_collector_and_restores_it(
    capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, interrupt: bool
) -> None:
    # The export allocates millions of short-lived containers over a campaign of long-lived
    # ones: the command (not the library) turns the collector off while it writes.
    import gc

    import hpo_tui.core.export.writer as export
    from tests.helpers.golden import GOLDEN_DB

    seen: list[bool] = []
    write_full_json = export.write_full_json

    def watched(*args: object) -> None:
        seen.append(gc.isenabled())
        if interrupt:
            raise KeyboardInterrupt
        write_full_json(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(export, "write_full_json", watched)
    assert gc.isenabled()
    code = main(["export", str(GOLDEN_DB), "--out", str(tmp_path / "analysis")])
    assert code == (130 if interrupt else 0)
    assert seen == [False]
    assert gc.isenabled()  # as the command found it
    capsys.readouterr()


def test_export_leaves_a_disabled_collector_disabled(
    capsys: pytest.CaptureFixture, tmp_path: Path
) -> None:
    import gc

    from tests.helpers.golden import GOLDEN_DB

    gc.disable()
    try:
        assert main(["export", str(GOLDEN_DB), "--out", str(tmp_path / "analysis")]) == 0
        assert not gc.isenabled()
    finally:
        gc.enable()
    capsys.readouterr()
