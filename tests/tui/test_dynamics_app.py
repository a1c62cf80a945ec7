"""Pilot tests: the training-dynamics screen and the horizon/budget effects screen.

The campaign is ``tests/helpers/dynamics_campaign.py``: its curves, values and params are known
by construction.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from hpo_tui.tui.screens.dynamics import DynamicsScreen
from hpo_tui.tui.screens.effects import EffectsScreen, cells_table, params_table
from hpo_tui.tui.screens.grid import GridScreen
from hpo_tui.tui.widgets.curve_plot import CurvePlot
from tests.helpers import dynamics_campaign as dc
from tests.tui.conftest import loaded, make_app, settle

SIZE = (120, 40)


@pytest.fixture
def storage(dynamics_db: str) -> str:
    return dynamics_db


def _text(renderable: object) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


async def test_t_opens_the_dynamics_of_the_cursor_study(storage: str) -> None:
    app = make_app([storage])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        grid = app.screen
        assert isinstance(grid, GridScreen)
        study_id = grid.selected_study()  # 2M × h1: the overfitting study
        await pilot.press("t")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DynamicsScreen) and screen.study_id == study_id
        stats = str(screen.query_one("#dynamics-stats").render())
        assert dc.OVERFIT in stats
        assert "50% (4 of 8)" in stats  # still improving
        assert "3 / 6 / 9" in stats  # best epoch q25 / median / q75
        assert "0.15" in stats  # median final-vs-best gap
        # Top 5 by value: the improving trials 1, 3, 5, 7, then the best overfitting one (0).
        labels = [s.label for s in screen.query_one(CurvePlot).series]
        assert [label.split()[0] for label in labels] == ["#1", "#3", "#5", "#7", "#0"]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is grid


async def test_g_cycles_group_by_param_with_median_and_quartiles(storage: str) -> None:
    app = make_app([storage])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("t")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DynamicsScreen)
        assert screen.params == ["layers", "lr", "width"]
        for expected in ("layers", "lr", "width"):
            await pilot.press("g")
            await settle(pilot)
            assert screen.param == expected
        series = screen.query_one(CurvePlot).series
        # Two groups × (median, q25, q75); the median and its quartiles differ by marker,
        # the groups by marker too: readable without colour.
        assert len(series) == 6
        assert series[0].label.startswith("narrow median")
        assert series[3].label.startswith("wide median")
        markers = [s.marker for s in series]
        assert markers[0] != markers[1] and markers[1] == markers[2]
        assert len({markers[0], markers[1], markers[3], markers[4]}) == 4
        stats = str(screen.query_one("#dynamics-stats").render())
        assert "grouped by width" in stats
        await pilot.press("g")  # past the last param: back to the top-k overlay
        await settle(pilot)
        assert screen.param is None
        assert len(screen.query_one(CurvePlot).series) == 5


async def test_markup_in_a_study_name_is_shown_literally(storage: str) -> None:
    app = make_app([storage])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert app.campaign is not None
        studies = app.campaign.studies
        study_id = int(studies.loc[studies["study"] == dc.MAXIMIZED, "study_id"].iloc[0])
        app.open_dynamics(study_id)
        await settle(pilot)
        stats = str(app.screen.query_one("#dynamics-stats").render())
        assert dc.MAXIMIZED in stats
        assert "maximize" in stats


async def test_x_opens_horizon_effects_and_toggles_to_budget_effects(storage: str) -> None:
    app = make_app([storage])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("x")  # cursor on 2M × h1
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EffectsScreen)
        assert screen.effects is not None
        assert screen.effects.along == "horizon" and screen.effects.fixed == ("budget", "2M")
        cells = _text(cells_table(screen.effects))
        assert "dyn_2M_h1" in cells and "dyn_2M_h5" in cells
        assert "0.47" in cells  # the best value of 2M × h1
        params = _text(params_table(screen.effects))
        assert "narrow" in params and "wide" in params
        labels = [s.label for s in screen.query_one(CurvePlot).series]
        assert labels == ["h1 #1", "h3 #0", "h5 #0"]
        await pilot.press("x")  # budget effects for the cursor's horizon (h1)
        await settle(pilot)
        assert screen.effects.along == "budget" and screen.effects.fixed == ("horizon", "h1")
        assert list(screen.effects.cells.index) == ["2M", "20M"]
        await pilot.press("n")  # next horizon
        await settle(pilot)
        assert screen.effects.fixed == ("horizon", "h3")
        await pilot.press("p", "p")  # wraps around
        await settle(pilot)
        assert screen.effects.fixed == ("horizon", "h5")


async def test_effects_follow_the_cursor_row(storage: str) -> None:
    app = make_app([storage])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("down", "x")  # row 20M
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EffectsScreen) and screen.effects is not None
        assert screen.effects.fixed == ("budget", "20M")
        assert Path(storage).exists()
