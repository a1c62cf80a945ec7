"""One multi-objective study: two objectives against each other with the Pareto front marked,
the front's trials below; or the hypervolume history up to a reference point."""

from __future__ import annotations

from itertools import combinations

import pandas as pd
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Input, Static

from hpo_tui.core.analysis.pareto import (
    hypervolume_history,
    pareto_points,
    parse_reference_point,
    suggested_reference_point,
)
from hpo_tui.core.display import display_number, plural, printable
from hpo_tui.core.errors import HpoTuiError
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.model.objectives import StudyObjectives
from hpo_tui.tui.screens.study_view import FilledViewScreen
from hpo_tui.tui.text import literal
from hpo_tui.tui.widgets.footer import KeysFooter
from hpo_tui.tui.widgets.pareto_plot import (
    DOMINATED_MARKER,
    FRONT_MARKER,
    INFEASIBLE_MARKER,
    ParetoPlot,
    ScatterData,
    front_data,
)


def objective_pairs(n_objectives: int) -> list[tuple[int, int]]:
    """The (x, y) pairs ``o`` cycles through: every pair of objectives; with two, both
    ways round."""
    pairs = list(combinations(range(n_objectives), 2))
    return [*pairs, (1, 0)] if n_objectives == 2 else pairs


def why_no_front(campaign: Campaign, study_id: int) -> str | None:
    """Why the study has no Pareto view (one objective), or None."""
    study = campaign.studies.set_index("study_id").loc[study_id]
    if int(study["n_objectives"]) < 2:
        return f"{printable(str(study['study']))} has one objective: its front is its best trial"
    return None


