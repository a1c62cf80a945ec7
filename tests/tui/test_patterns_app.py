"""Pilot tests of the importance heatmap and the slice view: the worker never blocks the UI,
nothing is recomputed without a change, Enter drills into a slice, hostile text stays literal."""

from __future__ import annotations

import threading
from pathlib import Path

import optuna
import pytest

import hpo_tui.core.analysis.importance as importance_module
import hpo_tui.core.analysis.ped_anova as ped_anova
from hpo_tui.tui.screens.grid import GridScreen
from hpo_tui.tui.screens.help import HelpScreen
from hpo_tui.tui.screens.importance import ImportanceScreen
from hpo_tui.tui.screens.slice import SliceScreen
from hpo_tui.tui.widgets.slice_plot import DIVERGED_MARKER, SlicePlot
from tests.helpers.patterns_campaign import CAUTION, FEW, STRONG, TRAP
from tests.tui.conftest import loaded, make_app

SIZE = (120, 40)


class _Counting:
    """Counts the PED-ANOVA evaluations (``ped_anova_scores`` calls), held at ``gate``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, gate: threading.Event | None = None):
        self.calls = 0
        real = ped_anova.ped_anova_scores

        def evaluate(*args, **kwargs):
            self.calls += 1
            if gate is not None:
                assert gate.wait(timeout=20), "the test never opened the gate"
            return real(*args, **kwargs)

        monkeypatch.setattr(ped_anova, "ped_anova_scores", evaluate)


def _title(screen) -> str:
    return str(screen.query_one("#importance-title").render())


async def _open_heatmap(pilot) -> ImportanceScreen:
    await loaded(pilot)
    await pilot.press("i")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ImportanceScreen)
    return screen


def _ids(app, *names: str) -> list[int]:
    studies = app.campaign.studies.set_index("study")["study_id"]
    return [int(studies[n]) for n in names]


async def test_heatmap_rows_params_columns_studies_in_grid_order(patterns: str) -> None:
    app = make_app([patterns])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_heatmap(pilot)
        matrix = screen.matrix
        assert matrix is not None
        assert list(matrix.values.columns) == _ids(app, STRONG, TRAP, FEW, CAUTION)
        assert matrix.values.index[0] in ("x", "learning_rate")
        assert set(matrix.notes) == set(_ids(app, FEW))
        assert set(matrix.cautions) == set(_ids(app, CAUTION))
        assert "PED-ANOVA" in _title(screen) and "computing" not in _title(screen)
        assert "3 with numbers (1 †)" in _title(screen)
        table = screen.query_one("#importance-table")
        # the study with numbers from fewer than 50 completed trials is marked, not coloured
        # only; grid studies are labelled on two lines so that twelve fit in 120 columns
        assert [c.label.plain for c in table.columns.values()] == [
            "param",
            "2M\nh1",
            "2M\nh3",
            "20M\nh1",
            "20M\nh3 †",
        ]
        row = table.get_row("learning_rate")
        assert row[3].plain == "—"  # 20M h1: no numbers
        assert row[4].plain.startswith("100%")  # 20M h3: a share in percent, with the caution
        notes = str(screen.query_one("#importance-notes").render())
        assert "† fewer than 50: ranking may change" in notes  # the legend
        assert "— 20M h1: too few completed trials (n=8, need ≥ 20)" in notes
        assert "† 20M h3: few completed trials (n=35 < 50): the ranking may change" in notes


async def test_the_worker_never_blocks_the_ui(
    patterns: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    counter = _Counting(monkeypatch, gate)
    app = make_app([patterns])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ImportanceScreen)
        assert screen.computing and "computing…" in _title(screen)
        assert counter.calls == 1  # the worker is inside the evaluator, blocked
        await pilot.press("question_mark")  # the UI still answers keys meanwhile
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.computing and screen.matrix is not None
        assert counter.calls == 3


async def test_nothing_recomputed_without_a_change(
    patterns: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = _Counting(monkeypatch)
    app = make_app([patterns])
    async with app.run_test(size=SIZE) as pilot:
        await _open_heatmap(pilot)
        assert counter.calls == 3  # three studies have enough trials
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, GridScreen)
        screen = await _open_heatmap(pilot)
        await pilot.press("r")  # a refresh that finds nothing new
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.matrix is not None
        assert counter.calls == 3


async def test_enter_opens_the_slice_view(patterns: str) -> None:
    app = make_app([patterns])
    async with app.run_test(size=SIZE) as pilot:
        heatmap = await _open_heatmap(pilot)
        assert heatmap.matrix is not None
        row = list(heatmap.matrix.values.index).index("learning_rate")
        table = heatmap.query_one("#importance-table")
        table.move_cursor(row=row, column=1)  # 2M h1 = STRONG
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SliceScreen)
        assert (screen.study_id, screen.param) == (_ids(app, STRONG)[0], "learning_rate")
        plot = screen.query_one(SlicePlot)
        assert plot.data.log_x
        markers = {marker for _, marker, _, _ in plot.data.groups}
        assert markers == {"o", "*", DIVERGED_MARKER}
        assert screen.params[0] == "learning_rate" and len(screen.params) == 4
        await pilot.press("n")
        await pilot.pause()
        assert screen.param == screen.params[1]
        assert not screen.query_one(SlicePlot).data.log_x  # no other param is log-scaled
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is heatmap
        table.move_cursor(row=list(heatmap.matrix.values.index).index("x"), column=1)
        await pilot.press("enter")  # STRONG has no x: nothing to slice
        await pilot.pause()
        assert app.screen is heatmap


async def test_fanova_without_scikit_learn_says_so(
    patterns: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importance_module, "_has_sklearn", lambda: False)
    app = make_app([patterns])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_heatmap(pilot)
        await pilot.press("m")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "fANOVA needs scikit-learn" in _title(screen)
        assert screen.matrix is None
        await pilot.press("m")  # back to PED-ANOVA
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.matrix is not None


async def test_hostile_names_are_shown_literally(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'evil.db'}"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(study_name="[bold red]evil[/bold red]", storage=url)
    study.optimize(lambda t: t.suggest_float("[i]lr[/i]", 0.0, 1.0), n_trials=3)
    app = make_app([str(tmp_path / "evil.db")])
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_heatmap(pilot)
        table = screen.query_one("#importance-table")
        labels = [c.label.plain for c in table.columns.values()]
        assert labels == ["param", "[bold red]evil[/bold red]"]
        assert table.get_row_at(0)[0].plain == "[i]lr[/i]"
        notes = str(screen.query_one("#importance-notes").render())
        assert "[bold red]evil[/bold red]: too few completed trials (n=3" in notes
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SliceScreen)
        title = str(app.screen.query_one("#slice-title").render())
        assert "[bold red]evil[/bold red] · [i]lr[/i] (linear)" in title
