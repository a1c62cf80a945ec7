"""``hpo-tui serve`` in a real browser: headless Chromium shows the grid, and a password in a
source URL reaches neither the page, the server's output nor any process's command line.

Needs Debian's ``chromium`` and ``chromium-driver``; without them the tests skip with the
reason, unless ``HPO_TUI_REQUIRE_SERVERS=1`` (set by ``.ci/run``, which installs them).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from hpo_tui.core import load_campaign
from tests.conftest import BuiltStorage, _unavailable
from tests.helpers.browser import free_port, headless_chromium, missing_browser, wait_until


@pytest.fixture(autouse=True)
def _needs_browser() -> None:
    why = missing_browser()
    if why is not None:
        _unavailable(why)
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        _unavailable("textual-serve is not installed (pip install '.[serve]')")


@dataclass
class Served:
    """A running ``hpo-tui serve``: its URL, process and captured output."""

    url: str
    process: subprocess.Popen[bytes]
    output: Path

    def text(self) -> str:
        return self.output.read_text(errors="replace")


@contextmanager
def serving(
    *sources: str, tmp: Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> Iterator[Served]:
    """``hpo-tui serve SOURCE… --port FREE`` in its own process group, stopped on exit."""
    port = free_port()
    output = tmp / f"serve-{port}.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "hpo_tui", "serve", *sources, "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,  # its sessions' app processes are in its group
        )
    served = Served(f"http://127.0.0.1:{port}/", process, output)
    try:

        def answers() -> bool:
            assert process.poll() is None, f"serve exited: {served.text()}"
            try:
                with urllib.request.urlopen(served.url, timeout=5) as response:
                    return response.status == 200
            except (urllib.error.URLError, ConnectionError):
                return False

        wait_until(answers, 30, f"the server on port {port}")
        yield served
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        finally:
            # whatever of the group is left: the served app processes
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _grid_on_screen(browser, row_axis: str = "Budget") -> str | None:
    text = browser.screen_text()
    return text if text and f"  {row_axis}  " in text else None


def test_the_grid_renders_in_a_browser(sqlite_storage: BuiltStorage, tmp_path: Path) -> None:
    campaign = load_campaign([sqlite_storage.spec])
    studies = campaign.studies
    with (
        serving(sqlite_storage.spec, tmp=tmp_path) as served,
        headless_chromium(tmp_path / "profile") as browser,
    ):
        browser.open(served.url)
        screen = wait_until(lambda: _grid_on_screen(browser), 60, "the grid in the browser")
    lines = screen.splitlines()
    assert f"hpo-tui — {len(studies)} studies" in lines[0]
    from hpo_tui.core.analysis.grid import build_grid, grid_totals
    from hpo_tui.core.display import plural

    totals = grid_totals(campaign, build_grid(campaign))  # the default sweep's cells
    shown = f"{plural(totals['n_studies'], 'study')} · {plural(totals['n_trials'], 'trial')}"
    assert shown in screen
    # the grid: horizon columns and budget rows of the campaign, and its cells' counts
    header = next(line for line in lines if "Budget" in line).split()
    assert header[0] == "Budget" and header[1:]
    assert set(header[1:]) <= set(studies["horizon"].dropna().astype(str))
    budgets = set(studies["budget"].dropna().astype(str))
    assert budgets & {line.split()[0] for line in lines if line.strip()}
    compact = set(re.findall(r"C\d+ P\d+ F\d+ R\d+", screen))
    spelled = re.findall(r"(\d+) complete · (\d+) pruned · (\d+) failed · (\d+) running", screen)
    counts = compact | {f"C{c} P{p} F{f} R{r}" for c, p, f, r in spelled}
    every_study = {
        f"C{row.n_complete} P{row.n_pruned} F{row.n_fail} R{row.n_running}"
        for row in studies.itertuples()
    }
    assert counts and counts <= every_study


def test_the_served_app_reads_the_same_config(sqlite_storage: BuiltStorage, tmp_path: Path) -> None:
    from hpo_tui.core.config import DEFAULT_AXIS_PATTERN

    # the grid's row axis is named by the config's pattern: "scale" instead of "budget"
    pattern = DEFAULT_AXIS_PATTERN.replace("(?P<budget>", "(?P<scale>")
    assert pattern != DEFAULT_AXIS_PATTERN
    (tmp_path / "hpo-tui.toml").write_text(f"[axes]\npattern = '''{pattern}'''\n")
    with (
        serving(sqlite_storage.spec, tmp=tmp_path, cwd=tmp_path) as served,
        headless_chromium(tmp_path / "profile") as browser,
    ):
        browser.open(served.url)
        screen = wait_until(
            lambda: _grid_on_screen(browser, "Scale"), 60, "the grid with the config's axis"
        )
    assert "Budget" not in screen


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _command_line(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.mark.server
def test_a_password_reaches_no_page_log_or_command_line(
    pg_storage: BuiltStorage, tmp_path: Path
) -> None:
    secret = "s3cret-pw-7f2c"  # trust auth on the test server accepts any password
    user_part = "postgres@"
    assert user_part in pg_storage.spec
    url = pg_storage.spec.replace(user_part, f"postgres:{secret}@", 1)
    with (
        serving(url, tmp=tmp_path) as served,
        headless_chromium(tmp_path / "profile") as browser,
    ):
        with urllib.request.urlopen(served.url, timeout=10) as response:
            page = response.read().decode()
        browser.open(served.url)
        screen = wait_until(lambda: _grid_on_screen(browser), 60, "the grid in the browser")
        processes = _descendants(served.process.pid)
        command_lines = [_command_line(pid) for pid in processes]
        dom = browser.run("return document.documentElement.outerHTML")
    assert any("hpo_tui open" in line for line in command_lines), command_lines  # a session ran
    assert secret not in page
    assert secret not in dom
    assert secret not in screen
    assert secret not in served.text()
    for line in command_lines:
        assert secret not in line
