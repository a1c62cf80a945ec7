"""The trial table's column choice: kept as a difference from the defaults, in the user's
config folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from hpo_tui.core.prefs import (
    COLUMNS_FILE,
    ColumnChoice,
    config_dir,
    load_column_choices,
    save_column_choice,
)

DEFAULTS = ["number", "state", "value", "param_lr", "diverged_reason", "curve_best"]


def test_the_config_dir_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HPO_TUI_CONFIG_DIR", str(tmp_path / "cfg"))
    assert config_dir() == tmp_path / "cfg"


def test_a_choice_is_the_difference_from_the_defaults() -> None:
    chosen = ["number", "state", "value", "curve_best", "datetime_start"]
    choice = ColumnChoice.between(DEFAULTS, chosen)
    assert choice.hidden == ["param_lr", "diverged_reason"]
    assert choice.added == ["datetime_start"]
    assert choice.apply(DEFAULTS, [*DEFAULTS, "datetime_start"]) == chosen


def test_a_choice_applies_to_a_study_with_other_params() -> None:
    choice = ColumnChoice(hidden=["diverged_reason"], added=["datetime_start"])
    other = ["number", "state", "value", "param_width", "diverged_reason"]
    shown = choice.apply(other, [*other, "datetime_start"])
    assert shown == ["number", "state", "value", "param_width", "datetime_start"]
    assert choice.apply(other, other) == ["number", "state", "value", "param_width"]


def test_save_and_load_keep_each_table(tmp_path: Path) -> None:
    path = tmp_path / "nested" / COLUMNS_FILE
    save_column_choice("study", ColumnChoice(["curve_best"], []), path)
    save_column_choice("all", ColumnChoice([], ["sweep"]), path)
    choices = load_column_choices(path)
    assert choices["study"] == ColumnChoice(["curve_best"], [])
    assert choices["all"] == ColumnChoice([], ["sweep"])
    assert sorted(p.name for p in path.parent.iterdir()) == [COLUMNS_FILE]  # no temp left


@pytest.mark.parametrize("content", ["", "{not json", "[1, 2]", '{"study": 3}'])
def test_a_damaged_file_means_no_choice(tmp_path: Path, content: str) -> None:
    path = tmp_path / COLUMNS_FILE
    path.write_text(content, encoding="utf-8")
    assert load_column_choices(path) == {}


def test_a_missing_file_means_no_choice(tmp_path: Path) -> None:
    assert load_column_choices(tmp_path / COLUMNS_FILE) == {}
