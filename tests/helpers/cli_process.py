"""The command line in a fresh interpreter, as a user runs it: ``python -m hpo_tui ARGS``."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.helpers.paths import ROOT


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m hpo_tui ARGS`` from the repository root, its output captured as text.

    This checkout's ``src`` comes first on ``PYTHONPATH`` (what it held before is kept after
    it), so the child runs the code under test even where another copy is installed.
    """
    path = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "hpo_tui", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": path},
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused command wrote to stderr: exit code 2 and no traceback."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]
