"""How the load asks the operating system for memory.

NumPy marks every array of 4 MB or more with ``madvise(MADV_HUGEPAGE)``. Where transparent
huge pages are in ``madvise`` mode with ``defrag`` also ``madvise`` (a common default), the
kernel may compact memory on the first touch of such an array to find a free 2 MB page, and
it has to when memory is fragmented, e.g. after other large processes ran. A load allocates
a few hundred MB of short-lived arrays: on this project's machine the 24k-trial load took
1.9–2.1 s after another large process had run, 1.3–1.4 s without the hint (the difference
is all system time; see docs/performance.md). Loads therefore run without the hint.

This is a process-wide NumPy setting (``NUMPY_MADVISE_HUGEPAGE``, read at import; toggled at
run time through NumPy's ``_set_madvise_hugepage``): it is switched off while at least one
load runs and restored when the last one ends. A user who set ``NUMPY_MADVISE_HUGEPAGE``
explicitly keeps that choice. Without the hook (another NumPy), nothing is changed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_restore: bool | None = None


def _setter() -> Callable[[bool], bool] | None:
    try:
        from numpy._core import multiarray
    except ImportError:  # pragma: no cover - NumPy < 2
        return None
    return getattr(multiarray, "_set_madvise_hugepage", None)


@contextmanager
def without_hugepage_hint() -> Iterator[None]:
    """Allocate NumPy arrays without the huge-page hint inside the block (see the module)."""
    global _depth, _restore
    setter = _setter() if "NUMPY_MADVISE_HUGEPAGE" not in os.environ else None
    if setter is None:
        yield
        return
    with _lock:
        if _depth == 0:
            _restore = bool(setter(False))
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _restore is not None:
                setter(_restore)
                _restore = None
