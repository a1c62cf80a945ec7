"""What every hpo-tui screen shares."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

if TYPE_CHECKING:
    from hpo_tui.tui.app import HpoApp


class HpoScreen(Screen[None]):
    """A screen of the hpo-tui app, with typed access to it (and its campaign)."""

    @property
    def hpo(self) -> HpoApp:
        from hpo_tui.tui.app import HpoApp

        assert isinstance(self.app, HpoApp)
        return self.app
