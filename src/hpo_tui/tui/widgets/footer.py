"""A footer that is rebuilt only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Input

from hpo_tui.tui.compat import FooterKey, mark_footer_ready

FIRST_ACTION = "help"  # ``? Help`` comes first: a narrow terminal cuts the footer's right end


class KeysFooter(Footer):
    """Textual's footer, minus the rebuild on every focus change.

    ``Footer`` recomposes all its keys whenever the screen's bindings are updated, which
    Textual signals on every focus change: 12–40 ms and one more frame on a keypress that
    moves the focus (submitting the trial table's filter moves it twice). The keys shown
    depend only on the bindings with ``show=True``, their enabled state and tooltips, so the
    footer compares that and recomposes only when it differs, right after the message that
    changed the focus rather than after the next repaint (which would cost one more frame).

    A text field (the trial filter) does not change the footer: while it has the focus,
    letters are typed rather than bound, and the footer keeps showing the keys of the screen
    the field belongs to, which are the keys again as soon as the field is submitted or
    left. Rebuilding the footer twice around every filter cost a frame on the keypress that
    applies the filter, and made the footer flicker.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[Any, ...] | None = None
        self.recomposed = 0

    def _keys(self) -> tuple[Any, ...]:
        """What :meth:`Footer.compose` reads from the screen's active bindings."""
        palette = self.app.COMMAND_PALETTE_BINDING
        return tuple(
            (key, binding, enabled, tooltip)
            for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == palette
        )

    def compose(self) -> ComposeResult:
        """Textual's keys, with ``? Help`` moved to the front: the screen's keys come first
        and at 80 columns the global ones were cut off, help included."""
        widgets = list(super().compose())
        first = [w for w in widgets if isinstance(w, FooterKey) and w.action == FIRST_ACTION]
        yield from first
        yield from (w for w in widgets if w not in first)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        mark_footer_ready(self)  # what Footer.bindings_changed does first
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_next(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        if not self.is_attached:
            return
        if self._shown is not None and isinstance(self.app.focused, Input):
            return  # typing: keep the screen's keys (see the class docstring)
        keys = self._keys()
        if keys == self._shown:
            return
        self._shown = keys
        self.recomposed += 1
        await self.recompose()
