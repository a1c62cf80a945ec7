"""What every hpo-tui screen shares."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

if TYPE_CHECKING:
    from hpo_tui.tui.app import HpoApp


NARROW_BELOW = 100  # columns: below this, side-by-side panels stack (app.tcss `.-narrow`)


class HpoScreen(Screen[None]):
    """A screen of the hpo-tui app, with typed access to it (and its campaign).

    The screen has the class ``-narrow`` below :data:`NARROW_BELOW` columns, ``-wide`` from
    there on (Textual's breakpoints, updated on every resize).
    """

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_BELOW, "-wide")]

    @property
    def hpo(self) -> HpoApp:
        from hpo_tui.tui.app import HpoApp

        assert isinstance(self.app, HpoApp)
        return self.app
