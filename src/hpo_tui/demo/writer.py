"""Write optimised demo studies into a new SQLite Optuna storage."""

from __future__ import annotations

import logging
import os
import pathlib
import sqlite3
from typing import Any

import optuna

from hpo_tui.demo.studies import StudyResult, quiet_optuna

_logger = logging.getLogger(__name__)


def write_sqlite(results: list[StudyResult], target: pathlib.Path) -> None:
    """Write the demo studies into a new SQLite Optuna storage ``target``.

    Uses a bulk ORM insert (:func:`write_sqlite_bulk`, one transaction) and falls back to
    Optuna's storage API (:func:`write_sqlite_api`, one transaction per trial, like
    :func:`optuna.copy_study`) if the bulk path does not fit the installed Optuna.
    """
    with quiet_optuna():
        try:
            write_sqlite_bulk(results, target)
        except Exception:
            _logger.debug("bulk SQLite write failed, using the storage API", exc_info=True)
            target.unlink(missing_ok=True)
            write_sqlite_api(results, target)


class _UnsyncedSQLiteConnection(sqlite3.Connection):
    """SQLite connection without a disk sync per commit, for the temporary file only.

    The temporary file is discarded if anything fails, and synced once before the rename
    (:func:`fsync`), so per-commit syncs would only cost time (about 10 ms each).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.execute("PRAGMA synchronous = OFF")
        self.execute("PRAGMA journal_mode = MEMORY")


def _open_rdb(target: pathlib.Path) -> optuna.storages.RDBStorage:
    """Create (or open) the Optuna schema in the SQLite file ``target``."""
    return optuna.storages.RDBStorage(
        f"sqlite:///{target}",
        engine_kwargs={"connect_args": {"factory": _UnsyncedSQLiteConnection}},
    )


def _close_rdb(rdb: optuna.storages.RDBStorage) -> None:
    """Release every connection of ``rdb`` (the file is renamed afterwards)."""
    rdb.remove_session()
    rdb.engine.dispose()


def _create_study(rdb: optuna.storages.RDBStorage, result: StudyResult) -> int:
    """Create ``result``'s study (without trials) in ``rdb``; return its id."""
    study_id = rdb.create_new_study(result.directions, result.name)
    for key, value in result.user_attrs.items():
        rdb.set_study_user_attr(study_id, key, value)
    return study_id


def write_sqlite_api(results: list[StudyResult], target: pathlib.Path) -> None:
    """Slow, public-API-only writer (what :func:`optuna.copy_study` does)."""
    rdb = _open_rdb(target)
    try:
        for result in results:
            study_id = _create_study(rdb, result)
            for trial in result.trials:
                rdb.create_new_trial(study_id, template_trial=trial)
    finally:
        _close_rdb(rdb)


def write_sqlite_bulk(results: list[StudyResult], target: pathlib.Path) -> None:
    """Fast writer: studies through the storage API, all trials as one ORM bulk insert
    (:mod:`hpo_tui.demo.bulk`, on Optuna's private models)."""
    # Imported here: a future Optuna without these private models fails this call only, and
    # write_sqlite falls back to the public API.
    from hpo_tui.demo import bulk

    rdb = _open_rdb(target)
    try:
        studies = [(_create_study(rdb, result), result.trials) for result in results]
        bulk.insert_trials(rdb, studies)
    finally:
        _close_rdb(rdb)


def fsync(path: pathlib.Path) -> None:
    """Flush ``path`` to disk so that the rename publishes complete content."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
