"""``HPO_TUI_TUNE_MEMORY=1``: the hpo-tui process, and only it, asks NumPy and glibc to
allocate for large loads; without the flag it leaves them alone; a user's own setting of
either is kept. Each case runs in a fresh interpreter (``tests.helpers.allocator_probe``)."""

from __future__ import annotations

import pytest

from tests.core.test_process_untouched import untuned_environment
from tests.helpers.allocator_probe import glibc_with_mallinfo2, run_probe
from tests.helpers.golden import GOLDEN_DB

pytestmark = pytest.mark.skipif(
    not glibc_with_mallinfo2(), reason="watches glibc's malloc (mallinfo2)"
)
SUMMARY = ("summary", str(GOLDEN_DB), "--format", "csv")


def test_without_the_flag_the_cli_leaves_the_allocators_alone() -> None:
    state = run_probe("cli", *SUMMARY, env=untuned_environment())
    assert state["exit"] == 0
    assert state["before"] == state["after"] == [True, False]
    assert state["hint_before"] is state["hint_after"] is True


def test_the_flag_switches_the_hint_off_and_keeps_large_blocks_on_the_heap() -> None:
    state = run_probe("cli", *SUMMARY, env={**untuned_environment(), "HPO_TUI_TUNE_MEMORY": "1"})
    assert state["exit"] == 0
    assert state["before"] == [True, False]
    assert state["after"] == [False, False]  # 31.5 MiB from the heap, both times
    assert state["hint_after"] is False


def test_a_users_own_settings_are_kept() -> None:
    env = {
        **untuned_environment(),
        "HPO_TUI_TUNE_MEMORY": "1",
        "NUMPY_MADVISE_HUGEPAGE": "1",
        "MALLOC_MMAP_THRESHOLD_": str(16 * 2**20),  # glibc: a fixed 16 MiB threshold
    }
    state = run_probe("cli", *SUMMARY, env=env)
    assert state["exit"] == 0
    assert state["hint_after"] is True
    assert state["before"] == state["after"] == [True, True]  # 31 MiB: above the user's 16 MiB
