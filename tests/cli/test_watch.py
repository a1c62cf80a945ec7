"""``summary --watch`` / ``grid --watch`` on a pipe: one table first, one more per change."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import optuna
import pytest


def _reader(stream, lines: list[str]) -> None:
    for line in stream:
        lines.append(line)


def _wait(lines: list[str], predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate("".join(lines)):
            return
        time.sleep(0.1)
    raise AssertionError("never happened; output so far:\n" + "".join(lines))


@pytest.mark.parametrize("command", ["summary", "grid"])
def test_watch_appends_a_table_per_change(tmp_path: Path, command: str) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(study_name="w_2M_h1", storage=url)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    process = subprocess.Popen(
        [sys.executable, "-m", "hpo_tui", command, url, "--format", "csv", "--watch", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    thread = threading.Thread(target=_reader, args=(process.stdout, lines), daemon=True)
    thread.start()
    try:
        _wait(lines, lambda out: "# " in out and "2M" in out)
        time.sleep(0.6)
        assert "".join(lines).count("# ") == 1  # no change, no new table
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
        _wait(lines, lambda out: out.count("# ") >= 2)
        output = "".join(lines)
        assert re.search(r"# .* · \+[12] trials", output)  # the watcher may see one, then two
        if command == "summary":
            _wait(lines, lambda out: "w_2M_h1,2M,h1,w,minimize,3," in out)
        assert "\x1b[2J" not in output  # a pipe gets appended tables, not screen clears
    finally:
        process.terminate()
        process.wait(timeout=10)
