"""Provenance: ``verify_export`` re-derives an export and finds every changed cell/path."""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import optuna
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hpo_tui.core import load_campaign
from hpo_tui.core.config import Config, DivergenceRules
from hpo_tui.core.export.formats.json import dumps_strict
from hpo_tui.core.export.verify import (
    VerifyError,
    compare_export,
    read_metadata,
    verify_export,
)
from hpo_tui.core.export.writer import render_export, summary_frame, write_export
from tests.helpers.golden import GOLDEN_SPEC
from tests.helpers.paths import ROOT

FIXED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


class Rendered(tuple[Path, dict[str, str]]):
    """(export folder, re-derived texts), with a short repr for failure reports."""

    def __repr__(self) -> str:
        return f"Rendered({self[0]})"


@pytest.fixture(scope="module")
def golden_export(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The golden campaign's export on disk, and its texts re-derived (rendered once)."""
    campaign = load_campaign([str(ROOT / GOLDEN_SPEC)])
    folder = tmp_path_factory.mktemp("verify") / "export"
    write_export(campaign, folder, generated_at=FIXED)
    return Rendered((folder, render_export(campaign, FIXED)))


def _copy(folder: Path, tmp: Path) -> Path:
    target = tmp / "copy"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(folder, target)
    return target


def test_an_untouched_export_verifies_clean(golden_export, tmp_path: Path) -> None:
    folder, _ = golden_export
    report = verify_export(folder, [str(ROOT / GOLDEN_SPEC)], Config())
    assert report.identical, report.differences
    assert report.total == 0
    assert "hpo_summary.csv" in report.files and "README.md" in report.files


# --- one ULP in any float of hpo_summary.csv ----------------------------------------------


def _summary_float_cells(folder: Path) -> list[tuple[int, str]]:
    """(data row index, column) of every non-empty cell of a float column of the summary."""
    frame = pd.read_csv(folder / "hpo_summary.csv", keep_default_na=False, na_values=[""])
    campaign_floats = {
        c for c, dtype in summary_frame(_golden()).dtypes.items() if dtype.kind == "f"
    }
    cells = []
    for column in sorted(campaign_floats):
        for index, value in enumerate(frame[column]):
            if not (isinstance(value, float) and math.isnan(value)):
                cells.append((index, column))
    return cells


_GOLDEN: list[Any] = []


def _golden() -> Any:
    if not _GOLDEN:
        _GOLDEN.append(load_campaign([str(ROOT / GOLDEN_SPEC)]))
    return _GOLDEN[0]


def _one_ulp(value: float) -> float:
    """The next double towards 0 (away from 0 for 0 itself): always a different double."""
    return math.nextafter(value, 0.0) if value != 0 else math.nextafter(0.0, 1.0)


@settings(max_examples=40)
@given(data=st.data())
def test_one_ulp_in_any_float_of_the_summary_is_caught(
    golden_export, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    folder, derived = golden_export
    cells = _summary_float_cells(folder)
    assert len(cells) > 50  # values, durations, curve statistics of 30 trials
    row, column = data.draw(st.sampled_from(cells))
    rows = list(csv.reader(io.StringIO((folder / "hpo_summary.csv").read_text(), newline="")))
    header = rows[0]
    j = header.index(column)
    original = rows[row + 1][j]
    changed = repr(_one_ulp(float(original)))
    assert changed != original and float(changed) != float(original)
    rows[row + 1][j] = changed
    copy = _copy(folder, tmp_path_factory.mktemp("ulp"))
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    (copy / "hpo_summary.csv").write_text(out.getvalue(), encoding="utf-8")

    report = compare_export(copy, derived)

    assert report.total == 1, report.differences
    (difference,) = report.differences
    assert difference.file == "hpo_summary.csv"
    assert difference.column == column
    assert difference.on_disk == changed and difference.derived == original
    study, number = rows[row + 1][header.index("study")], rows[row + 1][header.index("number")]
    assert f"study={study}" in difference.where and f"number={number}" in difference.where


# --- one ULP in any float of hpo_full.json -------------------------------------------------


def _float_paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _float_paths(v, (*path, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _float_paths(v, (*path, i))]
    return [path] if type(node) is float else []


def _path_text(path: tuple[Any, ...]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.isidentifier():
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part, ensure_ascii=False)}]"
    return text


@settings(max_examples=40)
@given(data=st.data())
def test_one_ulp_in_any_float_of_the_full_json_is_caught(
    golden_export, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    folder, derived = golden_export
    text = (folder / "hpo_full.json").read_text(encoding="utf-8")
    document = json.loads(text)
    assert dumps_strict(document) + "\n" == text  # re-serialising changes nothing else
    paths = _float_paths(document)
    assert len(paths) > 500  # values, params, attrs, statistics, every curve point
    path = data.draw(st.sampled_from(paths))
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    original = parent[path[-1]]
    parent[path[-1]] = _one_ulp(original)
    copy = _copy(folder, tmp_path_factory.mktemp("ulp"))
    (copy / "hpo_full.json").write_text(dumps_strict(document) + "\n", encoding="utf-8")

    report = compare_export(copy, derived)

    assert report.total == 1, report.differences
    (difference,) = report.differences
    assert difference.file == "hpo_full.json"
    assert difference.where == _path_text(path)
    assert difference.on_disk == repr(_one_ulp(original))
    assert difference.derived == repr(original)


# --- what legitimately differs, and what is drift -------------------------------------------


def test_generation_time_and_version_are_ignored(golden_export, tmp_path: Path) -> None:
    folder, derived = golden_export
    copy = _copy(folder, tmp_path)
    for name in ("hpo_full.json", "hpo_diverged.json", "README.md"):
        text = (copy / name).read_text(encoding="utf-8")
        assert "2026-01-02T03:04:05+00:00" in text
        text = text.replace("2026-01-02T03:04:05+00:00", "2027-05-06T07:08:09+00:00")
        text = text.replace('"hpo_tui_version":"', '"hpo_tui_version":"9.9.9-')
        text = text.replace('"hpo_tui_version": "', '"hpo_tui_version": "9.9.9-')
        (copy / name).write_text(text, encoding="utf-8")
    assert compare_export(copy, derived).identical
    # ... and verify_export renders with the recorded time: still clean from the storage.
    assert verify_export(copy, [str(ROOT / GOLDEN_SPEC)], Config()).identical


def test_a_changed_readme_line_and_a_missing_file_are_drift(golden_export, tmp_path) -> None:
    folder, derived = golden_export
    copy = _copy(folder, tmp_path)
    lines = (copy / "README.md").read_text(encoding="utf-8").split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith("5 studies"))
    lines[index] = lines[index].replace("5 studies", "6 studies")
    (copy / "README.md").write_text("\n".join(lines), encoding="utf-8")
    (copy / "hpo_pruning.csv").unlink()
    report = compare_export(copy, derived)
    assert report.counts == {"README.md": 1, "hpo_pruning.csv": 1}
    readme = next(d for d in report.differences if d.file == "README.md")
    assert readme.where == f"line {index + 1}" and readme.on_disk.startswith("6 studies")


def test_the_recorded_rules_are_used_not_the_local_config(tmp_path: Path) -> None:
    campaign = load_campaign([str(ROOT / GOLDEN_SPEC)])
    write_export(campaign, tmp_path / "out", generated_at=FIXED)
    # A local config with other divergence thresholds would flag other trials.
    local = Config(divergence=DivergenceRules(explode_factor=1.5, recover_factor=1.1))
    other = render_export(load_campaign([str(ROOT / GOLDEN_SPEC)], local), FIXED)
    assert not compare_export(tmp_path / "out", other).identical
    assert verify_export(tmp_path / "out", [str(ROOT / GOLDEN_SPEC)], local).identical


def _objective(trial: optuna.Trial) -> float:
    x = trial.suggest_float("x", -1, 1)
    return x * x


def test_trials_added_to_the_storage_are_drift(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'grow.db'}"
    study = optuna.create_study(study_name="grow_2M_h1", storage=url)
    study.optimize(_objective, n_trials=3)
    write_export(load_campaign([str(tmp_path / "grow.db")]), tmp_path / "out")
    assert verify_export(tmp_path / "out", [str(tmp_path / "grow.db")], Config()).identical

    study.enqueue_trial({"x": 0.0})  # a new best: 0.0 < every earlier x * x
    study.optimize(_objective, n_trials=1)
    report = verify_export(tmp_path / "out", [str(tmp_path / "grow.db")], Config(), limit=500)

    assert not report.identical
    summary = [d for d in report.differences if d.file == "hpo_summary.csv"]
    assert summary == [
        type(summary[0])(
            "hpo_summary.csv",
            "study=grow_2M_h1 source=" + str(tmp_path / "grow.db") + " number=3",
            "",
            "(absent)",
            "(present)",
        )
    ]
    paths = {d.where: d for d in report.differences if d.file == "hpo_full.json"}
    assert paths["studies[0].trials"].on_disk == "3 items"
    assert paths["studies[0].trials"].derived == "4 items"
    assert paths["studies[0].best.value"].derived == "0.0"
    assert paths["studies[0].best.trial"].derived == "3"


def test_the_limit_keeps_the_first_and_counts_all(golden_export, tmp_path: Path) -> None:
    folder, derived = golden_export
    copy = _copy(folder, tmp_path)
    (copy / "hpo_summary.csv").write_text("study,number\n", encoding="utf-8")
    report = compare_export(copy, derived, limit=3)
    assert len(report.differences) == 3
    assert report.total > 3
    assert report.counts["hpo_summary.csv"] == report.total


def test_bad_input_is_a_verify_error(tmp_path: Path) -> None:
    with pytest.raises(VerifyError, match="no such folder"):
        read_metadata(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(VerifyError, match="not an hpo-tui export"):
        read_metadata(tmp_path / "empty")
    (tmp_path / "empty" / "hpo_full.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(VerifyError, match="not an hpo-tui export"):
        read_metadata(tmp_path / "empty")
