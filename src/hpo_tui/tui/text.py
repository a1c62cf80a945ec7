"""Turning untrusted storage text into safe Textual content."""

from __future__ import annotations

from rich.text import Text

from hpo_tui.core.display import display_number, printable


def literal(value: object, style: str = "") -> Text:
    """A Text that shows ``value`` exactly: no markup parsed, control characters escaped."""
    return Text(printable(str(value)), style=style)


def number(value: object, style: str = "") -> Text:
    """A right-aligned number for a screen (see ``display_number``)."""
    return Text(display_number(value), style=style, justify="right")


def fold(value: object, width: int = 60) -> str:
    """``value`` as one printable line, cut at ``width`` with an ellipsis."""
    text = printable(str(value))
    return text if len(text) <= width else text[: width - 1] + "…"
