"""Broken, hostile and oversized inputs through the CLI (see docs/reliability.md)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import optuna
import pytest

from tests.conftest import BuiltStorage
from tests.helpers.paths import ROOT
from tests.helpers.snapshot_fs import fs_state


def run(*args: str, user: str | None = None, cwd: Path | None = None):
    command = [sys.executable, "-m", "hpo_tui", *args]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", "--regid=nogroup", "--clear-groups", *command]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, cwd=cwd or ROOT, env=env
    )


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder an unprivileged user can enter (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="hpo-tui-rel-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


needs_root = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="needs root and setpriv to run a command as an unprivileged user",
)


@needs_root
def test_unreadable_file_is_permission_denied(shared_dir: Path, sqlite_storage: BuiltStorage):
    target = shared_dir / "secret.db"
    shutil.copy2(sqlite_storage.spec, target)
    target.chmod(0o600)  # root's file; "nobody" may not read it
    before = fs_state(shared_dir)
    result = run("summary", str(target), user="nobody")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == f"hpo-tui: error: {target}: permission denied"
    assert fs_state(shared_dir) == before


@needs_root
def test_unwritable_export_folder(shared_dir: Path, sqlite_storage: BuiltStorage) -> None:
    source = shared_dir / "campaign.db"
    shutil.copy2(sqlite_storage.spec, source)
    source.chmod(0o644)
    out = shared_dir / "analysis"
    out.mkdir(mode=0o755)
    before = fs_state(shared_dir)
    result = run("export", str(source), "--out", str(out), user="nobody")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "permission denied" in lines[0] and str(out) in lines[0]
    assert fs_state(shared_dir) == before


def test_journal_cut_mid_write_reads_the_rest_and_warns(
    tmp_path: Path, journal_storage: BuiltStorage
) -> None:
    data = Path(journal_storage.spec).read_bytes()
    cut = tmp_path / "cut.log"
    cut.write_bytes(data[: len(data) - 7])  # the last record loses its end
    result = run("summary", str(cut), "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert "last line is incomplete" in result.stderr
    assert "fx_2M_h1" in result.stdout


def test_unknown_database_on_a_live_server(pg_storage: BuiltStorage) -> None:
    url = pg_storage.spec.rsplit("/", 1)[0] + "/no_such_database_here"
    result = run("summary", url)
    assert result.returncode == 2
    assert result.stderr.strip().endswith("database does not exist")


@pytest.fixture(scope="module")
def big_names(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("big") / "big.db"
    url = f"sqlite:///{path}"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    long_name = "long_2M_h1_" + "x" * 10_000
    for name in (long_name, "模型_20M_h3_Größe", "مرحبا_2B_h5"):
        study = optuna.create_study(study_name=name, storage=url)
        trial = study.ask()
        trial.suggest_float("x", 0, 1)
        nested: dict = {"level": 0}
        node = nested
        for depth in range(200):  # deep nesting and ~1 MB of payload
            node["child"] = {"level": depth + 1, "blob": "y" * 5000}
            node = node["child"]
        trial.set_user_attr("nested", nested)
        study.tell(trial, 0.5)
    return str(path)


def test_huge_attrs_and_long_or_non_ascii_names(big_names: str, tmp_path: Path) -> None:
    result = run("summary", big_names, "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert "模型_20M_h3_Größe" in result.stdout and "مرحبا_2B_h5" in result.stdout
    assert "x" * 10_000 in result.stdout
    grid = run("grid", big_names, "--format", "markdown")
    assert grid.returncode == 0 and "| 2B |" in grid.stdout
    export = run("export", big_names, "--out", str(tmp_path / "out"))
    assert export.returncode == 0, export.stderr
    full = (tmp_path / "out" / "hpo_full.json").read_text(encoding="utf-8")
    assert len(full) > 3_000_000 and "模型_20M_h3_Größe" in full


@pytest.mark.parametrize(
    "command",
    [
        ["summary"],
        ["grid", "--format", "markdown"],
        ["diverged", "--format", "csv"],
        ["space", "--format", "csv"],
        ["methods"],
    ],
)
def test_every_command_leaves_the_storages_untouched(
    tmp_path: Path, sqlite_storage: BuiltStorage, journal_storage: BuiltStorage, command: list[str]
) -> None:
    folder = tmp_path / "storages"
    folder.mkdir()
    shutil.copy2(sqlite_storage.spec, folder / "a.db")
    shutil.copy2(journal_storage.spec, folder / "b.log")
    before = fs_state(folder)
    result = run(command[0], str(folder), *command[1:])
    assert result.returncode == 0, result.stderr
    assert fs_state(folder) == before


def test_export_leaves_the_storages_untouched(tmp_path: Path, sqlite_storage: BuiltStorage):
    folder = tmp_path / "storages"
    folder.mkdir()
    shutil.copy2(sqlite_storage.spec, folder / "a.db")
    before = fs_state(folder)
    result = run("export", str(folder), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert fs_state(folder) == before
