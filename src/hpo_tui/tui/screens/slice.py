"""One study, one param: param vs objective, and every param's top 10 % vs the rest."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Static

from hpo_tui.core.analysis.patterns import (
    param_choices,
    param_scale,
    slice_points,
    top_split,
    top_vs_rest,
)
from hpo_tui.core.display import display_number, printable
from hpo_tui.core.model.objectives import study_objectives
from hpo_tui.tui.screens.study_view import FilledViewScreen
from hpo_tui.tui.text import literal
from hpo_tui.tui.widgets.footer import KeysFooter
from hpo_tui.tui.widgets.slice_plot import SlicePlot, slice_data


class SliceScreen(FilledViewScreen):
    """``n``/``p`` walk the study's params (most important first)."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="slice.back"),
        Binding("n", "step(1)", "Next param", id="slice.next"),
        Binding("p", "step(-1)", "Previous param", id="slice.previous"),
        Binding(
            "t",
            "dynamics",
            "Dynamics",
            id="slice.dynamics",
            tooltip="Training dynamics of this study",
        ),
        Binding(
            "x",
            "effects",
            "Effects",
            id="slice.effects",
            tooltip="Effects along the grid's columns at this study's row",
        ),
        Binding(
            "c",
            "contour",
            "Contour",
            id="slice.contour",
            tooltip="This param against the next one: the best value per cell",
        ),
        Binding(
            "a",
            "full_range",
            "All y",
            id="slice.range",
            tooltip="The y axis: every point, or without outliers (drawn at the edge)",
        ),
    ]

    def __init__(self, study_id: int, param: str, params: list[str]) -> None:
        super().__init__(study_id)
        self.param = param
        self.params = params or [param]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Static(id="slice-title")
            yield SlicePlot(id="slice-plot")
            yield DataTable(id="slice-table", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.fill()
        self.query_one(DataTable).focus()

    def fill(self) -> None:
        campaign = self.hpo.campaign
        assert campaign is not None
        study = campaign.studies.set_index("study_id").loc[self.study_id]
        direction = str(study["direction"])
        name = printable(str(study["study"]))
        scale = param_scale(campaign, self.study_id, self.param)
        points = slice_points(campaign, self.study_id, self.param)
        top, rest = top_split(campaign, self.study_id)
        # The study's metric name when stored (objective 0 of a multi-objective study).
        named = study_objectives(study)
        if named.names[0] != named.columns[0]:
            objective = named.names[0]
        else:
            objective = "objective 0" if len(named) > 1 else "objective"
        data = slice_data(
            points,
            set(int(n) for n in top["number"]),
            scale,
            param_choices(campaign, self.study_id, self.param) if scale == "categorical" else [],
            direction,
            title=f"{name}: {printable(self.param)} vs {printable(objective)} ({direction})",
            xlabel=printable(self.param) + (" (log)" if scale == "log" else ""),
            ylabel=printable(objective),
        )
        self.query_one(SlicePlot).show(data)
        n_diverged = int(points["diverged"].sum())
        position = self.params.index(self.param) + 1 if self.param in self.params else 1
        self.query_one("#slice-title", Static).update(
            Text.assemble(
                (name, "bold"),
                " · ",
                (printable(self.param), "bold"),
                f" ({scale}) · param {position}/{len(self.params)} · "
                f"* top 10 % (n={len(top)})  o rest (n={len(rest)})  "
                f"x diverged (n={n_diverged}, no value → worst)",
            )
        )
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for label in ("param", "statistic", f"top 10 % (n={len(top)})", f"rest (n={len(rest)})"):
            table.add_column(literal(label))
        frame = top_vs_rest(campaign, self.study_id)
        if frame.empty:
            table.add_row(Text("top 10 % needs a single objective", style="dim"), "", "", "")
            return
        # The shown param first, then the others most important first.
        rank = {p: i for i, p in enumerate([self.param, *self.params])}
        frame = frame.sort_values(
            "param", key=lambda c: c.map(lambda p: rank.get(p, len(rank))), kind="stable"
        )
        for row in frame.itertuples(index=False):
            style = "bold" if row.param == self.param else ""
            table.add_row(
                literal(row.param if row.statistic == "n" else "", style),
                literal(row.statistic, style),
                Text(display_number(row.top), style=style, justify="right"),
                Text(display_number(row.rest), style=style, justify="right"),
            )

    def action_full_range(self) -> None:
        self.query_one(SlicePlot).toggle_full_range()

    def action_step(self, delta: int) -> None:
        if self.param not in self.params:
            return
        index = (self.params.index(self.param) + delta) % len(self.params)
        self.param = self.params[index]
        self.fill()

    def action_dynamics(self) -> None:
        self.hpo.open_dynamics(self.study_id)

    def action_contour(self) -> None:
        """The contour of this param (x) against the next one in the walk order (y)."""
        from hpo_tui.tui.views import open_contour

        open_contour(self.hpo, self.study_id, self.param, self.params)

    def action_effects(self) -> None:
        """Effects along the grid's column axis (horizons) at this study's row (budget), in
        its sweep: what ``x`` on the study's grid cell opens."""
        campaign = self.hpo.campaign
        assert campaign is not None
        study = campaign.studies.set_index("study_id").loc[self.study_id]
        axes = campaign.axis_names[:2]
        sweep = study["sweep"] if "sweep" in study.index else None
        if len(axes) < 2 or not isinstance(sweep, str):
            self.notify(
                f"{printable(str(study['study']))} is not on the grid: no effects to compare",
                timeout=6,
            )
            return
        at = {axis: str(study[axis]) for axis in axes}
        self.hpo.open_effects(axes[1], at, sweep)
