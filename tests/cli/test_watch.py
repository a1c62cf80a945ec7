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

from hpo_tui.cli import build_parser
from hpo_tui.core.model.watch import DEFAULT_WATCH, WatchPolicy
from tests.helpers.worker import STUDIES, finish_workers, start_workers, storage_for


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
        assert re.search(r"# .* · \+(1 trial|2 trials)\n", output)  # it may see one, then two
        if command == "summary":
            _wait(lines, lambda out: "w_2M_h1,2M,h1,w,minimize,3," in out)
        assert "\x1b[2J" not in output  # a pipe gets appended tables, not screen clears
    finally:
        process.terminate()
        process.wait(timeout=10)


def _last_table(output: str) -> str:
    """What the watcher printed after its last ``# time · what`` line."""
    return output[output.rindex("\n# ") + 1 :].split("\n", 1)[1] if "\n# " in output else ""


@pytest.mark.parametrize("command", ["summary", "grid"])
def test_watch_follows_a_sweep_that_starts_after_opening_and_pauses(
    tmp_path: Path, command: str
) -> None:
    """Opened on a study with 0 trials; then workers that pause 3 s between trials (nothing
    RUNNING for a while) write to it: the last table printed equals a fresh run's."""
    spec = f"sqlite:///{tmp_path / 'w.db'}"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    optuna.create_study(study_name=STUDIES[0], storage=spec)
    args = [sys.executable, "-m", "hpo_tui", command, spec, "--format", "csv"]
    process = subprocess.Popen(
        [*args, "--watch", "0.2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    lines: list[str] = []
    thread = threading.Thread(target=_reader, args=(process.stdout, lines), daemon=True)
    thread.start()
    try:
        _wait(lines, lambda out: out.startswith("# "))
        optuna.create_study(study_name=STUDIES[1], storage=spec)
        workers = start_workers(spec, workers=2, trials=3, pause=3.0)
        finish_workers(workers)
        fresh = subprocess.run(args, capture_output=True, text=True, check=True).stdout
        assert fresh.strip()
        _wait(lines, lambda out: _last_table("\n" + out) == fresh, timeout=120)
        assert "".join(lines).count("# ") >= 3  # the new study, then the trials
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("command", ["open", "demo"])
def test_tui_watch_flags(command: str) -> None:
    """No flag: the backing-off default; ``--watch N``: every N s, always; ``--no-watch``."""
    parser = build_parser()
    assert parser.parse_args([command]).watch == DEFAULT_WATCH
    assert (DEFAULT_WATCH.period, DEFAULT_WATCH.ceiling) == (5, 60)
    explicit = parser.parse_args([command, "--watch", "2"]).watch
    assert explicit == WatchPolicy.every(2) and not explicit.backs_off
    assert parser.parse_args([command, "--no-watch"]).watch is None


def test_watch_survives_a_failed_check(tmp_path: Path) -> None:
    """The storage is moved away (one warning, not one per check), then comes back with
    new trials: the watcher is still running and prints them."""
    path = tmp_path / "moved.log"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(study_name=STUDIES[0], storage=storage_for(str(path)))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    args = [sys.executable, "-m", "hpo_tui", "summary", str(path), "--format", "csv"]
    process = subprocess.Popen(
        [*args, "--watch", "0.1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    lines: list[str] = []
    errors: list[str] = []
    for stream, sink in ((process.stdout, lines), (process.stderr, errors)):
        threading.Thread(target=_reader, args=(stream, sink), daemon=True).start()
    try:
        _wait(lines, lambda out: out.startswith("# "))
        aside = tmp_path / "aside.log"
        path.rename(aside)
        _wait(errors, lambda err: "still watching" in err)
        time.sleep(0.5)  # several more failed checks
        optuna.load_study(study_name=STUDIES[0], storage=storage_for(str(aside))).optimize(
            lambda t: t.suggest_float("x", 0, 1), n_trials=2
        )
        aside.rename(path)
        fresh = subprocess.run(args, capture_output=True, text=True, check=True).stdout
        _wait(lines, lambda out: _last_table("\n" + out) == fresh)
        assert process.poll() is None
        assert "".join(errors).count("still watching") == 1, errors
    finally:
        process.terminate()
        process.wait(timeout=10)
