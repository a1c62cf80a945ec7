"""Loads allocate their arrays without NumPy's huge-page hint, and restore it afterwards."""

from __future__ import annotations

import threading

import pytest
from numpy._core import multiarray

from hpo_tui.core import memory
from hpo_tui.core.campaign import load_campaign
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
    with memory.without_hugepage_hint():
        assert _hint() is False
    assert _hint() is True
    with pytest.raises(RuntimeError), memory.without_hugepage_hint():
        raise RuntimeError("a failed load")
    assert _hint() is True


def test_nested_and_concurrent_uses_restore_once_all_are_done(hint_on: None) -> None:
    inside, release = threading.Event(), threading.Event()

    def other_load() -> None:
        with memory.without_hugepage_hint():
            inside.set()
            release.wait(5)

    worker = threading.Thread(target=other_load)
    worker.start()
    inside.wait(5)
    with memory.without_hugepage_hint():
        assert _hint() is False
    assert _hint() is False  # the other load still runs
    release.set()
    worker.join(5)
    assert _hint() is True


def test_an_explicit_user_setting_is_left_alone(
    hint_on: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
    with memory.without_hugepage_hint():
        assert _hint() is True


def test_load_campaign_runs_without_the_hint(
    hint_on: None, sqlite_storage: BuiltStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    from hpo_tui.core import campaign

    original = campaign.build_campaign

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(_hint())
        return original(*args, **kwargs)

    monkeypatch.setattr(campaign, "build_campaign", spy)
    load_campaign([sqlite_storage.spec])
    assert seen == [False]
    assert _hint() is True
