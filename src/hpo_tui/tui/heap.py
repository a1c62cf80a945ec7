"""Keep a loaded campaign out of Python's full garbage-collection passes.

With 100k trials in memory, a full (generation 2) collection walks every object column of
the campaign's frames: 0.2–0.35 s on the benchmark machine, and one falls on an ordinary
keypress every few dozen presses. Objects alive after a load are moved to the permanent
generation (``gc.freeze``), which later collections skip (they then take 0.05–0.1 s).

Frozen objects are still freed when their reference count drops to zero; only reference
cycles would stay. A first load leaves none (measured: ``gc.collect()`` finds nothing
unreachable after it), so it only freezes. A refresh that replaced the campaign unfreezes
and collects first, so screens closed since and the previous campaign's cycles are freed.
"""

from __future__ import annotations

import gc


def settle_heap(*, collect: bool) -> None:
    """Freeze what is alive now; with ``collect``, unfreeze and collect everything first."""
    if collect:
        gc.unfreeze()
        gc.collect()
    gc.freeze()
