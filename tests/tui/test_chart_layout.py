"""Chart screens at 80 × 24 and 120 × 40: the chart gets at least half the width, panels
stack below 100 columns; the chart says what it shows, ignores outliers unless asked."""

from __future__ import annotations

import numpy as np
import pytest
from textual.app import App, ComposeResult
from textual.widget import Widget

from hpo_tui.tui.screens.compare import CompareScreen
from hpo_tui.tui.screens.dynamics import DynamicsScreen
from hpo_tui.tui.screens.effects import EffectsScreen
from hpo_tui.tui.screens.trial import TrialScreen
from hpo_tui.tui.widgets.curve_plot import CurvePlot, prepare_series
from tests.tui.conftest import loaded, make_app, press

SCREENS = {
    "trial": (["enter", "down", "enter"], TrialScreen, "#trial-info-scroll"),
    "dynamics": (["t"], DynamicsScreen, "#dynamics-stats-scroll"),
    "effects": (["x"], EffectsScreen, "#effects-tables"),
    "compare": (["enter", "space", "space", "c"], CompareScreen, None),
}


async def _open(pilot, keys: list[str]) -> None:
    await loaded(pilot)
    await press(pilot, *keys)


@pytest.mark.parametrize("name", list(SCREENS))
async def test_narrow_screen_stacks_the_detail_above_a_full_width_chart(name: str) -> None:
    keys, screen_type, detail_id = SCREENS[name]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, keys)
        assert isinstance(app.screen, screen_type)
        plot = app.screen.query_one(CurvePlot).region
        assert plot.width >= 80 // 2
        assert plot.height >= 10
        if detail_id is not None:
            detail = app.screen.query_one(detail_id, Widget).region
            assert detail.height > 0  # still shown, and scrollable
            assert plot.y >= detail.bottom  # stacked: the chart below the detail
            assert plot.width == detail.width == 80


@pytest.mark.parametrize("name", list(SCREENS))
async def test_wide_screen_puts_them_side_by_side_the_chart_at_least_half(name: str) -> None:
    keys, screen_type, detail_id = SCREENS[name]
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(pilot, keys)
        assert isinstance(app.screen, screen_type)
        plot = app.screen.query_one(CurvePlot).region
        assert plot.width >= 120 // 2
        if detail_id is not None:
            detail = app.screen.query_one(detail_id, Widget).region
            assert plot.x >= detail.right and plot.y == detail.y


class _PlotApp(App[None]):
    def compose(self) -> ComposeResult:
        yield CurvePlot()


def _spiky_series() -> list:
    steps = np.arange(30)
    curves = [1.0 + 0.1 * k + np.exp(-steps / 8) for k in range(5)]
    curves[2] = curves[2].copy()
    curves[2][12] = 400 * curves[2][0]  # one trial spikes to 400× its start
    label = "#{} a long label for a trial"
    return [prepare_series(label.format(k), steps, c) for k, c in enumerate(curves)]


def _rendered(plot: CurvePlot) -> str:
    return plot.render().plain  # type: ignore[union-attr]


async def test_a_spike_is_clipped_and_marked_and_a_shows_everything() -> None:
    app = _PlotApp()
    async with app.run_test(size=(80, 24)) as pilot:
        plot = app.query_one(CurvePlot)
        plot.show(_spiky_series(), title="study · top 5")
        await pilot.pause()
        assert plot.y_range is not None and plot.y_range.high < 5
        assert plot.series[2].above and not plot.series[0].above
        text = _rendered(plot)
        assert "↑1 outlier at the edge (a: full range)" in text
        assert "↑" in text.split("\n", 2)[2]  # the marker is drawn on the plot too
        plot.toggle_full_range()
        await pilot.pause()
        assert plot.y_range.high >= 400
        assert not plot.series[2].above
        assert "full y range" in _rendered(plot)


async def test_title_names_the_log_axis_and_ticks_are_whole_steps() -> None:
    app = _PlotApp()
    async with app.run_test(size=(80, 24)) as pilot:
        plot = app.query_one(CurvePlot)
        steps = np.arange(16)
        plot.show([prepare_series("intermediate", steps, 1 / (1 + steps))], title="s #3")
        await pilot.pause()
        text = _rendered(plot)
        assert text.startswith("s #3")
        assert "log y" not in text
        assert "7.5" not in text and " 15" in text
        logged = prepare_series("intermediate", steps, 1 / (1 + steps), log_y=True)
        plot.show([logged], "s #3", log_y=True)
        await pilot.pause()
        assert _rendered(plot).startswith("s #3 · log y")


async def test_a_legend_that_would_cover_the_plot_goes_below_it() -> None:
    app = _PlotApp()
    async with app.run_test(size=(44, 20)) as pilot:
        plot = app.query_one(CurvePlot)
        plot.show(_spiky_series(), title="five long labels")
        await pilot.pause()
        text = _rendered(plot)
        assert plot.legend_outside
        assert text.rstrip().endswith("#4 a long label for a trial")
    app = _PlotApp()
    async with app.run_test(size=(120, 40)) as pilot:
        plot = app.query_one(CurvePlot)
        steps = np.arange(30)
        rising = [prepare_series(f"#{k} rising", steps, steps * (1 + k)) for k in range(2)]
        plot.show(rising, title="two short labels, the top left corner empty")
        await pilot.pause()
        _rendered(plot)
        assert not plot.legend_outside
        falling = [prepare_series(f"#{k} falling", steps, -steps * (1 + k)) for k in range(2)]
        plot.show(falling, title="two short labels, the top left corner taken")
        await pilot.pause()
        _rendered(plot)
        assert plot.legend_outside  # the legend would hide the first points
