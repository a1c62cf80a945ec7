"""A fixture's SQLite storage file, written by one of the helpers' real Optuna calls."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import optuna
import pytest


def written_sqlite(
    factory: pytest.TempPathFactory, where: str, write: Callable[..., Any], **options: Any
) -> str:
    """The path of the SQLite file ``where`` (``folder/name.db``; the folder made fresh),
    after ``write("sqlite:///<path>", **options)`` filled it."""
    folder, name = where.split("/")
    path = factory.mktemp(folder) / name
    write(f"sqlite:///{path}", **options)
    return str(path)


def small_study(folder: Path, name: str) -> tuple[str, optuna.Study]:
    """``folder/<name>.db`` holding study ``name``: three COMPLETE trials of x ~ U(0, 1).

    Returns its URL, and the study, for a test that adds trials (``study.optimize``).
    """
    url = f"sqlite:///{folder / f'{name}.db'}"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(study_name=name, storage=url)
    study.optimize(lambda t: t.suggest_float("x", 0.0, 1.0), n_trials=3)
    return url, study
