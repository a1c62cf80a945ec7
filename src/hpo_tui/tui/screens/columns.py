"""Pick the columns of the trial table."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widgets import Label, OptionList
from textual.widgets.option_list import OptionDoesNotExist

from hpo_tui.core.display import printable
from hpo_tui.tui.compat import GutterSelectionList

SHOWN_MARK = "[x] "
HIDDEN_MARK = "[ ] "


class CheckList(GutterSelectionList):
    """A selection list whose boxes read without colour: ``[x]`` on, ``[ ]`` off.

    Textual's list draws the same ``▐X▌`` in both states and tells them apart by colour
    only, which ``NO_COLOR`` (and many terminals' themes) erase.
    """

    gutter_width = len(SHOWN_MARK)

    def render_line(self, y: int) -> Strip:
        # The option's prompt as an OptionList paints it, without SelectionList's button.
        line = OptionList.render_line(self, y)
        index = self.scroll_offset.y + y
        try:
            selection = self.get_option_at_index(index)
        except OptionDoesNotExist:
            return line
        shown = selection.value in self.selected
        base = next(iter(line)).style if len(line) else None
        style = (base or Style()) + Style(bold=shown, meta={"option": index})
        mark = SHOWN_MARK if shown else HIDDEN_MARK
        return Strip([Segment(mark, style), *line])


class ColumnPicker(ModalScreen[list[str] | None]):
    """Space toggles a column, Enter applies, Esc cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="columns.cancel"),
        Binding("enter", "apply", "Apply", id="columns.apply", priority=True),
    ]

    def __init__(
        self, available: list[str], shown: list[str], labels: dict[str, str] | None = None
    ) -> None:
        """``labels``: what the table's header shows for a column, when not its name (the
        objectives' metric names), listed with the name (``val_loss (values_0)``)."""
        super().__init__()
        self.labels = labels or {}
        self.available = available
        self.shown = shown
        self.ordered = [c for c in shown if c in available] + [
            c for c in available if c not in shown
        ]

    def compose(self) -> ComposeResult:
        with Vertical(id="column-dialog"):
            yield Label("Columns (space toggles, Enter applies)")
            yield CheckList(*[(Content(self._text(c)), c, c in self.shown) for c in self.ordered])

    def _text(self, column: str) -> str:
        label = self.labels.get(column)
        return printable(f"{label} ({column})" if label else column)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_apply(self) -> None:
        selected = set(self.query_one(CheckList).selected)
        self.dismiss([c for c in self.ordered if c in selected])
