"""Two params of one study: the best objective value per cell of a binned grid, drawn in glyph
density (densest for the best cells) with the bins' labels and a legend of value ranges; the
colour only repeats what the glyph says."""

from __future__ import annotations

import math

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.widgets import Header, Static

from hpo_tui.core.analysis.contour import (
    EMPTY_GLYPH,
    GLYPHS,
    Contour,
    axis_title,
    contour,
    glyph_levels,
    short,
    x_cell_width,
    x_ticks,
)
from hpo_tui.core.display import display_number, plural, printable
from hpo_tui.core.errors import HpoTuiError
from hpo_tui.tui.screens.study_view import ObjectiveViewScreen
from hpo_tui.tui.text import literal
from hpo_tui.tui.widgets.footer import KeysFooter

# One style per glyph level, sparse (worst) to dense (best).
LEVEL_STYLES = (
    "red",
    "red",
    "dark_orange",
    "dark_orange",
    "yellow",
    "yellow",
    "green",
    "green",
    "bold green",
)
LABEL_WIDTH = 12  # the y bins' labels
LEGEND_WIDTH = 34
CELL_WIDTH = 2
MAX_BINS = 24


def fitting_bins(width: int, height: int, n_trials: int) -> tuple[int, int]:
    """Bins that fit a picture of ``width`` × ``height`` cells of the screen (labels, frame
    and axis lines taken off), and no more per axis than the square root of the trials (so
    that cells hold about a trial each, or more): 4 to :data:`MAX_BINS` each way."""
    nx = (width - LABEL_WIDTH - 3) // CELL_WIDTH
    ny = height - 6  # title, y label, frame, ticks, x label, summary
    enough = math.ceil(math.sqrt(max(n_trials, 1)))
    return max(4, min(MAX_BINS, nx, enough)), max(4, min(MAX_BINS, ny, enough))


def picture(result: Contour, cell_width: int = CELL_WIDTH) -> Text:
    """The cells in glyphs and colours (``cell_width`` columns each, wider for choices),
    with the y bins' labels, the frame and the x axis."""
    levels, _ = glyph_levels(result.best_grid(), result.direction)
    width = x_cell_width(result.x, cell_width)
    text = literal(f"{axis_title(result.y)} ↑", "bold")
    for row in range(result.y.n_bins - 1, -1, -1):
        text.append("\n")
        text.append_text(literal(short(result.y.label(row), LABEL_WIDTH).rjust(LABEL_WIDTH)))
        text.append(" │", style="dim")
        for level in levels[row]:
            if level < 0:
                text.append(EMPTY_GLYPH * width)
            else:
                text.append(GLYPHS[level] * width, style=LEVEL_STYLES[level])
        text.append("│", style="dim")
    text.append("\n" + " " * LABEL_WIDTH + " └" + "─" * (result.x.n_bins * width) + "┘", "dim")
    text.append("\n" + " " * (LABEL_WIDTH + 2))
    text.append_text(literal(x_ticks(result.x, width)))
    text.append("\n" + " " * (LABEL_WIDTH + 2))
    text.append_text(literal(f"{axis_title(result.x)} →", "bold"))
    return text


def legend(result: Contour) -> Text:
    """Each glyph and the values it stands for, best first; then the blank cell."""
    _, found = glyph_levels(result.best_grid(), result.direction)
    text = literal(f"best {result.objective}", "bold")
    text.append(f" ({result.direction})")
    for position, (glyph, low, high) in enumerate(found.entries):
        style = LEVEL_STYLES[GLYPHS.index(glyph)]
        text.append("\n")
        text.append(glyph * CELL_WIDTH, style=style)
        span = display_number(low) if low == high else f"{display_number(low)} … "
        span += "" if low == high else display_number(high)
        text.append(f" {span}" + ("  best" if position == 0 else ""))
    text.append("\n" + EMPTY_GLYPH * CELL_WIDTH + " no trial", style="dim")
    return text


