"""``hpo-tui serve``: the command the browser session runs, and what it refuses.

The browser itself is driven in ``test_serve_browser.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hpo_tui.cli import build_parser
from hpo_tui.cli.common import resolve_specs
from hpo_tui.cli.serve import SOURCES_VARIABLE, served_command, served_environment
from hpo_tui.core.config import Config
from hpo_tui.core.model.watch import DEFAULT_WATCH, WatchPolicy
from tests.conftest import BuiltStorage

SECRET_URL = "postgresql+psycopg2://alice:hunter2@db.example:5432/optuna?sslpassword=pw42"


def test_sources_travel_in_the_environment_not_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs = [SECRET_URL, str(tmp_path / "runs dir"), "sqlite:///study.db"]
    command = served_command(DEFAULT_WATCH)
    environment = served_environment(specs)
    for secret in ("hunter2", "pw42", "alice", "runs dir", "study.db"):
        assert secret not in command
    # the served process reads them back exactly, in order
    monkeypatch.setenv(SOURCES_VARIABLE, environment[SOURCES_VARIABLE])
    assert resolve_specs([], Config()) == specs


@pytest.mark.parametrize(
    ("watch", "flags"),
    [(DEFAULT_WATCH, []), (None, ["--no-watch"]), (WatchPolicy.every(2.5), ["--watch", "2.5"])],
)
def test_served_command_is_the_tui_with_the_same_watch(watch, flags: list[str]) -> None:
    import shlex

    words = shlex.split(served_command(watch))
    assert words[:4] == [sys.executable, "-m", "hpo_tui", "open"]
    assert words[4:] == flags
    parsed = build_parser().parse_args(words[3:])
    assert parsed.watch == watch and parsed.sources == []


def test_a_source_with_a_line_break_is_refused() -> None:
    from hpo_tui.core.errors import HpoTuiError

    with pytest.raises(HpoTuiError, match="line break"):
        served_environment(["one\ntwo.db"])


def _serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hpo_tui", "serve", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_serve_refuses_a_bad_source_before_listening(tmp_path: Path) -> None:
    result = _serve(str(tmp_path / "missing.db"), "--port", "1")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"hpo-tui: error: {tmp_path / 'missing.db'}: no such file or directory"
    ]


def test_serve_names_a_port_it_cannot_bind(sqlite_storage: BuiltStorage) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _serve(sqlite_storage.spec, "--port", str(port))
    assert result.returncode == 2
    assert f"127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
