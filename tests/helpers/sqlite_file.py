"""A fixture's SQLite storage file, written by one of the helpers' real Optuna calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