class ContourScreen(ObjectiveViewScreen):
    """``n``/``p`` change the y param; ``s`` swaps the axes; ``o`` the objective."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="contour.back"),
        Binding("n", "step(1)", "Next y", id="contour.next", tooltip="The next param on y"),
        Binding(
            "p", "step(-1)", "Previous y", id="contour.previous", tooltip="The previous param on y"
        ),
        Binding("s", "swap", "Swap", id="contour.swap", tooltip="Swap the x and y params"),
        Binding(
            "o",
            "objective",
            "Objective",
            id="contour.objective",
            tooltip="The next objective (multi-objective studies)",
        ),
    ]

    def __init__(self, study_id: int, x: str, params: list[str]) -> None:
        """``x`` on the x axis; ``params`` (in the order n/p walk them) hold the y param:
        the first of them that is not ``x``."""
        super().__init__(study_id)
        self.params = params
        self.x = x
        self.y = next(p for p in params if p != x)
        self.bins = (10, 10)
        self.cell_width = CELL_WIDTH

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="contour-body"):
            yield Static(id="contour-title")
            with Horizontal(id="contour-main"):
                yield Static(id="contour-picture")
                yield Static(id="contour-legend")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._fit(self.size.width, self.size.height)
        self.fill()

    def on_resize(self, event: Resize) -> None:
        if self._fit(event.size.width, event.size.height):
            self.fill()

    def _fit(self, width: int, height: int) -> bool:
        """Bins and cell width for this screen size; whether they changed."""
        bins = self._bins(width, height)
        room = width - LEGEND_WIDTH - 2 - LABEL_WIDTH - 5
        cell_width = max(CELL_WIDTH, min(6, room // bins[0]))
        changed = (bins, cell_width) != (self.bins, self.cell_width)
        self.bins, self.cell_width = bins, cell_width
        return changed

    def _bins(self, width: int, height: int) -> tuple[int, int]:
        """What fits the screen (header, title and footer take 5 rows; the legend its
        columns) for the study's trials."""
        campaign = self.hpo.campaign
        trials = campaign.study_trials(self.study_id) if campaign is not None else None
        n_complete = 0 if trials is None else int((trials["state"] == "COMPLETE").sum())
        return fitting_bins(width - LEGEND_WIDTH - 2, height - 5, n_complete)

    def fill(self) -> None:
        campaign = self.hpo.campaign
        assert campaign is not None
        name = printable(str(campaign.studies.set_index("study_id").loc[self.study_id, "study"]))
        title = self.query_one("#contour-title", Static)
        try:
            result = contour(campaign, self.study_id, self.x, self.y, self.bins, self.objective)
        except HpoTuiError as exc:  # e.g. a param gone after a refresh
            title.update(Text(printable(str(exc)), style="bold red"))
            return
        cells = result.cells
        text = Text.assemble((name, "bold"), " · best ")
        text.append_text(literal(f"{result.objective} ({result.direction})"))
        text.append(" per cell of ")
        text.append_text(literal(f"{axis_title(result.x)} × {axis_title(result.y)}", "bold"))
        summary = (
            f"\n{plural(result.n_trials, 'trial')} in {len(cells)} of "
            f"{result.x.n_bins} × {result.y.n_bins} cells"
        )
        if result.n_without:
            summary += f" · {result.n_without} without both params"
        best = result.best_cell()
        if best is not None:
            summary += (
                f" · best {display_number(best['best_value'])} (trial {int(best['best_number'])})"
            )
        text.append(summary, style="dim")
        title.update(text)
        self.query_one("#contour-picture", Static).update(picture(result, self.cell_width))
        self.query_one("#contour-legend", Static).update(legend(result))

    # ----------------------------------------------------------------- actions
    def action_step(self, delta: int) -> None:
        others = [p for p in self.params if p != self.x]
        index = others.index(self.y) if self.y in others else 0
        self.y = others[(index + delta) % len(others)]
        self.fill()

    def action_swap(self) -> None:
        self.x, self.y = self.y, self.x
        self.fill()
