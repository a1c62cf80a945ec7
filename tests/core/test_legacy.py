"""Storages written by Optuna 2.10.1, 3.1.1 and 4.0.0 read with the numbers their own Optuna
reported, and stay byte-identical (no upgrade, no stamp)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.storage.rdb import KNOWN_HEADS
from tests.helpers.compare import assert_matches, from_json
from tests.helpers.paths import LEGACY
from tests.helpers.snapshot_fs import fs_state

CASES = [
    ("optuna-2.10.1.db", "optuna-2.10.1.expected.json"),
    ("optuna-3.1.1.db", "optuna-3.1.1.expected.json"),
    ("optuna-4.0.0.db", "optuna-4.0.0.expected.json"),
    ("optuna-3.1.1.journal.log", "optuna-3.1.1.journal.expected.json"),
    ("optuna-4.0.0.journal.log", "optuna-4.0.0.journal.expected.json"),
]


def _expected(name: str) -> dict:
    data = json.loads((LEGACY / name).read_text())
    return data, {
        study["study_name"]: {
            "directions": study["directions"],
            "user_attrs": study["user_attrs"],
            "trials": [from_json(t) for t in study["trials"]],
        }
        for study in data["studies"]
    }


@pytest.mark.parametrize(("storage", "expected"), CASES)
def test_legacy_reads_like_its_own_optuna(tmp_path: Path, storage: str, expected: str) -> None:
    folder = tmp_path / "legacy"
    folder.mkdir()
    shutil.copy2(LEGACY / storage, folder / storage)
    before = fs_state(folder)
    meta, want = _expected(expected)
    if meta["schema_head"]:
        assert meta["schema_head"] in KNOWN_HEADS
    campaign = load_campaign([str(folder / storage)])
    assert assert_matches(campaign, want) == sum(len(s["trials"]) for s in want.values())
    assert fs_state(folder) == before


def test_committed_fixture_files_are_untouched_in_place() -> None:
    before = fs_state(LEGACY)
    load_campaign([str(LEGACY)])
    assert fs_state(LEGACY) == before


def test_unknown_schema_head_falls_back_to_optuna_api(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "future.db"
    shutil.copy2(LEGACY / "optuna-4.0.0.db", path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'v9.9.9.z'")
    conn.close()
    before = fs_state(tmp_path)
    _, want = _expected("optuna-4.0.0.expected.json")
    campaign = load_campaign([str(path)])
    assert_matches(campaign, want)
    assert fs_state(tmp_path) == before
