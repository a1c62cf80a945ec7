"""Loading and refreshing a campaign leave the process's allocator settings as they found
them: glibc's malloc thresholds and NumPy's huge-page hint are process-wide, and a library
that changed them would change every later allocation of its host program (see
``tests.helpers.allocator_probe`` for how they are watched). In a fresh interpreter: what
earlier tests did to glibc's state would otherwise decide the outcome."""

from __future__ import annotations

import os

import pytest

from tests.helpers.allocator_probe import glibc_with_mallinfo2, run_probe
from tests.helpers.golden import GOLDEN_DB


def untuned_environment() -> dict[str, str]:
    """This environment without any setting of glibc's malloc or NumPy's hint."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("MALLOC_")
        and name not in ("GLIBC_TUNABLES", "NUMPY_MADVISE_HUGEPAGE", "HPO_TUI_TUNE_MEMORY")
    }


@pytest.mark.skipif(not glibc_with_mallinfo2(), reason="watches glibc's malloc (mallinfo2)")
def test_a_load_and_a_refresh_leave_glibc_and_numpy_as_they_were() -> None:
    state = run_probe("load", str(GOLDEN_DB), env=untuned_environment())
    # The probe sees glibc's adaptation: mmapped, then (threshold raised) from the heap.
    assert state["before"] == [True, False]
    assert state["after"] == state["before"]
    assert state["hint_after"] == state["hint_before"]
