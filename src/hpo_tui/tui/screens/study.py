"""The trial table of one study (or of all studies): sort, filter, mark, open, compare."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Header, Input, Static
from textual_fastdatatable import DataTable

from hpo_tui.core.display import plural, printable
from hpo_tui.core.model.objectives import objective_headers
from hpo_tui.core.model.query import QueryError, query_mask
from hpo_tui.core.prefs import ColumnChoice, load_column_choices, save_column_choice
from hpo_tui.tui.screens.base import HpoScreen
from hpo_tui.tui.screens.study_columns import default_columns, has_constraints, pinned_columns
from hpo_tui.tui.widgets.footer import KeysFooter
from hpo_tui.tui.widgets.trial_table import ASCENDING, DESCENDING, TrialTable

if TYPE_CHECKING:
    import pandas as pd

    from hpo_tui.core.model.live import RefreshSummary


AGE_TICK_SECONDS = 10.0  # how often running ages are redrawn
FILTER_ERROR_COLUMNS = 12  # columns a filter error lists before "and N more"
STATE_FILTERS = ("all", "COMPLETE", "PRUNED", "FAIL", "RUNNING", "WAITING", "diverged")
# Added to the cycle when the trials shown have constraint values.
FEASIBILITY_FILTERS = ("feasible", "infeasible")


class StudyScreen(HpoScreen):
    """A sortable, filterable trial table."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="study.back"),
        Binding(
            "s",
            "sort",
            "Sort",
            id="study.sort",
            tooltip="Sort by the cursor's column; again to reverse",
        ),
        Binding(
            "slash",
            "filter",
            "Filter",
            id="study.filter",
            tooltip="A pandas expression, e.g. value < 0.3 and param_lr > 1e-4",
        ),
        Binding("f", "state_filter", "State", id="study.state", tooltip="Cycle the state filter"),
        Binding(
            "F",
            "state_filter(-1)",
            "Previous state",
            show=False,
            id="study.state_back",
            tooltip="Cycle the state filter backwards",
        ),
        Binding(
            "space",
            "mark",
            "Mark",
            id="study.mark",
            tooltip="Mark or unmark the trial, then move down (space space… marks a run)",
        ),
        Binding(
            "V",
            "mark_range",
            "Mark range",
            show=False,
            id="study.mark_range",
            tooltip="Mark every trial from the last one space toggled to the cursor",
        ),
        Binding(
            "c",
            "compare",
            "Compare",
            id="study.compare",
            tooltip="Overlay the marked trials' curves",
        ),
        Binding("o", "columns", "Columns", id="study.columns", tooltip="Pick the columns shown"),
        Binding(
            "p",
            "pruning",
            "Pruning",
            show=False,
            id="study.pruning",
            tooltip="Pruner audit of this study's pruned trials",
        ),
        Binding(
            "P",
            "pareto",
            "Pareto",
            show=False,
            id="study.pareto",
            tooltip="The Pareto front of this study (several objectives)",
        ),
        Binding(
            "B",
            "bands",
            "Bands",
            show=False,
            id="study.bands",
            tooltip="Where the top 10 % of this study's trials sit in each param",
        ),
        Binding(
            "colon,g",
            "jump",
            "Go to trial",
            show=False,
            id="study.jump",
            tooltip="Move the cursor to a trial number (in this view)",
        ),
        Binding(
            "enter", "open_trial", "Open", show=False, id="study.open", tooltip="Open the trial"
        ),
        Binding(
            "H",
            "view('history')",
            "History",
            show=False,
            id="study.history",
            tooltip="Objective per trial and best so far",
        ),
        Binding(
            "E",
            "view('edf')",
            "EDF",
            show=False,
            id="study.edf",
            tooltip="Distribution of values, the grid column overlaid",
        ),
        Binding(
            "T",
            "view('timeline')",
            "Timeline",
            show=False,
            id="study.timeline",
            tooltip="When the trials ran; idle gaps, stalled trials",
        ),
    ]

    def __init__(self, study_id: int | None) -> None:
        super().__init__()
        self.study_id = study_id
        self._status = Text()
        self._range_anchor: int | None = None  # where V starts: the trial space last toggled
        self.default_columns: list[str] = []

    def _trials(self) -> pd.DataFrame:
        campaign = self.hpo.campaign
        assert campaign is not None
        if self.study_id is None:
            return campaign.trials
        return campaign.study_trials(self.study_id)

    def compose(self) -> ComposeResult:
        campaign = self.hpo.campaign
        assert campaign is not None
        trials = self._trials()
        self.default_columns = default_columns(trials, campaign.axis_names, self.study_id is None)
        available = [c for c in trials.columns if c not in ("key", "study_id")]
        choice = load_column_choices().get(self._table_kind())
        columns = choice.apply(self.default_columns, available) if choice else self.default_columns
        studies = campaign.studies
        if self.study_id is not None:
            studies = studies[studies["study_id"] == self.study_id]
        # The objectives by the study's metric names, where its studies agree on them.
        labels = objective_headers(studies, trials.columns)
        yield Header()
        with Vertical():
            yield Static(self._title(), id="study-title")
            yield TrialTable(
                trials,
                columns,
                digits=self.hpo.config.digits,
                none_params=self.hpo.campaign.none_params() if self.hpo.campaign else None,
                id="trial-table",
                now=lambda: self.hpo.clock(),
                pinned=pinned_columns(trials),
                labels=labels,
            )
            yield Input(
                placeholder="filter, e.g. value < 0.3 and param_learning_rate > 1e-4",
                id="filter-input",
                classes="hidden",
            )
            yield Input(
                placeholder="go to trial number (Enter; esc cancels)",
                type="integer",
                id="jump-input",
                classes="hidden",
            )
            yield Static("", id="filter-error")
            yield Static("", id="study-status")
        yield KeysFooter()

    def _table_kind(self) -> str:
        """Which column choice applies: one for a study's table, one for all studies'."""
        return "all" if self.study_id is None else "study"

    def _title(self) -> Text:
        campaign = self.hpo.campaign
        assert campaign is not None
        if self.study_id is None:
            return Text(f"All studies — {plural(len(campaign.trials), 'trial')}", style="bold")
        row = campaign.studies.set_index("study_id").loc[self.study_id]
        title = Text(printable(str(row["study"])), style="bold")
        constrained = bool(row["constrained"])
        # A constrained study's best is the best feasible trial: say so.
        best = "best (feasible) " if constrained else "best "
        title.append(f"   {row['direction']} · {best}", style="")
        from hpo_tui.core.display import display_number

        title.append(display_number(row["best_value"]), style="bold green")
        if row["best_trial"] is not None and str(row["best_trial"]) != "<NA>":
            title.append(f" (trial {row['best_trial']})")
        title.append(f" · source {printable(str(row['source']))}", style="dim")
        return title

    @property
    def table(self) -> TrialTable:
        return self.query_one(TrialTable)

    def on_mount(self) -> None:
        self._update_status(len(self.table.order), len(self.table.trials))
        # Running ages move on between refreshes (which come only when something changed).
        self.set_interval(AGE_TICK_SECONDS, self.refresh_running_ages, name="running-age")

    def refresh_running_ages(self) -> None:
        """Redraw the running trials' ages (``running for …`` in ``duration_s``)."""
        self.table.refresh_running_ages()

    def on_trial_table_rebuilt(self, event: TrialTable.Rebuilt) -> None:
        self._update_status(event.shown, event.total)

    async def _rebuild(self) -> None:
        """Rebuild the table and the status line in the same frame (not one frame later,
        as the ``Rebuilt`` message would)."""
        await self.table.rebuild()
        self._update_status(len(self.table.order), len(self.table.trials))

    def _update_status(self, shown: int, total: int) -> None:
        state = self.table.state
        parts = [f"{shown} of {plural(total, 'trial')}"]
        if state.sort_column:
            arrow = ASCENDING if state.ascending else DESCENDING
            header = self.table.labels.get(state.sort_column, state.sort_column)
            parts.append(f"sorted by {printable(header)} {arrow}")
        if state.state_filter != "all":
            parts.append(f"state: {state.state_filter}")
        if state.query:
            parts.append(f"filter: {printable(state.query)}")
        if state.marked:
            parts.append(f"{len(state.marked)} marked")
        text = Text("  ·  ".join(parts), style="dim")
        if text != self._status:  # an unchanged line is not repainted
            self._status = text
            # One line of fixed height (app.tcss): no layout pass, which would repaint the
            # table's scrollbars one frame later.
            self.query_one("#study-status", Static).update(text, layout=False)

    async def campaign_changed(self, summary: RefreshSummary | None) -> None:
        """A refresh: new rows appear, changed ones are flagged ✚ until the next refresh."""
        if self.hpo.campaign is None:
            return
        recent = summary.changed_keys if summary is not None else set()
        await self.table.replace_trials(self._trials(), recent, self.hpo.campaign.none_params())
        self.query_one("#study-title", Static).update(self._title())

    # ----------------------------------------------------------------- actions
    def study_in_view(self) -> int | None:
        return self.current_study()

    def current_study(self) -> int | None:
        """This table's study, or (the table of every study) the cursor's trial's."""
        if self.study_id is not None:
            return self.study_id
        key = self.table.current_key()
        campaign = self.hpo.campaign
        if key is None or campaign is None or key not in campaign.trials.index:
            return None
        return int(campaign.trials.at[key, "study_id"])

    def action_view(self, view: str) -> None:
        """History, EDF or timeline of the study (of the cursor's trial, in every study's
        table)."""
        self.hpo.open_view(view, self.current_study())

    def action_back(self) -> None:
        for field in self.query("#filter-input, #jump-input").results(Input):
            if not field.has_class("hidden"):
                field.add_class("hidden")
                self.table.table.focus()
                return
        self.app.pop_screen()

    def action_jump(self) -> None:
        field = self.query_one("#jump-input", Input)
        field.value = ""
        field.remove_class("hidden")
        field.focus()

    @on(Input.Submitted, "#jump-input")
    def jump_to_trial(self, event: Input.Submitted) -> None:
        """Move the cursor to the trial number typed; say why when it is not in the view."""
        event.input.add_class("hidden")
        self.table.table.focus()
        text = event.value.strip()
        if not text:
            return
        try:
            number = int(text)  # the field takes digits and a sign; a lone sign is no number
        except ValueError:
            self.notify(f"not a trial number: {printable(text)}", timeout=6)
            return
        message = self.table.jump_to_number(number)
        if message:
            self.notify(message, timeout=6)

    async def sort_by(self, column: str) -> None:
        state = self.table.state
        if state.sort_column == column:
            state.ascending = not state.ascending
        else:
            state.sort_column, state.ascending = column, True
        await self._rebuild()

    async def action_sort(self) -> None:
        column = self.table.current_column()
        if column is not None:
            await self.sort_by(column)

    async def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        index = event.column_index - 1
        if 0 <= index < len(self.table.state.columns):
            await self.sort_by(self.table.state.columns[index])

    def action_filter(self) -> None:
        field = self.query_one("#filter-input", Input)
        field.remove_class("hidden")
        field.value = self.table.state.query
        field.focus()

    @on(Input.Submitted, "#filter-input")
    async def apply_filter(self, event: Input.Submitted) -> None:
        error = self.query_one("#filter-error", Static)
        expression = event.value.strip()
        if expression:
            try:
                # The columns on screen are listed first, and only a few: the message must
                # leave room for the table at 80×24.
                query_mask(
                    self.table.trials,
                    expression,
                    columns_first=self.table.state.columns,
                    max_listed=FILTER_ERROR_COLUMNS,
                    aliases=self.table.aliases(),
                )
            except QueryError as exc:
                error.update(Text(f"filter error: {printable(str(exc))}", style="bold red"))
                return
        error.update("")
        self.table.state.query = expression
        event.input.add_class("hidden")
        await self._rebuild()

    def state_filters(self) -> tuple[str, ...]:
        """The state filter's cycle: states, diverged, and feasible/infeasible when the
        trials shown have constraint values."""
        if has_constraints(self.table.trials):
            return (*STATE_FILTERS, *FEASIBILITY_FILTERS)
        return STATE_FILTERS

    async def action_state_filter(self, step: int = 1) -> None:
        state = self.table.state
        cycle = self.state_filters()
        current = cycle.index(state.state_filter) if state.state_filter in cycle else 0
        state.state_filter = cycle[(current + step) % len(cycle)]
        await self._rebuild()

    async def action_mark(self) -> None:
        key = self.table.current_key()
        if key is None:
            return
        marked = self.table.state.marked
        marked.symmetric_difference_update({key})
        self._range_anchor = key
        await self._rebuild()
        self.table.table.action_cursor_down()

    async def action_mark_range(self) -> None:
        """Mark the rows between the range anchor (the trial space last toggled, or the end
        of the last range) and the cursor, both included, in the view's order."""
        key = self.table.current_key()
        if key is None:
            return
        shown = self.table.keys_in_view()
        anchor = self._range_anchor
        if anchor is None or anchor not in shown:
            why = "no trial marked yet" if anchor is None else "the last marked trial is hidden"
            self.notify(
                f"V marks a range: {why}. Press space on its first trial, then V on its last.",
                timeout=6,
            )
            return
        start, end = sorted((shown.index(anchor), shown.index(key)))
        self.table.state.marked.update(shown[start : end + 1])
        self._range_anchor = key
        await self._rebuild()

    def action_compare(self) -> None:
        marked = sorted(self.table.state.marked)
        if not marked:
            key = self.table.current_key()
            marked = [key] if key is not None else []
        if marked:
            self.hpo.open_compare(marked)

    def action_pruning(self) -> None:
        self.hpo.open_pruning(self.study_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The views of one study only in a study's table."""
        if action in ("pareto", "bands"):
            return self.study_id is not None
        return True

    def action_pareto(self) -> None:
        from hpo_tui.tui.views import open_pareto

        open_pareto(self.hpo, self.study_id)

    def action_bands(self) -> None:
        from hpo_tui.tui.views import open_bands

        open_bands(self.hpo, self.study_id)

    def action_open_trial(self) -> None:
        key = self.table.current_key()
        if key is not None:
            self.hpo.open_trial(key, self.table.keys_in_view())

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.action_open_trial()

    def _keep_column_choice(self, columns: list[str]) -> None:
        """Save the choice for the next run (in the user's config folder, never beside a
        storage); a folder that cannot be written is said, and the choice still applies."""
        choice = ColumnChoice.between(self.default_columns, columns)
        try:
            save_column_choice(self._table_kind(), choice)
        except OSError as exc:
            self.notify(
                f"columns not kept for the next run: {printable(str(exc))}",
                severity="warning",
                timeout=8,
            )

    def action_columns(self) -> None:
        from hpo_tui.tui.screens.columns import ColumnPicker

        available = [c for c in self.table.trials.columns if c not in ("key", "study_id")]

        async def chosen(columns: list[str] | None) -> None:
            if columns:
                self.table.state.columns = columns
                await self._rebuild()
                self._keep_column_choice(columns)

        picker = ColumnPicker(available, self.table.state.columns, self.table.labels)
        self.app.push_screen(picker, chosen)
