"""Home: the budget × horizon grid of the campaign, one cell per study."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Resize
from textual.message import Message
from textual.widgets import DataTable, Header, OptionList, Static
from textual.widgets.option_list import Option

from hpo_tui.core.analysis.grid import Grid, build_grid, default_sweep, quality_rank, sweeps
from hpo_tui.core.analysis.grid_ci import (
    CI_METRICS,
    Bootstrap,
    GridIntervals,
    IntervalCache,
    grid_intervals,
)
from hpo_tui.core.analysis.metrics import METRICS
from hpo_tui.core.display import plural, printable
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.tui.screens.base import HpoScreen
from hpo_tui.tui.screens.grid_cells import (
    WIDE_CELL,
    cell_study,
    grid_legend,
    grid_rows,
    grid_title,
    other_study_text,
    star_legend,
)
from hpo_tui.tui.text import literal
from hpo_tui.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from hpo_tui.core.model.live import RefreshSummary

# Bootstrap draws (values × resamples over the grid) drawn at once on a key press (about
# 50 ms); more go to a thread worker, and the grid says it is drawing them meanwhile.
INLINE_DRAWS = 5_000_000


@dataclass
class IntervalsReady(Message):
    """The worker drew the bootstrap intervals of the grid ``key`` names."""

    key: tuple[Campaign, str | None, str]
    intervals: GridIntervals


class GridScreen(HpoScreen):
    """Budget rows × horizon columns; Enter opens a study."""

    BINDINGS = [
        Binding("enter", "open_study", "Open", id="grid.open"),
        Binding("m", "next_metric", "Metric", id="grid.metric", tooltip="Cycle the cell metric"),
        Binding(
            "M",
            "next_metric(-1)",
            "Previous metric",
            show=False,
            id="grid.metric_back",
            tooltip="Cycle the cell metric backwards",
        ),
        Binding(
            "i",
            "importance",
            "Importance",
            id="grid.importance",
            tooltip="Parameter importance: params × studies",
        ),
        Binding("a", "all_trials", "Trials", id="grid.all", tooltip="All trials of every study"),
        Binding("d", "diverged", "Diverged", id="grid.diverged"),
        # In ? help and the palette; the footer has no room for it at 120 columns.
        Binding("s", "space", "Search space", id="grid.space", show=False),
        Binding(
            "t",
            "dynamics",
            "Dynamics",
            id="grid.dynamics",
            tooltip="Training dynamics of the cursor's study",
        ),
        Binding(
            "x",
            "effects",
            "Effects",
            id="grid.effects",
            tooltip="Effects along the columns at the cursor's row",
        ),
        # In ? help and the palette; the footer has no room for it at 120 columns.
        Binding(
            "p",
            "pruning",
            "Pruning",
            show=False,
            id="grid.pruning",
            tooltip="Pruner audit of every study",
        ),
        # In ? help and the palette (no room in the footer).
        Binding(
            "X",
            "transfer",
            "Transfer",
            show=False,
            id="grid.transfer",
            tooltip="Cross-budget transfer between the grid's cells",
        ),
        # In ? help and the palette (no room in the footer).
        Binding(
            "H",
            "view('history')",
            "History",
            show=False,
            id="grid.history",
            tooltip="Objective per trial and best so far, the cursor's study",
        ),
        Binding(
            "E",
            "view('edf')",
            "EDF",
            show=False,
            id="grid.edf",
            tooltip="Distribution of values, the cursor's column overlaid",
        ),
        Binding(
            "T",
            "view('timeline')",
            "Timeline",
            show=False,
            id="grid.timeline",
            tooltip="When the trials ran; idle gaps, stalled trials",
        ),
        Binding(
            "P",
            "pareto",
            "Pareto",
            show=False,
            id="grid.pareto",
            tooltip="The Pareto front of the cursor's study (several objectives)",
        ),
        Binding(
            "B",
            "bands",
            "Bands",
            show=False,
            id="grid.bands",
            tooltip="Where the top 10 % of the cursor's study sit in each param",
        ),
        Binding(
            "right_square_bracket",
            "sweep(1)",
            "Next sweep",
            key_display="]",
            id="grid.sweep_next",
            tooltip="The grid of the next sweep (study names that differ outside the axes)",
        ),
        Binding(
            "left_square_bracket",
            "sweep(-1)",
            "Previous sweep",
            key_display="[",
            show=False,
            id="grid.sweep_previous",
            tooltip="The grid of the previous sweep",
        ),
        Binding(
            "b",
            "toggle_intervals",
            "Intervals",
            show=False,
            id="grid.intervals",
            tooltip="Intervals per cell, ★ on cells tied with the best",
        ),
        Binding(
            "c",
            "toggle_scale",
            "Scale",
            show=False,
            id="grid.scale",
            tooltip="Quality bar and colour ranked per column (default) or over the whole grid",
        ),
        Binding("h", "move(0,-1)", "Left", show=False, id="grid.left"),
        Binding("l", "move(0,1)", "Right", show=False, id="grid.right"),
        Binding("k", "move(-1,0)", "Up", show=False, id="grid.up"),
        Binding("j", "move(1,0)", "Down", show=False, id="grid.down"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.metric_index = 0
        self.grid: Grid | None = None
        self.sweep: str | None = None  # None: the default sweep, chosen at each load
        self.per_column = True  # quality ranked within each column, not over the grid
        self.wide = False  # counts spelled out, more digits
        self.listed: list[int] = []  # study ids of the options below the grid
        self.show_intervals = False  # b: bootstrap intervals and ties
        self.bootstrap = Bootstrap()
        self.interval_cache = IntervalCache()  # per cell, until its values change
        # The intervals of the grid last drawn with them: (campaign, sweep, metric) and them.
        self.intervals: tuple[tuple[Campaign, str | None, str], GridIntervals] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="grid-body"):
            yield Static("Loading…", id="grid-title")
            yield DataTable(id="grid-table", cursor_type="cell", zebra_stripes=False)
            yield Static("", id="grid-legend")
            yield Static("", id="off-grid-title")
            yield OptionList(id="off-grid")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#grid-table", DataTable).focus()
        if self.hpo.campaign is not None:
            self.refresh_grid()

    def campaign_changed(self, summary: RefreshSummary | None) -> None:
        """The app loaded or refreshed the campaign."""
        self.intervals = None  # of the previous campaign, which must not be kept alive
        self.refresh_grid()

    def on_resize(self, event: Resize) -> None:
        wide = self._fits_wide(event.size.width)
        if wide != self.wide:
            self.wide = wide
            self.refresh_grid()

    def _fits_wide(self, width: int) -> bool:
        """Room for every column's counts spelled out."""
        columns = len(self.grid.values.columns) if self.grid is not None else 3
        return width >= 12 + columns * WIDE_CELL

    @property
    def metric(self) -> str:
        return METRICS[self.metric_index]

    def refresh_grid(self) -> None:
        """Redraw from the app's campaign (after a load, a metric, sweep or scale change)."""
        campaign = self.hpo.campaign
        if campaign is None:
            return
        table = self.query_one("#grid-table", DataTable)
        cursor = table.cursor_coordinate
        table.clear(columns=True)
        names = sweeps(campaign)
        if self.sweep not in names:  # first load, or the sweep is gone after a refresh
            self.sweep = default_sweep(campaign)
        try:
            grid = build_grid(campaign, self.metric, self.sweep)  # type: ignore[arg-type]
        except ValueError as exc:
            self.query_one("#grid-title", Static).update(literal(str(exc)))
            return
        pending = False
        if self.show_intervals and grid.metric in CI_METRICS:
            key = (campaign, grid.sweep, grid.metric)
            if self.intervals is None or not self._same(self.intervals[0], key):
                if self._draws(grid) <= INLINE_DRAWS:
                    found = grid_intervals(campaign, grid, self.bootstrap, self.interval_cache)
                    self.intervals = (key, found)
                else:
                    pending = True
                    self.compute_intervals(campaign, grid, key)
            if self.intervals is not None and self._same(self.intervals[0], key):
                grid = dataclasses.replace(grid, intervals=self.intervals[1])
        self.grid = grid
        self.refresh_bindings()  # the sweep keys show only where there are sweeps to switch
        self.wide = self._fits_wide(self.size.width)
        ranks = quality_rank(grid, self.per_column)
        table.add_column(literal(grid.row_axis.capitalize()), key="__row__")
        for column in grid.values.columns:
            table.add_column(literal(column), key=str(column))
        studies = campaign.studies.set_index("study_id")
        for label, cells in grid_rows(grid, studies, ranks, self.hpo.config.digits, self.wide):
            table.add_row(*cells, height=3, key=label)
        self.query_one("#grid-title", Static).update(grid_title(campaign, grid, pending))
        star = star_legend(grid, self.show_intervals, pending, self.bootstrap)
        legend = grid_legend(grid, studies, ranks, star, self.wide, self.per_column)
        self.query_one("#grid-legend", Static).update(legend)
        self._list_other_studies(grid, studies)
        if cursor.row < len(grid.values.index) and cursor.column <= len(grid.values.columns):
            table.move_cursor(row=cursor.row, column=max(cursor.column, 1))
        else:
            table.move_cursor(row=0, column=1)

    def _draws(self, grid: Grid) -> int:
        """How many numbers the grid's bootstrap draws: its cells' complete trials × B."""
        assert self.hpo.campaign is not None
        cells = [int(s) for s in grid.study_ids.stack().dropna()]
        studies = self.hpo.campaign.studies.set_index("study_id")
        return int(studies.loc[cells, "n_complete"].sum()) * self.bootstrap.resamples

    @staticmethod
    def _same(a: tuple[Campaign, str | None, str], b: tuple[Campaign, str | None, str]) -> bool:
        """The same grid: the same campaign object (a refresh makes a new one), sweep, metric."""
        return a[0] is b[0] and a[1:] == b[1:]

    @work(thread=True, exclusive=True, exit_on_error=False, group="grid-intervals")
    def compute_intervals(
        self, campaign: Campaign, grid: Grid, key: tuple[Campaign, str | None, str]
    ) -> None:
        """The intervals in a thread (thousands of trials per cell take a moment); the
        result arrives as :class:`IntervalsReady`."""
        intervals = grid_intervals(campaign, grid, self.bootstrap, self.interval_cache)
        self.post_message(IntervalsReady(key, intervals))

    def on_intervals_ready(self, message: IntervalsReady) -> None:
        if self.grid is None or self.hpo.campaign is None:
            return
        current = (self.hpo.campaign, self.grid.sweep, self.grid.metric)
        if self._same(message.key, current) and self.show_intervals:
            self.intervals = (message.key, message.intervals)
            self.refresh_grid()

    def action_toggle_intervals(self) -> None:
        self.show_intervals = not self.show_intervals
        if not self.show_intervals:
            self.intervals = None
        self.refresh_grid()

    def _list_other_studies(self, grid: Grid, studies: pd.DataFrame) -> None:
        """The studies this grid does not show, each with the reason, openable with Enter."""
        options: list[Option] = []
        self.listed = []
        for study_id in grid.duplicates:
            same = cell_study(grid, studies.loc[study_id])
            other = printable(str(studies.loc[same, "study"])) if same is not None else "another"
            options.append(self._option(studies, study_id, f"same cell as {other}"))
        for study_id in grid.off_grid:
            options.append(self._option(studies, study_id, "the name fits no grid axes"))
        box = self.query_one("#off-grid", OptionList)
        box.set_options(options)
        box.display = bool(options)
        header = self.query_one("#off-grid-title", Static)
        if options:
            header.update(
                Text.assemble(
                    (f"Not on this grid: {plural(len(options), 'study')}", "bold"),
                    ("  (tab to the list, enter opens a study)", "dim"),
                )
            )
        else:
            header.update("")

    def _option(self, studies: pd.DataFrame, study_id: int, why: str) -> Option:
        self.listed.append(study_id)
        return Option(other_study_text(studies, study_id, why))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.listed):
            self.hpo.open_study(self.listed[event.option_index])

    def study_in_view(self) -> int | None:
        return self.selected_study()

    def selected_study(self) -> int | None:
        """The study id under the cursor."""
        if self.grid is None:
            return None
        table = self.query_one("#grid-table", DataTable)
        row, column = table.cursor_coordinate
        if column == 0 or row >= len(self.grid.values.index):
            return None
        label = self.grid.values.index[row]
        name = self.grid.values.columns[column - 1]
        study_id = self.grid.study_ids.loc[label, name]
        return None if pd.isna(study_id) else int(study_id)

    def action_move(self, rows: int, columns: int) -> None:
        table = self.query_one("#grid-table", DataTable)
        row, column = table.cursor_coordinate
        table.move_cursor(row=max(0, row + rows), column=max(1, column + columns))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The sweep keys only where there is more than one sweep."""
        if action == "sweep":
            campaign = self.hpo.campaign
            return campaign is not None and len(sweeps(campaign)) > 1
        return True

    def action_sweep(self, step: int) -> None:
        """Show the next (or previous) sweep's grid."""
        campaign = self.hpo.campaign
        if campaign is None:
            return
        names = sweeps(campaign)
        if len(names) < 2:
            self.notify("This campaign has one sweep", timeout=3)
            return
        where = names.index(self.sweep) if self.sweep in names else 0
        self.show_sweep(names[(where + step) % len(names)])

    def show_sweep(self, name: str) -> None:
        """Show the grid of sweep ``name`` (from the keys or the command palette)."""
        self.sweep = name
        self.refresh_grid()

    def action_toggle_scale(self) -> None:
        self.per_column = not self.per_column
        self.refresh_grid()

    def action_next_metric(self, step: int = 1) -> None:
        self.metric_index = (self.metric_index + step) % len(METRICS)
        self.refresh_grid()

    def action_open_study(self) -> None:
        study_id = self.selected_study()
        if study_id is not None:
            self.hpo.open_study(study_id)

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.action_open_study()

    def action_all_trials(self) -> None:
        self.hpo.open_study(None)

    def action_importance(self) -> None:
        self.hpo.open_importance()

    def action_diverged(self) -> None:
        self.hpo.open_diverged()

    def action_space(self) -> None:
        self.hpo.open_space()

    def action_pruning(self) -> None:
        self.hpo.open_pruning(self.selected_study())

    def action_transfer(self) -> None:
        self.hpo.open_transfer()

    def action_dynamics(self) -> None:
        study_id = self.selected_study()
        if study_id is not None:
            self.hpo.open_dynamics(study_id)

    def action_view(self, view: str) -> None:
        """History, EDF or timeline of the cursor's study."""
        study_id = self.selected_study()
        if study_id is None:
            self.notify("Put the cursor on a study's cell first", timeout=3)
            return
        self.hpo.open_view(view, study_id)

    def action_pareto(self) -> None:
        from hpo_tui.tui.views import open_pareto

        open_pareto(self.hpo, self.selected_study())

    def action_bands(self) -> None:
        from hpo_tui.tui.views import open_bands

        open_bands(self.hpo, self.selected_study())

    def action_effects(self) -> None:
        """Effects along the column axis (horizons) at the cursor's row (budget)."""
        if self.grid is None:
            return
        row, column = self.query_one("#grid-table", DataTable).cursor_coordinate
        values = self.grid.values
        if row >= len(values.index):
            return
        at = {self.grid.row_axis: str(values.index[row])}
        if 1 <= column <= len(values.columns):
            at[self.grid.column_axis] = str(values.columns[column - 1])
        self.hpo.open_effects(self.grid.column_axis, at, self.grid.sweep)
