"""Grid axes from study names."""

from __future__ import annotations

import pytest

from hpo_tui.core.config import DEFAULT_AXIS_PATTERN
from hpo_tui.core.model.axes import ordered, parse_axes


@pytest.mark.parametrize(
    ("name", "budget", "horizon"),
    [
        ("demo_2M_h1", "2M", "h1"),
        ("h3-model-1.5B", "1.5B", "h3"),
        ("sweep budget=350K horizon=h5 v2", "350K", "h5"),
        ("tft_20M_h10_seed0", "20M", "h10"),
    ],
)
def test_default_pattern_finds_both_axes(name: str, budget: str, horizon: str) -> None:
    assert parse_axes(name, DEFAULT_AXIS_PATTERN) == {"budget": budget, "horizon": horizon}


@pytest.mark.parametrize("name", ["sanity check", "only_2M", "only_h1", "x2Mh1", "2MB_h1"])
def test_names_that_fit_no_grid(name: str) -> None:
    assert parse_axes(name, DEFAULT_AXIS_PATTERN) == {"budget": None, "horizon": None}


def test_magnitude_order() -> None:
    assert ordered(["2B", "20M", "350K", "200M", "2M", "1.5B", None]) == [
        "350K",
        "2M",
        "20M",
        "200M",
        "1.5B",
        "2B",
    ]
    assert ordered(["h10", "h3", "h1", "h5"]) == ["h1", "h3", "h5", "h10"]


def test_custom_pattern_names_the_axes(tmp_path) -> None:
    from hpo_tui.core.config import load_config

    (tmp_path / "hpo-tui.toml").write_text(
        "[axes]\npattern = '(?P<model>tiny|base|large)_(?P<dataset>[a-z]+)$'\n"
    )
    config = load_config(tmp_path)
    assert config.axis_names == ("model", "dataset")
    assert parse_axes("base_weather", config.axis_pattern) == {
        "model": "base",
        "dataset": "weather",
    }


def test_pyproject_table_is_read(tmp_path) -> None:
    from hpo_tui.core.config import load_config

    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname='x'\n[tool.hpo-tui]\nstorage='runs/hpo.db'\n"
        "[tool.hpo-tui.divergence]\nexplode_factor=5\n"
    )
    config = load_config(tmp_path)
    assert config.storage == ("runs/hpo.db",)
    assert config.divergence.explode_factor == 5.0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("storage = 3", "storage must be"),
        ("[axes]\npattern = '('", "not a valid regex"),
        ("[axes]\npattern = 'no groups'", "named groups"),
        ("colour = 'red'", "unknown key"),
        ("[divergence]\nexplode_factor = -1", "positive number"),
        ("not toml at all [", "not valid TOML"),
    ],
)
def test_bad_config_is_one_clear_line(tmp_path, text: str, problem: str) -> None:
    from hpo_tui.core import ConfigError
    from hpo_tui.core.config import load_config

    (tmp_path / "hpo-tui.toml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert problem in str(info.value)
    assert "hpo-tui.toml" in str(info.value)
    assert "\n" not in str(info.value)
