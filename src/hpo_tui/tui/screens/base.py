"""What every hpo-tui screen shares."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING

from textual.screen import Screen

from hpo_tui.tui.context import HpoContext

if TYPE_CHECKING:
    from hpo_tui.core.model.live import RefreshSummary


NARROW_BELOW = 100  # columns: below this, side-by-side panels stack (app.tcss `.-narrow`)


class HpoScreen(Screen[None]):
    """A screen of the hpo-tui app, with typed access to it (and its campaign).

    The screen has the class ``-narrow`` below :data:`NARROW_BELOW` columns, ``-wide`` from
    there on (Textual's breakpoints, updated on every resize). While mounted, it hears the
    app's ``campaign_changed`` signal (:meth:`campaign_changed`).
    """

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_BELOW, "-wide")]

    @property
    def hpo(self) -> HpoContext:
        """The app, as screens know it."""
        app = self.app
        assert isinstance(app, HpoContext)
        return app

    def on_mount(self) -> None:
        # Textual calls this after the subclass's own ``on_mount`` (handlers run up the MRO).
        self.hpo.campaign_changed.subscribe(self, self.campaign_changed)

    def on_unmount(self) -> None:
        # The signal holds the bound handler: a closed screen (a study table with all its
        # rows) would otherwise stay in memory until the next refresh.
        self.hpo.campaign_changed.unsubscribe(self)

    def study_in_view(self) -> int | None:
        """The study this screen is about (the grid's cursor cell, the study table's study):
        the palette's History / EDF / Timeline open it. None: no study in view."""
        return None

    def campaign_changed(self, summary: RefreshSummary | None) -> Awaitable[None] | None:
        """Show the app's campaign again: it was loaded (``summary`` is ``None``) or a
        refresh changed it. Called on this screen's own message queue."""
        return None

    def action_back(self) -> None:
        """``escape``: back to the screen under this one."""
        self.app.pop_screen()
