"""How a load asks the operating system for memory.

A load allocates a few hundred MB of short-lived NumPy arrays (millions of rows each). Where
touching fresh memory is expensive (a virtual machine whose memory the host backs lazily:
this project's bench machine), how those arrays get their pages decides much of the load's
time; the computing is the smaller part. Two process-wide settings are changed while at least
one load runs, and restored when the last one ends (see docs/performance.md, "Fresh memory"):

- **NumPy's huge-page hint.** NumPy marks every array of 4 MB or more with
  ``madvise(MADV_HUGEPAGE)``. Where transparent huge pages are in ``madvise`` mode with
  ``defrag`` also ``madvise`` (a common default), the kernel may compact memory on the first
  touch of such an array to find a free 2 MB page, and it has to when memory is fragmented,
  e.g. after other large processes ran: on the bench machine the 24k-trial load took
  1.9–2.1 s after another large process had run, 1.3–1.4 s without the hint (all system
  time). The hint is switched off through NumPy's ``_set_madvise_hugepage`` (the setting
  ``NUMPY_MADVISE_HUGEPAGE`` stands for; a user who set it keeps that choice).
- **glibc's mmap threshold.** glibc serves every block above its mmap threshold (at most
  32 MiB) with a fresh ``mmap`` and unmaps it on ``free``: every large temporary is new
  memory, faulted in page by page, however many were freed before it. During a load the
  threshold is raised so that large blocks come from the heap, where a freed block is reused
  by the next one (and growing the heap is cheaper than a new mapping); glibc is asked not to
  trim the heap meanwhile. When the load ends, the threshold goes back to 32 MiB (where
  glibc's own dynamic threshold settles) and the trim threshold to twice that, and
  ``malloc_trim(0)`` returns the free heap to the system, so the process does not keep the
  load's peak. Bench machine, 24k trials on SQLite, 8 interleaved fresh processes each:
  median load 2.42 s → 2.11 s, system time 0.76 s → 0.50 s, peak RSS +30 MB.
  Only with glibc; left alone when the user set any ``MALLOC_*_`` variable or a
  ``glibc.malloc`` tunable.
"""

from __future__ import annotations

import ctypes
import os
import platform
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

# mallopt parameters (malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
_LOAD_THRESHOLD = 2**30  # blocks up to 1 GiB from the heap
_GLIBC_MAX_DYNAMIC_THRESHOLD = 32 * 2**20  # DEFAULT_MMAP_THRESHOLD_MAX on 64-bit
LOAD_MALLOPT = [(M_MMAP_THRESHOLD, _LOAD_THRESHOLD), (M_TRIM_THRESHOLD, _LOAD_THRESHOLD)]
AFTER_MALLOPT = [
    (M_MMAP_THRESHOLD, _GLIBC_MAX_DYNAMIC_THRESHOLD),
    (M_TRIM_THRESHOLD, 2 * _GLIBC_MAX_DYNAMIC_THRESHOLD),
]
MALLOC_ENV = (
    "MALLOC_MMAP_THRESHOLD_",
    "MALLOC_TRIM_THRESHOLD_",
    "MALLOC_TOP_PAD_",
    "MALLOC_MMAP_MAX_",
)

_lock = threading.Lock()
_depth = 0
_restore_hint: bool | None = None
_heap_changed = False


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


class _Glibc:
    """The few glibc malloc calls used here."""

    def __init__(self, lib: Any) -> None:
        self._lib = lib
        lib.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        lib.mallopt.restype = ctypes.c_int
        lib.malloc_trim.argtypes = [ctypes.c_size_t]
        lib.malloc_trim.restype = ctypes.c_int
        lib.mallinfo2.argtypes = []
        lib.mallinfo2.restype = _MallInfo2

    def mallopt(self, param: int, value: int) -> int:
        return int(self._lib.mallopt(param, value))

    def malloc_trim(self, pad: int) -> int:
        return int(self._lib.malloc_trim(pad))

    def mallinfo2(self) -> _MallInfo2:
        info: _MallInfo2 = self._lib.mallinfo2()
        return info


@cache
def _glibc() -> _Glibc | None:
    """glibc's malloc, or ``None`` (another C library, or a glibc older than 2.33)."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        lib = ctypes.CDLL(None)  # the C library this process already runs on
        return _Glibc(lib) if hasattr(lib, "mallinfo2") else None
    except (OSError, AttributeError):  # pragma: no cover - no usable libc
        return None


def _malloc_is_users() -> bool:
    """The user tuned glibc's malloc: leave it as they set it."""
    if any(name in os.environ for name in MALLOC_ENV):
        return True
    return "glibc.malloc." in os.environ.get("GLIBC_TUNABLES", "")


def _hint_setter() -> Callable[[bool], bool] | None:
    if "NUMPY_MADVISE_HUGEPAGE" in os.environ:
        return None
    try:
        from numpy._core import multiarray
    except ImportError:  # pragma: no cover - NumPy < 2
        return None
    return getattr(multiarray, "_set_madvise_hugepage", None)


def _begin() -> None:
    global _restore_hint, _heap_changed
    setter = _hint_setter()
    if setter is not None:
        _restore_hint = bool(setter(False))
    libc = None if _malloc_is_users() else _glibc()
    if libc is not None:
        for param, value in LOAD_MALLOPT:
            libc.mallopt(param, value)
        _heap_changed = True


def _end() -> None:
    global _restore_hint, _heap_changed
    setter = _hint_setter()
    if setter is not None and _restore_hint is not None:
        setter(_restore_hint)
    _restore_hint = None
    libc = _glibc()
    if _heap_changed and libc is not None:
        for param, value in AFTER_MALLOPT:
            libc.mallopt(param, value)
        libc.malloc_trim(0)
    _heap_changed = False


@contextmanager
def load_memory() -> Iterator[None]:
    """Inside the block, allocate as a load should (see the module); restore afterwards."""
    global _depth
    with _lock:
        if _depth == 0:
            _begin()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _end()
