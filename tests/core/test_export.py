"""The export set: golden files, exact round trips, strict JSON, atomic replacement."""

from __future__ import annotations

import json
import math
import struct
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.export.writer import (
    EXPORT_FILES,
    ExportError,
    render_export,
    summary_frame,
    write_export,
)
from tests.helpers.golden import GOLDEN_SPEC
from tests.helpers.paths import ROOT
from tests.helpers.snapshot_fs import fs_state

FIXED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def golden_campaign(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(ROOT)
    return load_campaign([GOLDEN_SPEC])


def _strict_loads(text: str):
    def refuse(token: str) -> None:
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("name", EXPORT_FILES)
def test_export_files_match_golden(golden_campaign, golden, name: str) -> None:
    texts = render_export(golden_campaign, FIXED)
    assert golden(f"export/{name}") == texts[name]


def test_summary_csv_reads_back_bit_identical(golden_campaign, tmp_path: Path) -> None:
    write_export(golden_campaign, tmp_path / "out", generated_at=FIXED)
    back = pd.read_csv(tmp_path / "out" / "hpo_summary.csv", keep_default_na=False, na_values=[""])
    want = summary_frame(golden_campaign)
    assert list(back.columns) == list(want.columns)
    assert len(back) == len(want)
    float_columns = [c for c in want.columns if want[c].dtype == float]
    assert "value" in float_columns and "curve_train_val_gap" in float_columns
    for column in float_columns:
        for got, exp in zip(
            back[column].to_numpy(float), want[column].to_numpy(float), strict=True
        ):
            if math.isnan(exp):
                assert math.isnan(got), column
            else:
                assert struct.pack("<d", got) == struct.pack("<d", exp), column
    assert (back["value"] == math.inf).sum() == (want["value"] == math.inf).sum() >= 1
    assert back["number"].tolist() == want["number"].tolist()
    assert back["diverged"].tolist() == want["diverged"].tolist()
    for column in ("datetime_start", "datetime_complete"):
        got_dt = pd.to_datetime(back[column], utc=True).astype("datetime64[ns, UTC]")
        pd.testing.assert_series_equal(got_dt, want[column].reset_index(drop=True))


def test_full_json_is_strict_and_round_trips_every_curve_point(golden_campaign) -> None:
    document = _strict_loads(render_export(golden_campaign, FIXED)["hpo_full.json"])
    points = 0
    curves = golden_campaign.curves
    for study in document["studies"]:
        study_id = golden_campaign.studies.set_index("study").loc[study["study"], "study_id"]
        for trial in study["trials"]:
            key = golden_campaign.trials[
                (golden_campaign.trials["study_id"] == study_id)
                & (golden_campaign.trials["number"] == trial["number"])
            ]["key"].iloc[0]
            for name, curve in trial["curves"].items():
                want = curves[(curves["key"] == key) & (curves["curve"] == name)]
                assert curve["steps"] == want["step"].tolist()
                got = [float(v) for v in curve["values"]]  # "NaN"/"Infinity" strings included
                for g, w in zip(got, want["value"].tolist(), strict=True):
                    assert (math.isnan(g) and math.isnan(w)) or g == w
                points += len(got)
    assert points == len(curves)
    assert document["metadata"]["divergence_rules"]["explode_factor"] == 10.0


def test_diverged_files(golden_campaign) -> None:
    texts = render_export(golden_campaign, FIXED)
    records = _strict_loads(texts["hpo_diverged.json"])["trials"]
    assert {(r["study"], r["number"]) for r in records} == {
        (s, int(n))
        for s, n in golden_campaign.trials.loc[
            golden_campaign.trials["diverged"], ["study", "number"]
        ].itertuples(index=False)
    }
    nan_case = next(
        r
        for r in records
        if r["diverged_reason"] == "nan" and r["diverged_curve"] == "intermediate"
    )
    assert nan_case["diverged_last_finite"] == 0.9
    assert nan_case["diverged_value_before"] == 0.9


def test_output_is_deterministic_apart_from_generated_at(golden_campaign) -> None:
    first = render_export(golden_campaign, FIXED)
    second = render_export(load_campaign([GOLDEN_SPEC]), datetime(2030, 1, 1, tzinfo=UTC))
    for name in EXPORT_FILES:
        a = first[name].replace(FIXED.isoformat(), "T")
        b = second[name].replace(datetime(2030, 1, 1, tzinfo=UTC).isoformat(), "T")
        assert a == b, name


def test_failure_mid_write_leaves_previous_export_intact(
    golden_campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "analysis"
    write_export(golden_campaign, out, generated_at=FIXED)
    before = fs_state(tmp_path)
    import hpo_tui.core.export.writer as export

    real = export._write_file
    calls = {"n": 0}

    def failing(path: Path, text: str) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        real(path, text)

    monkeypatch.setattr(export, "_write_file", failing)
    with pytest.raises(ExportError, match="no space left on device"):
        write_export(golden_campaign, out, generated_at=datetime(2030, 1, 1, tzinfo=UTC))
    assert fs_state(tmp_path) == before  # no leftover temp folder either


def test_export_replaces_previous_files(golden_campaign, tmp_path: Path) -> None:
    out = tmp_path / "analysis"
    write_export(golden_campaign, out, generated_at=FIXED)
    (out / "notes.md").write_text("mine")
    later = datetime(2031, 1, 1, tzinfo=UTC)
    write_export(golden_campaign, out, generated_at=later)
    assert later.isoformat() in (out / "README.md").read_text()
    assert (out / "notes.md").read_text() == "mine"  # a user's own file survives
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analysis"]


def test_output_path_that_is_a_file(golden_campaign, tmp_path: Path) -> None:
    target = tmp_path / "analysis"
    target.write_text("not a folder")
    with pytest.raises(ExportError, match="not a folder"):
        write_export(golden_campaign, target)
    assert target.read_text() == "not a folder"


def test_export_through_a_symlink_fills_the_real_folder(golden_campaign, tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o755)
    link = tmp_path / "link"
    link.symlink_to(real)
    write_export(golden_campaign, link, generated_at=FIXED)
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert sorted(p.name for p in real.iterdir()) == sorted(EXPORT_FILES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]
    assert real.stat().st_mode & 0o777 == 0o755  # the folder's mode is kept


def test_new_export_folder_gets_the_usual_mode(
    golden_campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new folder gets what mkdir gives, without the export ever setting the process's
    umask (a process-wide setting, changed from a TUI worker thread it would race)."""
    import os

    umask = os.umask(0o022)
    try:

        def refuse(mask: int) -> int:
            raise AssertionError("the export changed the process's umask")

        monkeypatch.setattr(os, "umask", refuse)
        write_export(golden_campaign, tmp_path / "fresh", generated_at=FIXED)
        monkeypatch.undo()
    finally:
        os.umask(umask)
    assert (tmp_path / "fresh").stat().st_mode & 0o777 == 0o755


@pytest.mark.parametrize("spec", ["golden", "sweeps"])
def test_streamed_full_json_is_the_whole_document(
    spec: str, two_sweeps: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """hpo_full.json is written study by study and trial by trial: byte for byte the compact
    text of the whole document, in many small writes (never the whole text at once)."""
    import io

    from hpo_tui.core.export.formats.json import dumps_strict
    from hpo_tui.core.export.full_json import full_document, write_full_json

    monkeypatch.chdir(ROOT)
    campaign = load_campaign([GOLDEN_SPEC] if spec == "golden" else list(two_sweeps))
    when = datetime(2026, 1, 1, tzinfo=UTC)

    class Recorder(io.StringIO):
        sizes: list[int] = []

        def write(self, text: str) -> int:
            self.sizes.append(len(text))
            return super().write(text)

    out = Recorder()
    write_full_json(out, campaign, when)
    assert out.getvalue() == dumps_strict(full_document(campaign, when)) + "\n"
    assert len(out.sizes) > len(campaign.trials)
    assert max(out.sizes) < len(out.getvalue()) / 2


@pytest.fixture
def odd_numbers(tmp_path: Path) -> str:
    """Curves with NaN and ±inf points, a FAIL trial without values, a value of inf, an int
    attr beyond 64 bits (orjson refuses it), a list attr with NaN, two objectives."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    url = f"sqlite:///{tmp_path / 'odd_numbers.db'}"
    study = optuna.create_study(study_name="odd_2M_h1", storage=url)
    for number in range(4):
        trial = study.ask()
        x = trial.suggest_float("x", 1e-5, 1.0, log=True)
        trial.suggest_categorical("opt", ["adam", None])
        for step, value in enumerate([0.5, float("nan"), float("inf"), -float("inf"), x]):
            trial.report(value if number % 2 else x * step, step)
        trial.set_user_attr("losses", [1.0, float("nan"), 0.25])
        if number == 1:
            trial.set_user_attr("seed", 2**70)
        if number == 2:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        else:
            study.tell(trial, float("inf") if number == 3 else x)
    multi = optuna.create_study(study_name="multi_2M_h3", storage=url, directions=["minimize"] * 2)
    multi.optimize(lambda t: (t.suggest_int("n", 1, 9), t.suggest_float("y", -1, 1)), n_trials=3)
    return url


@pytest.mark.parametrize("spec", ["golden", "sweeps", "odd"])
def test_full_json_written_to_a_file_is_the_whole_document(
    spec: str,
    two_sweeps: tuple[str, str],
    odd_numbers: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Onto a file, hpo_full.json's bytes go to its binary buffer. The reference: each piece
    of :func:`full_document` through :func:`dumps_strict` on its own (metadata, each study's
    head, each trial record), as the writer streams them; a record orjson refuses (an int
    beyond 64 bits) goes through ``json`` alone, so its floats are Python's repr there."""
    from hpo_tui.core.export.formats.json import dumps_strict
    from hpo_tui.core.export.full_json import full_document

    monkeypatch.chdir(ROOT)
    sources = {"golden": [GOLDEN_SPEC], "sweeps": list(two_sweeps), "odd": [odd_numbers]}
    campaign = load_campaign(sources[spec])
    write_export(campaign, tmp_path / "out", generated_at=FIXED)
    written = (tmp_path / "out" / "hpo_full.json").read_bytes()
    document = full_document(campaign, FIXED)
    studies = []
    for study in document["studies"]:
        head = dumps_strict({**study, "trials": []})
        studies.append(head[:-2] + ",".join(dumps_strict(t) for t in study["trials"]) + "]}")
    want = '{"metadata":' + dumps_strict(document["metadata"]) + ',"studies":['
    assert written == (want + ",".join(studies) + "]}\n").encode()
    if spec != "odd":  # orjson takes every record: one compact text of the whole document
        assert written == (dumps_strict(document) + "\n").encode()
    if spec == "odd":
        text = written.decode()
        assert '"Infinity"' in text and '"NaN"' in text and str(2**70) in text
