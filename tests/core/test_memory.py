"""Loads allocate their arrays without NumPy's huge-page hint and from glibc's heap, and
restore both afterwards."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest
from numpy._core import multiarray

from hpo_tui.core.model.campaign import load_campaign
from hpo_tui.core.storage import memory
from tests.conftest import BuiltStorage


def _hint() -> bool:
    """NumPy's current setting (the setter returns the previous one)."""
    previous = multiarray._set_madvise_hugepage(True)
    multiarray._set_madvise_hugepage(previous)
    return bool(previous)


@pytest.fixture
def hint_on(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    previous = multiarray._set_madvise_hugepage(True)
    yield
    multiarray._set_madvise_hugepage(previous)


def test_off_inside_restored_after_even_on_error(hint_on: None) -> None:
    with memory.load_memory():
        assert _hint() is False
    assert _hint() is True
    with pytest.raises(RuntimeError), memory.load_memory():
        raise RuntimeError("a failed load")
    assert _hint() is True


def test_nested_and_concurrent_uses_restore_once_all_are_done(hint_on: None) -> None:
    inside, release = threading.Event(), threading.Event()

    def other_load() -> None:
        with memory.load_memory():
            inside.set()
            release.wait(5)

    worker = threading.Thread(target=other_load)
    worker.start()
    inside.wait(5)
    with memory.load_memory():
        assert _hint() is False
    assert _hint() is False  # the other load still runs
    release.set()
    worker.join(5)
    assert _hint() is True


def test_an_explicit_user_setting_is_left_alone(
    hint_on: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
    with memory.load_memory():
        assert _hint() is True


def test_load_campaign_runs_without_the_hint(
    hint_on: None, sqlite_storage: BuiltStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    from hpo_tui.core.model import campaign

    original = campaign.build_campaign

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(_hint())
        return original(*args, **kwargs)

    monkeypatch.setattr(campaign, "build_campaign", spy)
    load_campaign([sqlite_storage.spec])
    assert seen == [False]
    assert _hint() is True


# --- glibc's heap during a load -------------------------------------------------------------

needs_glibc = pytest.mark.skipif(
    memory._glibc() is None, reason="glibc's malloc (mallopt, malloc_trim, mallinfo2) only"
)
BIG = 64 * 2**20  # above glibc's largest dynamic mmap threshold (32 MiB)


def _mmapped_bytes() -> int:
    """glibc's count of bytes in chunks it got from mmap (``mallinfo2().hblkhd``)."""
    libc = memory._glibc()
    assert libc is not None
    return int(libc.mallinfo2().hblkhd)


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.fixture
def malloc_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in memory.MALLOC_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)


@needs_glibc
def test_large_arrays_come_from_the_heap_inside_a_load_and_are_mmapped_after(
    malloc_defaults: None,
) -> None:
    with memory.load_memory():
        before = _mmapped_bytes()
        inside = np.ones(BIG // 8)
        assert _mmapped_bytes() - before < BIG  # reused heap memory, not a fresh mapping
        del inside
    # glibc's usual policy again. (Larger than any free chunk the heap may hold by now, else
    # glibc would reuse that; np.empty touches none of it.)
    before = _mmapped_bytes()
    after = np.empty(8 * BIG, dtype=np.uint8)
    assert _mmapped_bytes() - before >= 8 * BIG
    del after


@needs_glibc
def test_the_heap_a_load_grew_is_given_back_when_it_ends(malloc_defaults: None) -> None:
    before = _rss_bytes()
    with memory.load_memory():
        scratch = [np.ones(BIG // 8) for _ in range(4)]  # 256 MiB of temporaries
        assert _rss_bytes() - before >= 4 * BIG * 0.9
        del scratch
    assert _rss_bytes() - before < BIG // 2


@needs_glibc
def test_an_explicit_malloc_setting_is_left_alone(
    malloc_defaults: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=131072")
    calls: list[tuple[int, int]] = []
    libc = memory._glibc()
    assert libc is not None
    monkeypatch.setattr(memory, "_glibc", lambda: _Recorder(libc, calls))
    with memory.load_memory():
        pass
    assert calls == []


class _Recorder:
    """glibc, with its ``mallopt`` calls recorded."""

    def __init__(self, libc: object, calls: list[tuple[int, int]]) -> None:
        self._libc, self._calls = libc, calls

    def mallopt(self, param: int, value: int) -> int:
        self._calls.append((param, value))
        return int(self._libc.mallopt(param, value))  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._libc, name)


@needs_glibc
def test_nested_loads_restore_glibc_once_the_last_one_ends(
    malloc_defaults: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, int]] = []
    libc = memory._glibc()
    assert libc is not None
    monkeypatch.setattr(memory, "_glibc", lambda: _Recorder(libc, calls))
    with memory.load_memory():
        with memory.load_memory():
            pass
        assert calls == memory.LOAD_MALLOPT
    assert calls == [*memory.LOAD_MALLOPT, *memory.AFTER_MALLOPT]
