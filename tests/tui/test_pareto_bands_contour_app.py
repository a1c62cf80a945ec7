"""Pilot tests of the Pareto, bands and contour views: reached from the grid, a study's table,
the slice and importance views and the command palette; their numbers are the core's (which
the core tests check against Optuna), and Enter opens a trial."""

from __future__ import annotations

import optuna
import pytest

from hpo_tui.core.analysis.bands import top_count
from hpo_tui.core.analysis.pareto import hypervolume_history, pareto_points
from hpo_tui.core.display import display_number
from hpo_tui.tui.screens.bands import BandsScreen
from hpo_tui.tui.screens.contour import ContourScreen
from hpo_tui.tui.screens.grid import GridScreen
from hpo_tui.tui.screens.pareto import ParetoScreen
from hpo_tui.tui.screens.slice import SliceScreen
from hpo_tui.tui.screens.study import StudyScreen
from hpo_tui.tui.screens.trial import TrialScreen
from hpo_tui.tui.widgets.pareto_plot import FRONT_MARKER, ParetoPlot
from tests.helpers.multi_objective import LISTED, NSGA
from tests.helpers.patterns_campaign import STRONG
from tests.helpers.studies import study_id_of
from tests.tui.conftest import loaded, make_app, press, run_command

SIZE = (120, 40)


def _text(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def test_pareto_from_the_grid(multi: str) -> None:
    app = make_app([multi])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        nsga = study_id_of(app.campaign, NSGA)
        assert isinstance(app.screen, GridScreen) and app.screen.selected_study() == nsga
        await press(pilot, "P")
        screen = app.screen
        assert isinstance(screen, ParetoScreen)
        study = optuna.load_study(study_name=NSGA, storage=f"sqlite:///{multi}")
        best = study.best_trials
        # The table: the front, best val_loss first (ties by number).
        expected = sorted(best, key=lambda t: (t.values[0], t.number))
        assert screen.front_keys == [
            int(app.campaign.study_trials(nsga).set_index("number").loc[t.number, "key"])
            for t in expected
        ]
        title = _text(screen, "#pareto-title")
        assert f"front: {len(best)} of 40 COMPLETE trials" in title
        assert "x val_loss (minimize) · y accuracy (maximize)" in title
        plot = screen.query_one(ParetoPlot)
        front_group = next(g for g in plot.data.groups if g[1] == FRONT_MARKER)
        assert sorted(front_group[3]) == sorted(t.values[0] for t in best)
        # o: the other way round; Enter: the first front trial (best accuracy now).
        await press(pilot, "o")
        assert "x accuracy (maximize) · y val_loss (minimize)" in _text(screen, "#pareto-title")
        await press(pilot, "enter")
        assert isinstance(app.screen, TrialScreen)
        best_accuracy = max(best, key=lambda t: (t.values[1], -t.number))
        trials = app.campaign.study_trials(study_id_of(app.campaign, NSGA)).set_index("number")
        assert app.screen.key == int(trials.loc[best_accuracy.number, "key"])


async def test_hypervolume_asks_for_a_reference_point(multi: str) -> None:
    app = make_app([multi])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await press(pilot, "P", "h")
        screen = app.screen
        assert isinstance(screen, ParetoScreen)
        field = screen.query_one("#pareto-reference")
        assert not field.has_class("hidden")
        field.value = "1"  # type: ignore[attr-defined]
        await press(pilot, "enter")
        assert "has 1 numbers; the study has 2 objectives" in _text(screen, "#pareto-error")
        field.value = "0.9, 0.5"  # type: ignore[attr-defined]
        await press(pilot, "enter")
        assert field.has_class("hidden") and screen.showing_history
        history = hypervolume_history(app.campaign, study_id_of(app.campaign, NSGA), [0.9, 0.5])
        last = display_number(history["hypervolume"].iloc[-1])
        title = _text(screen, "#pareto-title")
        assert "hypervolume up to (val_loss 0.9000, accuracy 0.5000)" in title
        assert f"{last} after trial 39" in title
        line = screen.query_one(ParetoPlot).data.line
        assert line is not None and line[1] == history["hypervolume"].tolist()
        await press(pilot, "h")  # back to the front, the point kept
        assert not screen.showing_history and screen.reference == [0.9, 0.5]


async def test_pareto_marks_infeasible_trials(multi: str) -> None:
    app = make_app([multi])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.open_screen(lambda: ParetoScreen(study_id_of(app.campaign, LISTED)))
        await pilot.pause()
        screen = app.screen
        points, _ = pareto_points(app.campaign, study_id_of(app.campaign, LISTED))
        n_infeasible = int((points["feasible"] == False).sum())  # noqa: E712
        assert n_infeasible and f"{n_infeasible} infeasible (never on it)" in _text(
            screen, "#pareto-title"
        )
        groups = {g[0]: g for g in screen.query_one(ParetoPlot).data.groups}
        assert len(groups["infeasible"][3]) == n_infeasible


async def test_single_objective_study_has_no_pareto_view(patterns: str) -> None:
    app = make_app([patterns])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await press(pilot, "P")
        assert isinstance(app.screen, GridScreen)
        assert any("has one objective" in str(n.message) for n in app._notifications)


async def test_bands_from_a_study_table(patterns: str) -> None:
    app = make_app([patterns])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, StudyScreen)
        await press(pilot, "B")
        screen = app.screen
        assert isinstance(screen, BandsScreen)
        strip = screen.query_one("#strip-table")
        study = optuna.load_study(study_name=STRONG, storage=f"sqlite:///{patterns}")
        complete = sorted(
            (t for t in study.trials if t.state.name == "COMPLETE"),
            key=lambda t: (t.value, t.number),
        )
        assert strip.row_count == top_count(len(complete), 10)  # type: ignore[attr-defined]
        title = _text(screen, "#bands-title")
        assert f"top 10 % = {strip.row_count} of {len(complete)} ranked trials" in title  # type: ignore[attr-defined]
        await press(pilot, "k")
        assert screen.top_percent == 20
        assert strip.row_count == top_count(len(complete), 20)  # type: ignore[attr-defined]
        await press(pilot, "enter")
        assert isinstance(app.screen, TrialScreen)
        trials = app.campaign.study_trials(study_id_of(app.campaign, STRONG)).set_index("number")
        assert app.screen.key == int(trials.loc[complete[0].number, "key"])


