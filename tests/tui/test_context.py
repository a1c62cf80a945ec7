"""Screens know the app only as an :class:`HpoContext`, and hear of a new campaign through its
``campaign_changed`` signal: every open screen, the ones under the top included, and no
screen that was closed."""

from __future__ import annotations

import gc
import weakref

from textual.widgets import Static

from hpo_tui.core.model.live import RefreshSummary
from hpo_tui.tui.context import HpoContext
from hpo_tui.tui.messages import CampaignLoaded
from hpo_tui.tui.screens.base import HpoScreen
from hpo_tui.tui.screens.grid import GridScreen
from tests.tui.conftest import loaded, make_app


class Recorder(HpoScreen):
    """A screen that writes down what it heard."""

    def __init__(self) -> None:
        super().__init__()
        self.heard: list[RefreshSummary | None] = []

    def compose(self):
        yield Static("recorder")

    def campaign_changed(self, summary: RefreshSummary | None) -> None:
        self.heard.append(summary)


async def test_screens_see_the_app_as_its_context() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen, GridScreen)
        assert isinstance(app, HpoContext)
        assert screen.hpo is app
        assert screen.hpo.campaign is not None


async def test_open_screens_hear_a_change_and_a_closed_one_does_not() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        assert app.campaign is not None
        recorder = Recorder()
        await app.push_screen(recorder)
        above = Recorder()
        await app.push_screen(above)  # the recorder is under the top screen now
        changed = RefreshSummary(new_trials=1, changed_keys={1})
        app.post_message(CampaignLoaded(app.campaign, changed))
        await pilot.pause()
        await pilot.pause()
        assert recorder.heard == [changed]
        assert above.heard == [changed]

        # a refresh that found nothing is not announced
        app.post_message(CampaignLoaded(app.campaign, RefreshSummary()))
        await pilot.pause()
        await pilot.pause()
        assert recorder.heard == [changed]

        await app.pop_screen()
        app.post_message(CampaignLoaded(app.campaign, changed))
        await pilot.pause()
        await pilot.pause()
        assert above.heard == [changed]  # closed: not told again
        assert recorder.heard == [changed, changed]


async def test_a_closed_screen_is_not_kept_alive_by_the_signal() -> None:
    """A subscription holds the screen's bound method: without unsubscribing on unmount,
    every closed study table (all its rows) would stay in memory until the next refresh."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        screen = Recorder()
        await app.push_screen(screen)
        await pilot.pause()
        closed = weakref.ref(screen)
        del screen
        await app.pop_screen()
        await pilot.pause()
        await pilot.pause()
        gc.collect()
        assert closed() is None
