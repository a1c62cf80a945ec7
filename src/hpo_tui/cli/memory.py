"""Opt-in allocator tuning of the hpo-tui process for large loads: ``HPO_TUI_TUNE_MEMORY=1``.

The library never changes process-wide settings (a load leaves its host process as it found
it). The ``hpo-tui`` command, which owns its process, can: a user who loads large storages
on a machine where fresh memory is expensive (a virtual machine whose host backs memory
lazily) may ask it to, for the whole life of the process. Two settings, both process-wide,
both left as they are when the user set them already:

- **NumPy's huge-page hint off.** NumPy marks every array of 4 MB or more with
  ``madvise(MADV_HUGEPAGE)``; with transparent huge pages in ``madvise`` mode (``defrag``
  too), the kernel may compact memory on the first touch of such an array, and must when
  memory is fragmented. Switched off through the setter NumPy's own import calls for
  ``NUMPY_MADVISE_HUGEPAGE`` (NumPy is imported by then, so the variable would come too
  late); a ``NUMPY_MADVISE_HUGEPAGE`` the user set is kept.
- **glibc: large blocks from the heap.** glibc serves every block above its mmap threshold
  (at most 32 MiB) with a fresh ``mmap`` and unmaps it on ``free``, so every large temporary
  of a load is new memory faulted in page by page. With the threshold and the trim
  threshold at 1 GiB, a freed block is reused by the next one. The process then keeps up to
  1 GiB of freed heap for its next load or refresh instead of returning it: RSS stays near
  the peak of the largest load. Left alone when the user set a ``MALLOC_*_`` variable or a
  ``glibc.malloc`` tunable; only with glibc.

Measured in docs/performance.md ("Fresh memory"): at 24k trials, ``hpo-tui summary`` spends
about 0.5 s less system time.
"""

from __future__ import annotations

import ctypes
import os
import platform
from collections.abc import Mapping

ENV = "HPO_TUI_TUNE_MEMORY"
# mallopt parameters (malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
HEAP_BLOCKS_UP_TO = 2**30
_MALLOC_ENV = (
    "MALLOC_MMAP_THRESHOLD_",
    "MALLOC_TRIM_THRESHOLD_",
    "MALLOC_TOP_PAD_",
    "MALLOC_MMAP_MAX_",
)


def wanted(environ: Mapping[str, str]) -> bool:
    """Whether the user asked for the tuning."""
    return environ.get(ENV, "").strip().lower() in ("1", "true", "yes", "on")


def tune_memory(environ: Mapping[str, str]) -> list[str]:
    """Apply the tuning (see the module) where the user has not decided; what was changed."""
    changed: list[str] = []
    if "NUMPY_MADVISE_HUGEPAGE" not in environ:
        from numpy._core import multiarray

        setter = getattr(multiarray, "_set_madvise_hugepage", None)
        if setter is not None:
            setter(False)
            changed.append("numpy huge-page hint off")
    malloc_is_users = any(name in environ for name in _MALLOC_ENV) or (
        "glibc.malloc." in environ.get("GLIBC_TUNABLES", "")
    )
    libc = None if malloc_is_users else _glibc()
    if libc is not None:
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.mallopt.restype = ctypes.c_int
        if libc.mallopt(M_MMAP_THRESHOLD, HEAP_BLOCKS_UP_TO) and libc.mallopt(
            M_TRIM_THRESHOLD, HEAP_BLOCKS_UP_TO
        ):
            changed.append("glibc blocks up to 1 GiB from the heap")
    return changed


def _glibc() -> ctypes.CDLL | None:
    """The C library of this process when it is glibc, else None."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL(None)
    except OSError:  # pragma: no cover - no usable libc
        return None


def tune_memory_if_wanted() -> list[str]:
    """:func:`tune_memory` when ``HPO_TUI_TUNE_MEMORY`` asks for it."""
    return tune_memory(os.environ) if wanted(os.environ) else []
