"""What a curve's step means, worded once in the core for the chart and the export README."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.export.writer import render_export
from hpo_tui.core.model.curves import (
    STEP_LIST_POSITION,
    STEP_REPORT,
    step_axis_label,
    step_axis_labels,
    step_meaning,
)
from tests.helpers.golden import GOLDEN_SPEC
from tests.helpers.paths import ROOT


def test_each_kind_of_curve_has_its_step_meaning() -> None:
    assert "trial.report" in STEP_REPORT
    assert "list position" in STEP_LIST_POSITION
    assert step_meaning("intermediate") == STEP_REPORT
    assert step_meaning("train_losses") == STEP_LIST_POSITION


def test_axis_label_names_the_meaning_of_each_curve_shown() -> None:
    assert step_axis_label(["intermediate"]) == STEP_REPORT
    assert step_axis_label(["val_losses", "train_losses"]) == STEP_LIST_POSITION
    mixed = step_axis_label(["train_losses", "intermediate", "val_losses"])
    assert mixed == (
        f"intermediate: {STEP_REPORT} · train_losses, val_losses: {STEP_LIST_POSITION}"
    )
    assert step_axis_label([]) == "step"


def test_shorter_axis_labels_keep_both_meanings() -> None:
    labels = step_axis_labels(["intermediate", "val_losses"])
    lengths = [len(label) for label in labels]
    assert lengths == sorted(lengths, reverse=True)
    for label in labels:
        assert "report" in label and "list pos" in label
    assert step_axis_labels(["intermediate"])[-1] == "report step"


def test_export_readme_says_the_step_of_every_curve(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    campaign = load_campaign([GOLDEN_SPEC])
    readme = render_export(campaign, datetime(2026, 1, 2, tzinfo=UTC))["README.md"]
    names = sorted(set(campaign.curves["curve"].astype(str)))
    assert {"intermediate", "train_losses", "val_losses"} <= set(names)
    section = readme.split("## Curves", 1)[1].split("\n## ", 1)[0]
    for name in names:
        assert f"| `{name}` | {step_meaning(name)} |" in section