async def test_views_of_one_study_are_not_in_the_all_trials_table(patterns: str) -> None:
    app = make_app([patterns])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await press(pilot, "a", "B", "P")
        assert isinstance(app.screen, StudyScreen) and app.screen.study_id is None


async def test_contour_from_the_slice_view(patterns: str) -> None:
    app = make_app([patterns])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await press(pilot, "i", "down", "enter")
        slice_screen = app.screen
        assert isinstance(slice_screen, SliceScreen)
        await press(pilot, "c")
        screen = app.screen
        assert isinstance(screen, ContourScreen)
        # x is the slice's param, y the next in its walk (the next most important).
        assert screen.x == slice_screen.param
        following = slice_screen.params[slice_screen.params.index(slice_screen.param) + 1]
        assert screen.y == following
        picture = _text(screen, "#contour-picture")
        assert "@@" in picture and f"{screen.x} (log) →" in picture
        legend = _text(screen, "#contour-legend")
        assert legend.splitlines()[1].startswith("@@ ") and "no trial" in legend
        before = screen.y
        await press(pilot, "n")
        assert screen.y != before and screen.y != screen.x
        await press(pilot, "s")
        assert screen.y == slice_screen.param


async def test_palette_opens_the_views_of_the_cursors_study(multi: str) -> None:
    app = make_app([multi])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        for command, screen_type in (
            ("Contour", ContourScreen),
            ("Param bands", BandsScreen),
            ("Pareto front", ParetoScreen),
        ):
            await run_command(pilot, command)
            assert isinstance(app.screen, screen_type), command
            assert app.screen.study_id == study_id_of(app.campaign, NSGA)
            await press(pilot, "escape")


@pytest.mark.parametrize(
    ("command", "title"), [("Param bands", "#bands-title"), ("Contour", "#contour-title")]
)
async def test_o_cycles_the_objective_only_of_a_multi_objective_study(
    multi: str, patterns: str, command: str, title: str
) -> None:
    for source, n_objectives in ((multi, 2), (patterns, 1)):
        app = make_app([source])
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await run_command(pilot, command)
            screen = app.screen
            assert isinstance(screen, BandsScreen | ContourScreen) and screen.objective == 0
            assert ("o" in screen.active_bindings) == (n_objectives == 2)  # footer, ? help
            first = _text(screen, title)
            await press(pilot, "o")
            assert screen.objective == n_objectives - 1
            assert (_text(screen, title) != first) == (n_objectives == 2)
            await press(pilot, "o")
            assert screen.objective == 0 and _text(screen, title) == first
