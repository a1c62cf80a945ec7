"""The loaded campaign is frozen out of full garbage collections; a refresh frees the old."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from hpo_tui.tui.app import HpoApp
from hpo_tui.tui.screens.study import StudyScreen
from tests.helpers.sqlite_file import small_study
from tests.tui.conftest import loaded

SIZE = (120, 40)


def _in_collected_generations(obj: object) -> bool:
    return any(o is obj for o in gc.get_objects())  # the permanent generation is not listed


async def test_campaign_is_frozen_and_a_refresh_frees_closed_screens(tmp_path: Path) -> None:
    url, study = small_study(tmp_path, "s_2M_h1")
    app = HpoApp([url], show_clock=False, watch_seconds=None)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        first = app.campaign
        assert first is not None and gc.get_freeze_count() > 0
        assert not _in_collected_generations(first)

        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen)
        closed = weakref.ref(app.screen)
        await pilot.press("escape")
        await pilot.pause()

        study.optimize(lambda t: t.suggest_float("x", 0.0, 1.0), n_trials=1)
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        second = app.campaign
        assert second is not None and second is not first
        assert len(second.trials) == 4
        assert not _in_collected_generations(second)
        assert closed() is None  # the closed screen (and its table) was collected
