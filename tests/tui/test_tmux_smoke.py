"""One real-terminal run: tmux starts hpo-tui, keys are sent, the screen is read back."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid

import pytest

from tests.helpers.golden import GOLDEN_SPEC
from tests.helpers.paths import ROOT

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _capture(session: str) -> str:
    return subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True, check=True
    ).stdout


def _wait_for(session: str, text: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _capture(session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; last screen:\n{screen}")


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])  # and a split tmux pane on a laptop
def test_grid_then_a_curve_in_a_real_terminal(size: tuple[int, int]) -> None:
    session = f"hpo-tui-smoke-{uuid.uuid4().hex[:8]}"
    width, height = size
    # COLUMNS/LINES from the test runner would override the pane size: drop them.
    command = (
        f"cd {ROOT} && env -u COLUMNS -u LINES TERM=xterm-256color "
        f"{sys.executable} -m hpo_tui {GOLDEN_SPEC}"
    )
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", str(width), "-y", str(height), command],
        check=True,
    )
    try:
        grid = _wait_for(session, "Budget")
        assert "2M" in grid and "h1" in grid and "⚠ 5" in grid
        assert "? Help" in grid  # the footer's help key is never cut off
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        _wait_for(session, "fx_2M_h1")
        subprocess.run(["tmux", "send-keys", "-t", session, "Down", "Enter"], check=True)
        trial = _wait_for(session, "diverged at step 4")  # the plot's title
        assert "intermediate" in trial and "val_losses" in trial  # its legend
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
