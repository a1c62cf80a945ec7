"""hpo_full.json written a chunk of trials at a time, column by column: the same bytes as the
dict-based records (:func:`full_document`) through ``dumps_strict``, on a storage made of odd
values, for any chunking."""

from __future__ import annotations

import io
import json
import math
import struct
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import optuna
import pytest

import hpo_tui.core.export.full_json_records as full_json_records
from hpo_tui.core import load_campaign
from hpo_tui.core.export.formats.json import dumps_strict
from hpo_tui.core.export.full_json import full_document, write_full_json
from hpo_tui.core.export.writer import write_export

WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
ODD_VALUES = [-0.0, 1e-300, 5e-324, 1.7976931348623157e308, math.inf, -math.inf, 0.1, 1e16]
NAME = 'lr ü"\\\n😀'


def _odd_trial(study: optuna.Study, case: int) -> None:
    trial = study.ask()
    trial.suggest_float("x", 1e-5, 1.0, log=True)
    trial.suggest_int("n", -3, 2**40)
    trial.suggest_categorical("opt", ["adam", None, 'ü"\\'])
    if case % 3 == 0:
        trial.suggest_float(NAME, -1.0, 1.0)
    if case % 4 != 3:  # some trials report nothing: no curves at all
        steps = 40 if case == 5 else 1 + case % 4  # one long curve
        for step in range(steps):
            value = ODD_VALUES[(case + step) % len(ODD_VALUES)] if case % 2 else 0.5**step
            trial.report(math.nan if (case, step) == (1, 0) else value, step)
    trial.set_user_attr("losses", [1.0, math.nan, 0.25, -0.0][: 1 + case % 4])
    trial.set_user_attr("counts", [1, 2, 3 + case])  # ints: no floats in the export
    trial.set_user_attr(NAME, {"b": 1, "a": [None, "null", "{"]})
    trial.set_user_attr("note", ["null", "{", "}", "é", "\x00"][case % 5])
    if case == 4:
        trial.set_user_attr("seed", 2**70)  # orjson refuses it: this record goes through json
    if case == 6:
        trial.set_user_attr("missing", None)
    study._storage.set_trial_system_attr(trial._trial_id, "worker", f"w{case % 2}")
    if case % 7 == 2:
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
    elif case % 7 == 3 and case % 4 != 3:
        study.tell(trial, state=optuna.trial.TrialState.PRUNED)
    elif case == 8:
        pass  # RUNNING: no value, no end
    else:
        study.tell(trial, ODD_VALUES[case % len(ODD_VALUES)])


