"""Run code in another local time zone (``TZ`` and ``time.tzset``), restored afterwards."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def local_time_zone(name: str) -> Iterator[None]:
    """This process's local time zone is ``name`` inside the block (child processes started
    inside it inherit it)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()
