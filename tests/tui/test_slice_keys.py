"""The slice view's ``t`` / ``x``: training dynamics of its study, horizon effects at its
budget (as on the grid)."""

from __future__ import annotations

from hpo_tui.tui.screens.dynamics import DynamicsScreen
from hpo_tui.tui.screens.effects import EffectsScreen
from hpo_tui.tui.screens.slice import SliceScreen
from tests.tui.conftest import loaded, make_app

SIZE = (120, 40)


async def _open_slice(pilot, row: int = 0, on_grid: bool = True) -> SliceScreen:
    """The slice view of a study's first param (``row``: which study on the grid, or off it)."""
    await loaded(pilot)
    app = pilot.app
    studies = app.campaign.studies
    chosen = studies[studies["sweep"].notna() == on_grid].sort_values("study_id")
    study = chosen.iloc[row]
    trials = app.campaign.study_trials(int(study["study_id"]))
    params = [c[len("param_") :] for c in trials.columns if c.startswith("param_")]
    params = [p for p in params if trials[f"param_{p}"].notna().any()]
    app.open_slice(int(study["study_id"]), params[0], params)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, SliceScreen)
    return screen


async def test_t_on_the_slice_view_opens_the_study_dynamics() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_slice(pilot)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, DynamicsScreen)
        assert app.screen.study_id == screen.study_id
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_x_on_the_slice_view_opens_horizon_effects_at_its_budget() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_slice(pilot, row=1)  # fx_2B_h3: not the first row
        study = app.campaign.studies.set_index("study_id").loc[screen.study_id]
        row_axis, column_axis = app.campaign.axis_names[:2]
        await pilot.press("x")
        await app.workers.wait_for_complete()
        await pilot.pause()
        effects = app.screen
        assert isinstance(effects, EffectsScreen)
        assert effects.along == column_axis
        assert effects.at[row_axis] == str(study[row_axis])
        assert effects.sweep == study["sweep"]
        assert effects.effects is not None
        assert effects.effects.fixed == (row_axis, str(study[row_axis]))


async def test_x_on_the_slice_view_of_a_study_off_the_grid_says_so() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_slice(pilot, on_grid=False)
        await pilot.press("x")
        await pilot.pause()
        assert app.screen is screen
        assert any("not on the grid" in str(n.message) for n in app._notifications)


def test_the_slice_plot_leaves_outliers_out_of_its_y_range_until_a() -> None:
    from hpo_tui.tui.widgets.slice_plot import SliceData, SlicePlot

    ys = [0.30, 0.31, 0.29, 0.33, 0.32, 0.30, 0.31, 0.34, 120.0]  # one trial spiked 400x
    data = SliceData(title="t", xlabel="x", groups=[("rest", "o", list(range(9)), ys)])
    plot = SlicePlot()
    plot.data = data
    drawn = plot.drawn_groups()
    assert plot.y_range is not None and plot.y_range.high < 1.0 and plot.y_range.n_clipped == 1
    assert max(drawn[0][3]) == plot.y_range.high  # the outlier sits on the edge
    assert "↑1 outlier at the edge (a: full range)" in plot.range_note()
    plot.full_range = True
    drawn = plot.drawn_groups()
    assert max(drawn[0][3]) == 120.0 and plot.y_range is not None and plot.y_range.n_clipped == 0
