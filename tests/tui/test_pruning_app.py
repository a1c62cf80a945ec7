"""Pilot tests: the pruning view from the grid and from a study, on the hand-worked studies
of ``tests/helpers/pruning_campaign.py`` (numbers in ``tests/core/test_pruning.py``)."""

from __future__ import annotations

from textual.widgets import DataTable

from hpo_tui.tui.screens.grid import GridScreen
from hpo_tui.tui.screens.pruning import PruningScreen
from hpo_tui.tui.screens.study import StudyScreen
from hpo_tui.tui.screens.trial import TrialScreen
from tests.helpers import pruning_campaign as pc
from tests.tui.conftest import loaded, make_app, run_command, settle, table_rows

SIZE = (120, 40)


async def test_p_on_the_grid_opens_the_audit_at_the_cursor_study(pruning_db: str) -> None:
    app = make_app([pruning_db])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        grid = app.screen
        assert isinstance(grid, GridScreen)
        study_id = grid.selected_study()  # 2M × h1: the minimized study
        await pilot.press("p")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PruningScreen) and screen.study_id == study_id
        studies = table_rows(screen.query_one("#pruning-studies", DataTable))
        assert [row[0] for row in studies] == [pc.MINIMIZED, pc.MAXIMIZED, pc.NO_PRUNED, pc.MULTI]
        # pruned, assessed, 2 of 4 possible false prunes, 6 + 4 + 6 + 2 + 5 steps not run
        assert studies[0][1:5] == ["6", "4", "50% (2/4)", "23"]
        assert studies[2][3] == "—" and studies[2][5] == "no pruned trials"
        trials = table_rows(screen.query_one("#pruning-trials", DataTable))
        assert [row[0] for row in trials] == ["#4", "#5", "#6", "#7", "#8", "#9"]
        # Trial 4: step 2, 0.92, rank 4 among the 4 complete trials there and itself (5),
        # as low as #0 which finished first, a possible false prune, 6 steps not run.
        assert trials[0][:7] == ["#4", "2", "0.9200", "4 of 5", "#1", "⚑ possible", "6"]
        assert trials[1][3:6] == ["5 of 5", "—", "no"]  # worse than every one there
        assert trials[4][1] == "—" and trials[4][-1] == "no intermediate values reported"
        assert trials[5][3] == "—" and trials[5][-1] == "no COMPLETE trial reported step 3"
        await pilot.press("down")  # the maximized mirror: the same ranks
        await settle(pilot)
        mirrored = table_rows(screen.query_one("#pruning-trials", DataTable))
        assert [row[3] for row in mirrored] == [row[3] for row in trials]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is grid


async def test_percent_cycles_top_k_and_enter_opens_a_trial(pruning_db: str) -> None:
    app = make_app([pruning_db])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("p")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PruningScreen) and screen.audit is not None
        assert screen.audit.top_fraction == 0.1
        await pilot.press("percent_sign")
        await settle(pilot)
        assert screen.audit.top_fraction == 0.2
        assert "top k = 20 %" in str(screen.query_one("#pruning-title").render())
        await pilot.press("enter")  # on a study: down to its pruned trials
        await pilot.pause()
        assert screen.query_one("#pruning-trials", DataTable).has_focus
        await pilot.press("enter")
        await settle(pilot)
        trial = app.screen
        assert isinstance(trial, TrialScreen)
        assert app.campaign is not None
        assert int(app.campaign.trials.loc[trial.key, "number"]) == 4


async def test_p_on_a_study_table_opens_its_audit(pruning_db: str) -> None:
    app = make_app([pruning_db])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("down", "enter")  # 20M × h1: the study without pruned trials
        await pilot.pause()
        study = app.screen
        assert isinstance(study, StudyScreen)
        await pilot.press("p")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PruningScreen) and screen.study_id == study.study_id
        assert screen.query_one("#pruning-trials", DataTable).row_count == 0
        header = str(screen.query_one("#pruning-study").render())
        assert pc.NO_PRUNED in header


async def test_the_palette_opens_the_audit(pruning_db: str) -> None:
    app = make_app([pruning_db])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await run_command(pilot, "Pruner audit")
        assert isinstance(app.screen, PruningScreen)
        assert app.screen.audit is not None and len(app.screen.audit.studies) == 4
