"""Exact values one key away: significant digits on screen, `v` in full, `y` copies the config."""

from __future__ import annotations

import io
import json

from rich.console import Console
from textual.widgets import Static

from hpo_tui.core.display import display_number
from hpo_tui.tui.screens.trial import TrialScreen
from tests.tui.conftest import loaded, make_app

SIZE = (120, 40)


def _shown(screen: TrialScreen) -> str:
    console = Console(width=300, record=True, file=io.StringIO())
    console.print(screen.query_one("#trial-info", Static).content)
    return console.export_text()


def _small_float_param(app) -> tuple[int, str, float]:  # type: ignore[no-untyped-def]
    """A trial whose float param loses significant digits when cut to 4 decimals."""
    params = app.campaign.detail_tables.params
    for key, name, value in zip(params["key"], params["param_name"], params["value"], strict=True):
        if type(value) is float and 0 < abs(value) < 0.01 and f"{value:.4f}" != repr(value):
            return int(key), str(name), value
    raise AssertionError("the golden campaign has no small float param")


async def test_trial_screen_shows_significant_digits_and_v_the_full_value() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        key, name, value = _small_float_param(app)
        app.open_trial(key, [key])
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TrialScreen)
        line = next(li for li in _shown(screen).splitlines() if li.strip().startswith(name))
        assert line.split()[-1] == display_number(value)  # e.g. 0.002461, not 0.0025
        await pilot.press("v")
        line = next(li for li in _shown(screen).splitlines() if li.strip().startswith(name))
        assert line.split()[-1] == repr(value)
        assert float(line.split()[-1]) == value


async def test_y_copies_the_exact_config_as_json() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        key, _, _ = _small_float_param(app)
        app.open_trial(key, [key])
        await pilot.pause()
        notes: list[str] = []
        notify = app.notify
        app.notify = lambda message, **kw: (notes.append(message), notify(message, **kw))[1]  # type: ignore[method-assign]
        await pilot.press("y")
        await pilot.pause()
        copied = json.loads(app.clipboard)
        assert copied == app.campaign.trial_detail(key)["params"]  # every float bit-identical
        assert any("copied" in m.lower() for m in notes)


async def test_study_table_shows_a_categorical_none_as_none() -> None:
    """``—`` is for a param the trial does not have; a stored ``None`` choice reads ``None``."""
    from hpo_tui.tui.widgets.trial_table import TrialTable

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        campaign = app.campaign
        params = campaign.detail_tables.params
        none_keys = {
            int(k) for k, v in zip(params["key"], params["value"], strict=True) if v is None
        }
        assert none_keys, "the golden campaign has a trial whose categorical param is None"
        await pilot.press("a")
        await pilot.pause()
        table = app.screen.query_one(TrialTable)
        texts = table._text_column("param_activation").to_pylist()
        keys = table.trials["key"].tolist()
        has = set(params.loc[params["param_name"] == "activation", "key"].astype(int))
        for key, text in zip(keys, texts, strict=True):
            if key in none_keys:
                assert text == "None"
            elif key not in has:
                assert text == "—"
            else:
                assert text not in ("None", "—")
