"""What glibc's malloc and NumPy decide before and after some hpo-tui work, in a fresh process.

Run as ``python -m tests.helpers.allocator_probe load SPEC`` (a load and a live refresh) or
``… cli ARG…`` (``hpo_tui.cli.main``); prints one JSON line.

glibc offers no getter for its thresholds, so the probe watches what they decide. A fresh
process starts with glibc's *dynamic* mmap threshold: a block above it is mmapped, and freeing
that block raises the threshold to the block's size (up to 32 MiB), so the same request again
comes from the heap. Any ``mallopt(M_MMAP_THRESHOLD | M_TRIM_THRESHOLD, …)`` switches that
adaptation off for good: the same two requests then go both to the heap or both to mmap.
``mallinfo2()`` (``hblkhd``: bytes in mmapped chunks) tells which, without changing anything.
"""

from __future__ import annotations

import ctypes
import json
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

MiB = 2**20


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def glibc_with_mallinfo2() -> bool:
    """glibc 2.33 or later (``mallinfo2``) under this process."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    return hasattr(ctypes.CDLL(None), "mallinfo2")


def _twice(size: int) -> list[bool]:
    """Allocate, free and allocate again a block of ``size`` bytes: was each one mmapped?"""
    import numpy as np

    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = _MallInfo2
    seen = []
    for _ in range(2):
        before = libc.mallinfo2().hblkhd
        block = np.empty(size, dtype=np.uint8)
        seen.append(libc.mallinfo2().hblkhd - before >= size)
        del block
    return seen


def _hint() -> bool:
    from numpy._core import multiarray

    return bool(multiarray._get_madvise_hugepage())


def _probe(action: str, args: list[str]) -> dict[str, Any]:
    state: dict[str, Any] = {"hint_before": _hint()}
    # Below glibc's 32 MiB cap of the dynamic threshold; the second size is larger than the
    # threshold the first one leaves behind, so it probes the adaptation afresh.
    state["before"] = _twice(31 * MiB)
    if action == "load":
        from hpo_tui.core import load_campaign
        from hpo_tui.core.model.live import LiveCampaign

        load_campaign(args)
        LiveCampaign(args).refresh()
    else:
        from hpo_tui.cli import main

        state["exit"] = main(args)
    state["after"] = _twice(31 * MiB + MiB // 2)
    state["hint_after"] = _hint()
    return state


def run_probe(action: str, *args: str, env: dict[str, str]) -> dict[str, Any]:
    """The probe's state after ``action`` in a fresh interpreter with ``env``."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.helpers.allocator_probe", action, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    state: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return state


if __name__ == "__main__":
    print(json.dumps(_probe(sys.argv[1], sys.argv[2:])))
