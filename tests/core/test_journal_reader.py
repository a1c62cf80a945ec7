"""hpo-tui's own journal reader: the same tables as Optuna's replay on every journal, without
Optuna's replay; damaged journals are read around the damage, with a warning naming it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import optuna
import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.model.live import LiveCampaign
from hpo_tui.core.storage.journal import read_journal
from hpo_tui.core.storage.sources import resolve_sources
from tests.conftest import BuiltStorage
from tests.helpers.compare import assert_same_frames
from tests.helpers.journal_oracle import (
    campaign_of,
    journal_lines,
    line_number,
    optuna_tables,
    write_edge_journal,
)
from tests.helpers.paths import LEGACY


@pytest.fixture(scope="module")
def edge_journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("edge") / "edge.log"
    write_edge_journal(path)
    return path


def _ours(path: Path) -> tuple:
    result = read_journal(resolve_sources([str(path)])[0])
    return result.tables, result.warnings


def _assert_like_optuna(path: Path, skip_lines: tuple[int, ...] = (), oracle: Path | None = None):
    tables, notes = _ours(path)
    expected = optuna_tables(oracle or path, skip_lines)
    assert_same_frames(campaign_of(path, tables), campaign_of(path, expected), system_attrs=True)
    return notes


def test_edge_journal_reads_like_optuna(edge_journal: Path) -> None:
    assert _assert_like_optuna(edge_journal) == []
    campaign = load_campaign([str(edge_journal)])
    assert sorted(campaign.studies["study"]) == ["edge_20M_h1", "edge_2B_h3", "edge_2M_h1"]
    assert set(campaign.trials["state"]) == {"COMPLETE", "PRUNED", "FAIL", "RUNNING", "WAITING"}


def test_session_journal_reads_like_optuna(journal_storage: BuiltStorage) -> None:
    assert _assert_like_optuna(Path(journal_storage.spec)) == []


@pytest.mark.parametrize("name", ["optuna-3.1.1.journal.log", "optuna-4.0.0.journal.log"])
def test_legacy_journals_read_like_optuna(name: str) -> None:
    assert _assert_like_optuna(LEGACY / name) == []


def test_the_reader_does_not_replay_through_optuna(
    edge_journal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from optuna.storages.journal import _storage

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("Optuna's replay was used")

    monkeypatch.setattr(_storage.JournalStorageReplayResult, "__init__", refuse)
    load_campaign([str(edge_journal)])
    LiveCampaign([str(edge_journal)]).refresh()


def _damaged_copy(tmp_path: Path, edge_journal: Path, lines: list[bytes]) -> Path:
    path = tmp_path / "damaged.log"
    path.write_bytes(b"".join(lines))
    return path


def _state_update_of(record: dict, number: int = 6) -> bool:
    return record["op_code"] == 6 and record["trial_id"] == number and record["state"] == 1


def test_a_corrupted_middle_line_loses_only_that_record(tmp_path: Path, edge_journal: Path) -> None:
    lines = journal_lines(edge_journal)
    target = line_number(lines, _state_update_of)
    offset = sum(len(line) for line in lines[: target - 1])
    bad = lines[target - 1]
    lines[target - 1] = bad[:40] + b"\x00\x00garbage" + bad[60:]
    path = _damaged_copy(tmp_path, edge_journal, lines)
    notes = _assert_like_optuna(path, skip_lines=(target,), oracle=edge_journal)
    assert len(notes) == 1
    assert f"line {target}" in notes[0] and f"byte {offset}" in notes[0]
    assert "trial 6 of edge_2M_h1: state update lost" in notes[0]


def test_a_lost_trial_creation_keeps_later_trials_in_place(
    tmp_path: Path, edge_journal: Path
) -> None:
    lines = journal_lines(edge_journal)
    target = line_number(lines, lambda r: r["op_code"] == 4 and r["study_id"] == 1)
    lines[target - 1] = lines[target - 1][:30] + b"\x00" + lines[target - 1][31:]
    path = _damaged_copy(tmp_path, edge_journal, lines)
    notes = read_journal(resolve_sources([str(path)])[0]).warnings
    assert len(notes) == 1 and "trial 0 of edge_2B_h3: creation lost" in notes[0]
    ours = load_campaign([str(path)])
    intact = load_campaign([str(edge_journal)])
    kept = intact.trials[
        ~((intact.trials["study"] == "edge_2B_h3") & (intact.trials["number"] == 0))
    ]
    assert ours.trials["number"].tolist() == kept["number"].tolist()
    assert ours.trials["value"].tolist() == pytest.approx(kept["value"].tolist(), nan_ok=True)


def test_two_lines_run_together_are_both_applied(tmp_path: Path, edge_journal: Path) -> None:
    lines = journal_lines(edge_journal)
    target = line_number(lines, _state_update_of)
    lines[target - 2] = lines[target - 2].rstrip(b"\n")  # the newline between them is lost
    path = _damaged_copy(tmp_path, edge_journal, lines)
    notes = _assert_like_optuna(path, oracle=edge_journal)
    assert len(notes) == 1 and f"line {target - 1}" in notes[0] and "2 records" in notes[0]


def test_a_line_overwritten_by_another_writer_keeps_the_intact_record(
    tmp_path: Path, edge_journal: Path
) -> None:
    lines = journal_lines(edge_journal)
    target = line_number(lines, _state_update_of)
    torn = lines[target - 2][: len(lines[target - 2]) // 2]  # a record cut by the next write
    lines[target - 2] = torn
    path = _damaged_copy(tmp_path, edge_journal, lines)
    notes = _assert_like_optuna(path, skip_lines=(target - 1,), oracle=edge_journal)
    assert len(notes) == 1 and f"line {target - 1}" in notes[0] and "lost" in notes[0]


def test_unknown_op_codes_are_skipped_with_one_warning_each(
    tmp_path: Path, edge_journal: Path
) -> None:
    lines = journal_lines(edge_journal)
    discard = json.dumps({"op_code": 10, "worker_id": "rust", "study_id": 0, "trial_ids": [1]})
    future = json.dumps({"op_code": 42, "worker_id": "w"})
    extra = [(discard + "\n").encode()] * 2 + [(future + "\n").encode()]
    path = _damaged_copy(tmp_path, edge_journal, lines[:5] + extra + lines[5:])
    notes = _assert_like_optuna(path, oracle=edge_journal)
    assert len(notes) == 2
    assert "op code 10" in notes[0] and "2 lines" in notes[0] and "line 6" in notes[0]
    assert "op code 42" in notes[1] and "1 line" in notes[1]


def test_damage_in_appended_bytes_is_reported_by_a_refresh(tmp_path: Path) -> None:
    from optuna.storages.journal import JournalFileBackend

    path = tmp_path / "live.log"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    storage = optuna.storages.JournalStorage(JournalFileBackend(str(path)))
    study = optuna.create_study(study_name="r_2M_h1", storage=storage)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    live = LiveCampaign([str(path)])
    size = path.stat().st_size
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    data = bytearray(path.read_bytes())
    data[size + 30] = 0  # a control byte inside the next trial creation's worker id
    kept = bytes(data)
    shutil.copy2(path, tmp_path / "intact.log")
    path.write_bytes(kept)
    summary = live.refresh()
    assert any("r_2M_h1" in w and "creation lost" in w for w in summary.warnings)
    assert len(live.campaign.trials) == 1


def test_float_list_attrs_are_kept_as_numbers_not_python_lists(edge_journal: Path) -> None:
    """A list attr of floats (a learning curve) is one float64 array, as the RDB readers keep
    it (``EncodedList``), not a Python float per number; it decodes to Optuna's value, and
    its text is what Python's json writes. Lists with other items stay as Optuna gives them."""
    from hpo_tui.core.storage.raw import EncodedList, decoded

    tables, _notes = _ours(edge_journal)
    expected = optuna_tables(edge_journal)
    for table in ("trial_user_attrs", "trial_system_attrs"):
        ours = tables.__getattribute__(table)
        theirs = expected.__getattribute__(table)
        pairs = zip(ours["value"].tolist(), theirs["value"].tolist(), strict=True)
        for value, optuna_value in pairs:
            float_list = (
                type(optuna_value) is list
                and bool(optuna_value)
                and all(type(x) is float for x in optuna_value)
            )
            assert isinstance(value, EncodedList) == float_list, (value, optuna_value)
            if float_list:
                assert value.text == json.dumps(optuna_value)
                assert json.dumps(decoded(value)) == json.dumps(optuna_value)
            else:
                assert json.dumps(value) == json.dumps(optuna_value)
    curves = tables.trial_user_attrs.query("key == 'val_losses'")["value"]
    assert len(curves) == 8 and all(isinstance(v, EncodedList) for v in curves)