class ParetoScreen(FilledViewScreen):
    """``o`` cycles the pair of objectives; ``h`` the hypervolume history."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="pareto.back"),
        Binding(
            "o",
            "next_pair",
            "Objectives",
            id="pareto.pair",
            tooltip="The next pair of objectives on the axes",
        ),
        Binding(
            "h",
            "hypervolume",
            "Hypervolume",
            id="pareto.hypervolume",
            tooltip="The hypervolume history up to a reference point (asked the first time)",
        ),
        Binding(
            "H",
            "reference_point",
            "Reference point",
            show=False,
            id="pareto.reference",
            tooltip="Type another reference point for the hypervolume",
        ),
        Binding(
            "a",
            "full_range",
            "All y",
            show=False,
            id="pareto.range",
            tooltip="The y axis: every point (default), or without outliers (drawn at the edge)",
        ),
        Binding("enter", "open_trial", "Open", show=False, id="pareto.open"),
    ]

    def __init__(self, study_id: int) -> None:
        super().__init__(study_id)
        self.pair_index = 0
        self.reference: list[float] | None = None
        self.showing_history = False
        self.front_keys: list[int] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Static(id="pareto-title")
            yield ParetoPlot(id="pareto-plot")
            yield Input(id="pareto-reference", classes="hidden")
            yield Static("", id="pareto-error")
            yield DataTable(id="pareto-table", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.fill()
        self.query_one(DataTable).focus()

    def fill(self) -> None:
        campaign = self.hpo.campaign
        assert campaign is not None
        points, objectives = pareto_points(campaign, self.study_id)
        name = printable(str(campaign.studies.set_index("study_id").loc[self.study_id, "study"]))
        pairs = objective_pairs(len(objectives))
        x, y = pairs[self.pair_index % len(pairs)]
        front = points[points["on_front"].to_numpy(dtype=bool)]
        n_infeasible = int(points["feasible"].eq(False).fillna(False).sum())
        title = Text.assemble(
            (name, "bold"),
            f" · front: {len(front)} of {plural(len(points), 'COMPLETE trial')}"
            + (f", {n_infeasible} infeasible (never on it)" if n_infeasible else "")
            + "\n",
        )
        if self.showing_history and self.reference is not None:
            title.append_text(self._history_title(campaign, objectives))
        else:
            title.append_text(literal(f"x {objectives.label(x)} · y {objectives.label(y)}"))
            title.append(
                f" · {FRONT_MARKER} front  {DOMINATED_MARKER} dominated"
                + (f"  {INFEASIBLE_MARKER} infeasible" if n_infeasible else ""),
                style="dim",
            )
        self.query_one("#pareto-title", Static).update(title)
        plot = self.query_one(ParetoPlot)
        if self.showing_history and self.reference is not None:
            plot.show(self._history(campaign))
        else:
            plot.show(
                front_data(
                    points,
                    objectives.columns[x],
                    objectives.columns[y],
                    title="",  # the screen's title says what is drawn: no row lost to it
                    xlabel=printable(objectives.label(x)),
                    ylabel=printable(objectives.names[y]),
                )
            )
        constrained = bool(points["feasible"].notna().any())
        self._fill_table(front, objectives, x, constrained)

    def _history_title(self, campaign: Campaign, objectives: StudyObjectives) -> Text:
        """What the hypervolume plot shows: the reference point and the last value."""
        assert self.reference is not None
        history = hypervolume_history(campaign, self.study_id, self.reference)
        point = ", ".join(
            f"{n} {display_number(v)}"
            for n, v in zip(objectives.names, self.reference, strict=True)
        )
        text = literal(f"hypervolume up to ({point})")
        if len(history):
            text.append(
                f": {display_number(history['hypervolume'].iloc[-1])} after trial "
                f"{int(history['number'].iloc[-1])}",
                style="bold",
            )
        text.append(" · h: the front, H: another point", style="dim")
        return text

    def _history(self, campaign: Campaign) -> ScatterData:
        """The hypervolume after each COMPLETE trial, as a line."""
        assert self.reference is not None
        history = hypervolume_history(campaign, self.study_id, self.reference)
        data = ScatterData(title="", xlabel="trial number", ylabel="hypervolume")
        data.line = (
            history["number"].astype(float).tolist(),
            history["hypervolume"].astype(float).tolist(),
        )
        return data

    def _fill_table(
        self, front: pd.DataFrame, objectives: StudyObjectives, x: int, constrained: bool
    ) -> None:
        """The front's trials, best first in the x objective (Enter opens one)."""
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column(Text("#", justify="right"), key="number")
        for index, column in enumerate(objectives.columns):
            header = literal(objectives.names[index], "bold" if index == x else "")
            table.add_column(header, key=column)
        if constrained:
            table.add_column("feasible", key="feasible")
        ordered = front.sort_values(
            [objectives.columns[x], "number"],
            ascending=[objectives.directions[x] != "maximize", True],
            kind="stable",
        )
        self.front_keys = ordered["key"].astype(int).tolist()
        for row in ordered.itertuples(index=False):
            cells = [Text(str(row.number), justify="right")]
            cells += [
                Text(display_number(getattr(row, c)), justify="right") for c in objectives.columns
            ]
            if constrained:
                feasible = "—" if pd.isna(row.feasible) else ("yes" if row.feasible else "no")
                cells.append(Text(feasible))
            table.add_row(*cells, key=str(row.key))

    # ----------------------------------------------------------------- actions
    def action_next_pair(self) -> None:
        self.showing_history = False
        self.pair_index += 1
        self.fill()

    def action_full_range(self) -> None:
        self.query_one(ParetoPlot).toggle_full_range()

    def action_hypervolume(self) -> None:
        if self.reference is None:
            self.action_reference_point()
            return
        self.showing_history = not self.showing_history
        self.fill()

    def action_reference_point(self) -> None:
        """Ask for the reference point, the worst value of each objective proposed."""
        campaign = self.hpo.campaign
        assert campaign is not None
        field = self.query_one("#pareto-reference", Input)
        point = self.reference or suggested_reference_point(campaign, self.study_id)
        field.value = ",".join(repr(float(v)) for v in point)
        _, objectives = pareto_points(campaign, self.study_id)
        names = ", ".join(printable(n) for n in objectives.names)
        field.placeholder = f"reference point: {names} (comma-separated)"
        field.border_title = f"reference point ({names}), Enter draws the hypervolume"
        field.remove_class("hidden")
        field.focus()

    @on(Input.Submitted, "#pareto-reference")
    def set_reference(self, event: Input.Submitted) -> None:
        campaign = self.hpo.campaign
        assert campaign is not None
        error = self.query_one("#pareto-error", Static)
        _, objectives = pareto_points(campaign, self.study_id)
        try:
            self.reference = parse_reference_point(event.value, len(objectives))
        except HpoTuiError as exc:
            error.update(Text(printable(str(exc)), style="bold red"))
            return
        error.update("")
        event.input.add_class("hidden")
        self.query_one(DataTable).focus()
        self.showing_history = True
        self.fill()

    def action_open_trial(self) -> None:
        table = self.query_one(DataTable)
        if not self.front_keys or table.cursor_row >= len(self.front_keys):
            return
        self.hpo.open_trial(self.front_keys[table.cursor_row], self.front_keys)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_trial()

    def action_back(self) -> None:
        field = self.query_one("#pareto-reference", Input)
        if not field.has_class("hidden"):
            field.add_class("hidden")
            self.query_one("#pareto-error", Static).update("")
            self.query_one(DataTable).focus()
            return
        self.app.pop_screen()