@pytest.fixture(scope="module")
def odd_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Two studies whose trials interleave in the storage (their keys are not one run), a
    multi-objective study, a waiting trial, odd numbers and texts everywhere."""
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    url = f"sqlite:///{tmp_path_factory.mktemp('odd') / 'odd.db'}"
    first = optuna.create_study(study_name="odd_2M_h1", storage=url)
    second = optuna.create_study(study_name="odd_4M_h1", storage=url, direction="maximize")
    second.set_user_attr(NAME, [math.nan, "x"])
    for case in range(12):
        _odd_trial(first if case % 3 else second, case)
    second.enqueue_trial({"x": 0.5})  # WAITING: no start, no end
    optuna.create_study(study_name="empty_2M_h1", storage=url)
    multi = optuna.create_study(
        study_name="multi_2M_h3", storage=url, directions=["minimize", "maximize"]
    )
    for case in range(4):
        trial = multi.ask()
        trial.suggest_float("y", -1, 1)
        if case == 1:
            multi.tell(trial, state=optuna.trial.TrialState.FAIL)
        else:
            multi.tell(trial, [ODD_VALUES[case], -math.inf if case == 2 else 1.0])
    return url


def _bits(value: float) -> bytes:
    return struct.pack("<d", value) if value == value else b"NaN"


def _reference(campaign: Any) -> bytes:
    """Each piece of :func:`full_document` through :func:`dumps_strict` on its own, as the
    writer streams them (a record orjson refuses goes whole through ``json``)."""
    document = full_document(campaign, WHEN)
    studies = []
    for study in document["studies"]:
        head = dumps_strict({**study, "trials": []})
        studies.append(head[:-2] + ",".join(dumps_strict(t) for t in study["trials"]) + "]}")
    text = '{"metadata":' + dumps_strict(document["metadata"]) + ',"studies":['
    return (text + ",".join(studies) + "]}\n").encode()


@pytest.mark.parametrize(
    ("trials", "points"),
    [
        (full_json_records.CHUNK_TRIALS, full_json_records.CHUNK_POINTS),
        (2, 7),
        (1, 1),
        (5, 10**9),
    ],
    ids=["default", "small", "one-trial", "by-trials"],
)
def test_any_chunking_writes_the_records_of_the_whole_document(
    odd_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trials: int, points: int
) -> None:
    monkeypatch.setattr(full_json_records, "CHUNK_TRIALS", trials)
    monkeypatch.setattr(full_json_records, "CHUNK_POINTS", points)
    campaign = load_campaign([odd_url])
    assert campaign.curves.groupby("key").size().max() > points or points > 40
    write_export(campaign, tmp_path / "out", generated_at=WHEN)
    written = (tmp_path / "out" / "hpo_full.json").read_bytes()
    assert written == _reference(campaign)
    out = io.StringIO()  # a text stream: record by record
    write_full_json(out, campaign, WHEN)
    assert out.getvalue().encode() == written


def test_odd_values_read_back(odd_url: str) -> None:
    campaign = load_campaign([odd_url])
    out = io.StringIO()
    write_full_json(out, campaign, WHEN)

    def refuse(token: str) -> None:
        raise ValueError(token)

    document = json.loads(out.getvalue(), parse_constant=refuse)
    studies = {s["study"]: s for s in document["studies"]}
    assert studies["empty_2M_h1"]["trials"] == []
    trials = [t for s in document["studies"] for t in s["trials"]]
    assert len(trials) == len(campaign.trials) == 12 + 1 + 4
    values = [v for t in trials for v in t["values"] or []]
    assert 5e-324 in values and 1e-300 in values and "Infinity" in values
    assert "-Infinity" in values
    # Every value and curve point reads back bit for bit ("NaN"/"Infinity" strings included).
    frame = campaign.trials.set_index(["study", "number"])
    for study in document["studies"]:
        for trial in study["trials"]:
            row = frame.loc[(study["study"], trial["number"])]
            got = trial["values"] or []
            columns = ["value"] if len(got) == 1 else [f"values_{i}" for i in range(len(got))]
            for value, column in zip(got, columns, strict=True):
                assert _bits(float(value)) == _bits(row[column]), (study["study"], column)
    curves = campaign.curves
    exported = [_bits(float(v)) for t in trials for c in t["curves"].values() for v in c["values"]]
    assert sorted(exported) == sorted(_bits(v) for v in curves["value"].tolist())
    seeds = [t["user_attrs"]["seed"] for t in trials if "seed" in t["user_attrs"]]
    assert seeds == [2**70]
    assert all(list(t["user_attrs"][NAME]) == ["b", "a"] for t in trials if t["user_attrs"])
    assert {t["state"] for t in trials} == {"COMPLETE", "FAIL", "PRUNED", "RUNNING", "WAITING"}
    assert any(t["curves"] == {} for t in trials)
    waiting = next(t for t in trials if t["state"] == "WAITING")
    assert waiting["datetime_start"] is None and waiting["values"] is None
    multi = studies["multi_2M_h3"]["trials"]
    assert [t["values"] for t in multi][1:] == [
        None,
        [5e-324, "-Infinity"],
        [1.7976931348623157e308, 1.0],
    ]
