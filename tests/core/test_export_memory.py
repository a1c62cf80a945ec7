"""What an export keeps alive: each file's frames only while it is written, the results two
files share until the second, and the campaign's details as it found them."""

from __future__ import annotations

import gc
import weakref
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.export import writer
from hpo_tui.core.model.campaign import Campaign
from tests.helpers.golden import GOLDEN_SPEC
from tests.helpers.paths import ROOT

FIXED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def campaign(monkeypatch: pytest.MonkeyPatch) -> Campaign:
    monkeypatch.chdir(ROOT)
    return load_campaign([GOLDEN_SPEC])


def test_the_export_leaves_the_details_as_it_found_them(campaign: Campaign, tmp_path: Path) -> None:
    assert not campaign.details_built
    writer.write_export(campaign, tmp_path / "a", generated_at=FIXED)
    assert not campaign.details_built  # built for the files that read them, then let go
    built = campaign.details
    writer.write_export(campaign, tmp_path / "b", generated_at=FIXED)
    assert campaign.details is built  # built before the export (the trial screen): kept
    writer.render_export(campaign, FIXED)
    assert campaign.details is built


def test_shared_results_are_made_once_and_let_go_after_their_last_file(
    campaign: Campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pruning audit, the transfer comparisons and the diverged trials each feed two
    files: made once, and no longer held once the second file is written."""
    calls: Counter[str] = Counter()
    alive: dict[str, list[weakref.ref[Any]]] = {}

    def counted(name: str) -> None:
        original = getattr(writer, name)

        def make(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            result = original(*args, **kwargs)
            alive.setdefault(name, []).append(weakref.ref(result))
            return result

        monkeypatch.setattr(writer, name, make)

    for name in ("pruning_audit", "transfer", "diverged_frame"):
        counted(name)
    last_file = {
        "pruning_audit": writer.PRUNING_TRIALS_CSV,
        "transfer": writer.TRANSFER_PARAMS_CSV,
        "diverged_frame": writer.DIVERGED_JSON,
    }
    held_after: dict[str, bool] = {}
    write_file = writer._write_file

    def observed(path: Path, file_writer: writer.FileWriter) -> None:
        write_file(path, file_writer)
        gc.collect()
        for name, file_name in last_file.items():
            if path.name == file_name:
                held_after[name] = any(ref() is not None for ref in alive.get(name, []))

    monkeypatch.setattr(writer, "_write_file", observed)
    writer.write_export(campaign, tmp_path / "out", generated_at=FIXED)
    assert calls == {"pruning_audit": 1, "transfer": 1, "diverged_frame": 1}
    assert held_after == {"pruning_audit": False, "transfer": False, "diverged_frame": False}


def test_a_file_frame_dies_once_its_file_is_written(
    campaign: Campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frames: list[weakref.ref[pd.DataFrame]] = []
    summary_frame = writer.summary_frame

    def tracked(campaign: Campaign) -> pd.DataFrame:
        frame = summary_frame(campaign)
        frames.append(weakref.ref(frame))
        return frame

    monkeypatch.setattr(writer, "summary_frame", tracked)
    held: list[bool] = []
    write_file = writer._write_file

    def observed(path: Path, file_writer: writer.FileWriter) -> None:
        write_file(path, file_writer)
        if path.name == writer.SUMMARY_CSV:
            gc.collect()
            held.append(frames[0]() is not None)

    monkeypatch.setattr(writer, "_write_file", observed)
    writer.write_export(campaign, tmp_path / "out", generated_at=FIXED)
    assert held == [False]
