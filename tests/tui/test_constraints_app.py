"""The study screen of a constrained study: feasibility columns, filters and a feasible best."""

from __future__ import annotations

import io
import re

import optuna
import pytest
from rich.console import Console

from hpo_tui.core import load_campaign
from hpo_tui.core.display import display_number
from hpo_tui.tui.screens.study import StudyScreen
from hpo_tui.tui.screens.trial import info_table
from tests.helpers.constrained import KEY_STUDY, PLAIN_STUDY
from tests.tui.conftest import loaded, make_app

SIZE = (120, 40)
pytestmark = pytest.mark.filterwarnings("ignore:Overwrite an old format constraint")


async def _open_study(pilot, name: str) -> StudyScreen:
    await loaded(pilot)
    studies = pilot.app.campaign.studies
    study_id = int(studies.loc[studies["study"] == name, "study_id"].iloc[0])
    await pilot.app.push_screen(StudyScreen(study_id))
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, StudyScreen)
    return screen


async def test_constrained_study_shows_feasibility_and_filters_it(constrained_db: str) -> None:
    best = optuna.load_study(study_name=KEY_STUDY, storage=f"sqlite:///{constrained_db}").best_trial
    app = make_app([constrained_db])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_study(pilot, KEY_STUDY)
        assert {"feasible", "constraint_violation"} <= set(screen.table.state.columns)
        title = str(screen.query_one("#study-title").render())
        assert f"best (feasible) {display_number(best.value)}" in title
        assert f"(trial {best.number})" in title
        await pilot.press("F")  # backwards from "all": the last entry
        await pilot.pause()
        assert screen.table.state.state_filter == "infeasible"
        shown = screen.table.view_frame()
        assert len(shown) > 0 and (shown["feasible"] == False).all()  # noqa: E712
        await pilot.press("F")
        await pilot.pause()
        assert screen.table.state.state_filter == "feasible"
        shown = screen.table.view_frame()
        assert len(shown) > 0 and (shown["feasible"] == True).all()  # noqa: E712
        assert "state: feasible" in str(screen.query_one("#study-status").render())


async def test_unconstrained_study_has_no_feasibility_entries(constrained_db: str) -> None:
    app = make_app([constrained_db])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_study(pilot, PLAIN_STUDY)
        assert "feasible" not in screen.table.state.columns
        assert "(feasible)" not in str(screen.query_one("#study-title").render())
        await pilot.press("F")
        await pilot.pause()
        assert screen.table.state.state_filter == "diverged"


def _info_text(campaign, key: int) -> str:
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(info_table(campaign, key, full=True))
    return console.export_text()


def test_trial_facts_say_whether_the_trial_is_feasible(constrained_db: str) -> None:
    campaign = load_campaign([constrained_db])
    trials = campaign.trials[campaign.trials["study"] == KEY_STUDY].set_index("number")
    storage = f"sqlite:///{constrained_db}"
    for trial in optuna.load_study(study_name=KEY_STUDY, storage=storage).get_trials():
        text = _info_text(campaign, int(trials.loc[trial.number, "key"]))
        values = trial.constraints
        if not values:
            assert not re.search(r"^feasible", text, re.MULTILINE)
        elif all(v <= 0 for v in values.values()):
            assert re.search(r"^feasible +yes ", text, re.MULTILINE)
        else:
            violation = display_number(sum(v for v in values.values() if v > 0), full=True)
            expected = rf"^feasible +no \(violation {re.escape(violation)}\)"
            assert re.search(expected, text, re.MULTILINE), text


async def test_the_grid_marks_constrained_studies(constrained_db: str) -> None:
    from hpo_tui.tui.screens.grid import GridScreen

    app = make_app([constrained_db])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen, GridScreen) and screen.grid is not None
        legend = str(screen.query_one("#grid-legend").render())
        assert screen.grid.constrained  # cons_2M_h1, cons_2M_h3, cons_20M_h1, cons_20M_h3
        assert "⊘ constrained study" in legend
        table = screen.query_one("#grid-table")
        marked = set()
        for r, label in enumerate(screen.grid.values.index):
            for c, column in enumerate(screen.grid.values.columns, start=1):
                study_id = screen.grid.study_ids.loc[label, column]
                cell = str(table.get_cell_at((r, c)))  # type: ignore[attr-defined]
                if cell.startswith("⊘"):
                    marked.add(int(study_id))
        assert marked == set(screen.grid.constrained)
