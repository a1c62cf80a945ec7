"""Optuna's own storage over a built fixture storage, for oracle tests."""

from __future__ import annotations

from typing import Any

import optuna

from tests.conftest import BuiltStorage


def optuna_storage(built: BuiltStorage) -> Any:
    """What ``optuna.load_study(storage=...)`` takes for ``built`` (a URL or a storage)."""
    if built.backend == "journal":
        from optuna.storages.journal import JournalFileBackend

        return optuna.storages.JournalStorage(JournalFileBackend(built.spec))
    if built.backend == "sqlite":
        return f"sqlite:///{built.spec}"
    if built.backend == "redis":
        from tests.helpers.redis_server import journal_storage as redis_journal_storage

        return redis_journal_storage(built.spec)
    return built.spec


def journal_storage(path: str) -> Any:
    """An Optuna JournalStorage over the log file ``path``."""
    from optuna.storages.journal import JournalFileBackend

    return optuna.storages.JournalStorage(JournalFileBackend(path))
