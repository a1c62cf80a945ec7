"""`hpo-tui trial`: one trial exactly as the export holds it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from hpo_tui.cli import main
from hpo_tui.core import load_campaign
from hpo_tui.core.export.writer import FULL_JSON, render_export
from tests.helpers.golden import GOLDEN_SPEC
from tests.helpers.paths import ROOT


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _strict(text: str) -> object:
    def refuse(token: str) -> object:
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def exported() -> dict:
    campaign = load_campaign([GOLDEN_SPEC])
    files = render_export(campaign, datetime(2026, 1, 1, tzinfo=UTC))
    return _strict(files[FULL_JSON])  # type: ignore[return-value]


def test_json_is_the_exports_trial_record(capsys: pytest.CaptureFixture, exported: dict) -> None:
    checked = 0
    for study in exported["studies"][:3]:
        for trial in study["trials"][:4]:
            args = ["trial", GOLDEN_SPEC, "--study", study["study"], "--number"]
            assert main([*args, str(trial["number"]), "--format", "json"]) == 0
            shown = _strict(capsys.readouterr().out)
            head = {k: study[k] for k in ("study", "source", "objectives")}
            assert shown == {**head, **trial}
            checked += 1
    assert checked >= 6


def test_table_names_the_values_by_the_metric_names(
    tmp_path, capsys: pytest.CaptureFixture
) -> None:
    import optuna

    path = tmp_path / "named.db"
    study = optuna.create_study(
        study_name="named", storage=f"sqlite:///{path}", directions=["minimize", "maximize"]
    )
    study.set_metric_names(["val_loss", "accuracy"])
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), 0.75), n_trials=1)
    assert main(["trial", str(path), "--study", "named", "--number", "0"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(li.split() == ["accuracy", "(maximize)", "0.75"] for li in lines)
    x = study.trials[0].values[0]
    assert any(li.split() == ["val_loss", "(minimize)", repr(x)] for li in lines)
    assert main(["trial", str(path), "--study", "named", "--number", "0", "--format", "json"]) == 0
    document = _strict(capsys.readouterr().out)
    assert document["objectives"] == [
        {"column": "values_0", "name": "val_loss", "direction": "minimize"},
        {"column": "values_1", "name": "accuracy", "direction": "maximize"},
    ]


def test_table_shows_every_float_in_full(capsys: pytest.CaptureFixture, exported: dict) -> None:
    study = exported["studies"][0]
    trial = next(t for t in study["trials"] if t["params"])
    args = ["trial", GOLDEN_SPEC, "--study", study["study"], "--number", str(trial["number"])]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert trial["state"] in out
    for name, value in trial["params"].items():
        line = next(li for li in out.splitlines() if f" {name} " in f" {li} ")
        assert (repr(value) if isinstance(value, float) else str(value)) in line


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--study", "no such study", "--number", "0"], "no study named 'no such study'"),
        (["--number", "99999"], "no trial 99999"),
    ],
)
def test_unknown_study_or_number_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture, exported: dict, args: list[str], problem: str
) -> None:
    if "--study" not in args:
        args = ["--study", exported["studies"][0]["study"], *args]
    assert main(["trial", GOLDEN_SPEC, *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hpo-tui: error: ")
    assert problem in lines[0]
