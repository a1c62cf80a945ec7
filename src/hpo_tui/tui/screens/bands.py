"""Parallel coordinates, terminal-style: a band per param (where the top k % of a study's
trials sit in its search space, against all trials), and a strip of the top trials with
each param's place drawn as a glyph height, coloured by rank (the glyphs read without
colour)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Resize
from textual.widgets import DataTable, Header, Static

from hpo_tui.core.analysis.bands import (
    DEFAULT_TOP_PERCENT,
    TOP_PERCENT_CHOICES,
    check_objective,
    param_bands,
    param_position,
    ranked_trials,
    study_param_infos,
    top_count,
    top_trials,
)
from hpo_tui.core.analysis.params import ParamInfo
from hpo_tui.core.analysis.patterns import choice_label
from hpo_tui.core.display import display_number, plural, printable
from hpo_tui.tui.screens.study_view import ObjectiveViewScreen
from hpo_tui.tui.text import literal
from hpo_tui.tui.widgets.footer import KeysFooter

OUTSIDE, RANGE, QUARTILES, MEDIAN = "·", "─", "█", "┃"
LEVELS = "▁▂▃▄▅▆▇█"  # a param's place in its search space, low to high
# Rank from best to worst in five steps, as the grid's quality scale.
RANK_STYLES = ("bold green", "green", "yellow", "dark_orange", "red")
TOP_STYLE, ALL_STYLE = "bold", "dim"


def numeric_band(stats: dict[str, Any], info: ParamInfo, width: int) -> str:
    """One line of ``width`` glyphs over the param's search space (log for a log param):
    ``─`` from min to max, ``█`` from q25 to q75, ``┃`` at the median, ``·`` elsewhere."""
    cells = [OUTSIDE] * width
    if not stats.get("n"):
        return "".join(cells)

    def at(value: Any) -> int | None:
        position = param_position(value, info)
        return None if math.isnan(position) else round(position * (width - 1))

    for low_key, high_key, glyph in (("min", "max", RANGE), ("q25", "q75", QUARTILES)):
        low, high = at(stats[low_key]), at(stats[high_key])
        if low is not None and high is not None:
            for i in range(low, high + 1):
                cells[i] = glyph
    median = at(stats["median"])
    if median is not None:
        cells[median] = MEDIAN
    return "".join(cells)


def share_bar(count: int, total: int, width: int) -> str:
    """``count`` of ``total`` as a bar of ``█`` over ``width`` (``·`` for the rest)."""
    filled = round(width * count / total) if total else 0
    return QUARTILES * filled + OUTSIDE * (width - filled)


def place_glyph(value: Any, info: ParamInfo) -> str:
    """The glyph of ``value``'s place in the search space: ``▁`` low … ``█`` high."""
    position = param_position(value, info)
    if math.isnan(position):
        return OUTSIDE
    return LEVELS[min(len(LEVELS) - 1, int(position * len(LEVELS)))]


def rank_style(rank: int, n_top: int) -> str:
    """The colour of the ``rank``-th best of ``n_top`` (five steps, green to red)."""
    if n_top <= 1:
        return RANK_STYLES[0]
    return RANK_STYLES[min(len(RANK_STYLES) - 1, (rank - 1) * len(RANK_STYLES) // n_top)]


def bound_text(value: float) -> str:
    """A search-space bound as written in the code that set it (``1e-05``, ``0.5``, ``16``)
    when that is short, else in significant digits."""
    number = int(value) if float(value).is_integer() and abs(value) < 1e15 else float(value)
    text = repr(number)
    return text if len(text) <= 9 else display_number(value)


def bounds_text(info: ParamInfo) -> str:
    """``1e-05 … 0.1 log`` or the number of choices."""
    if info.categorical:
        return f"{len(info.choices)} choices"
    scale = " log" if info.scale == "log" else ""
    return f"{bound_text(info.low)} … {bound_text(info.high)}{scale}"


class BandsScreen(ObjectiveViewScreen):
    """``k`` changes the share of top trials; Enter on the strip opens a trial."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="bands.back"),
        Binding(
            "k",
            "top(1)",
            "Top %",
            id="bands.top",
            tooltip="The share of best trials: " + ", ".join(f"{k:g}" for k in TOP_PERCENT_CHOICES),
        ),
        Binding(
            "K",
            "top(-1)",
            "Smaller top %",
            show=False,
            id="bands.top_back",
            tooltip="The share of best trials, backwards",
        ),
        Binding(
            "o",
            "objective",
            "Objective",
            id="bands.objective",
            tooltip="Rank by the next objective (multi-objective studies)",
        ),
        Binding("enter", "open_trial", "Open", show=False, id="bands.open"),
    ]

    def __init__(self, study_id: int, top_percent: float = DEFAULT_TOP_PERCENT) -> None:
        super().__init__(study_id)
        self.top_percent = top_percent
        self.top_keys: list[int] = []
        self.band_width = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="bands-body"):
            yield Static(id="bands-title")
            yield DataTable(id="bands-table", cursor_type="row", zebra_stripes=False)
            yield Static(id="strip-title")
            yield DataTable(id="strip-table", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.band_width = self._band_width(self.size.width)
        self.fill()
        self.query_one("#strip-table", DataTable).focus()

    def on_resize(self, event: Resize) -> None:
        width = self._band_width(event.size.width)
        if width != self.band_width:
            self.band_width = width
            self.fill()

    @staticmethod
    def _band_width(columns: int) -> int:
        """The bands take what the other columns leave, 12 to 48 columns."""
        return max(12, min(48, columns - 62))

    def fill(self) -> None:
        campaign = self.hpo.campaign
        assert campaign is not None
        objectives = check_objective(campaign, self.study_id, self.objective)
        name = printable(str(campaign.studies.set_index("study_id").loc[self.study_id, "study"]))
        n_ranked = len(ranked_trials(campaign, self.study_id, self.objective))
        n_top = top_count(n_ranked, self.top_percent)
        infos = study_param_infos(campaign, self.study_id)
        bands = param_bands(campaign, self.study_id, self.top_percent, self.objective)
        top = top_trials(campaign, self.study_id, self.top_percent, self.objective)
        k = f"{self.top_percent:g} %"
        title = Text.assemble(
            (name, "bold"),
            f" · top {k} = {n_top} of {plural(n_ranked, 'ranked trial')} by ",
        )
        title.append_text(literal(objectives.label(self.objective)))
        title.append(
            f"\n{RANGE} min…max  {QUARTILES} q25…q75  {MEDIAN} median  {OUTSIDE} rest of the "
            "search space (log for log params) · choices: share of the trials",
            style="dim",
        )
        self.query_one("#bands-title", Static).update(title)
        self._fill_bands(bands, infos, k)
        self.query_one("#strip-title", Static).update(
            Text(
                f"Top {k}, best first: each param's place in its search space "
                f"({LEVELS[0]} low … {LEVELS[-1]} high), colour by rank (green best)",
                style="dim",
            )
        )
        self._fill_strip(top, infos, objectives.names[self.objective])

    def _fill_bands(self, bands: pd.DataFrame, infos: dict[str, ParamInfo], k: str) -> None:
        """Two lines per param (a numeric one) or per choice (a categorical one, under a
        line naming the param): the top k % over all trials."""
        table = self.query_one("#bands-table", DataTable)
        table.clear(columns=True)
        for heading in ("param", "trials", "in the search space", "q25 … q75 / count"):
            table.add_column(Text(heading, style="bold"))
        width = self.band_width
        for param, rows in bands.groupby("param", sort=False):
            info = infos[str(param)]
            stats = {
                str(s): (t, a)
                for s, t, a in rows[["statistic", "top", "all"]].itertuples(index=False)
            }
            n_top, n_all = (int(n) for n in stats["n"])
            who = Text.assemble((f"top {n_top}", TOP_STYLE), "\n", (f"all {n_all}", ALL_STYLE))
            label = literal(param, "bold")
            if info.categorical:
                label.append("  ")
                label.append_text(literal(bounds_text(info), "dim"))
                table.add_row(label, Text(""), Text(""), Text(""))
                for choice in info.choices:
                    top_choice, all_choice = (
                        int(c) for c in stats.get(choice_label(choice), (0, 0))
                    )
                    band = Text.assemble(
                        (share_bar(top_choice, n_top, width), TOP_STYLE),
                        "\n",
                        (share_bar(all_choice, n_all, width), ALL_STYLE),
                    )
                    counts = Text.assemble(
                        (self._share(top_choice, n_top), TOP_STYLE),
                        "\n",
                        (self._share(all_choice, n_all), ALL_STYLE),
                    )
                    name = literal(f"  = {choice_label(choice)}")
                    table.add_row(name, who.copy(), band, counts, height=2)
                continue
            top = {s: v[0] for s, v in stats.items()}
            every = {s: v[1] for s, v in stats.items()}
            band = Text.assemble(
                (numeric_band(top, info, width), TOP_STYLE),
                "\n",
                (numeric_band(every, info, width), ALL_STYLE),
            )
            spread = Text.assemble((self._iqr(top), TOP_STYLE), "\n", (self._iqr(every), ALL_STYLE))
            label.append("\n")
            label.append_text(literal(bounds_text(info), "dim"))
            table.add_row(label, who, band, spread, height=2)

    @staticmethod
    def _iqr(stats: dict[str, Any]) -> str:
        if not stats.get("n"):
            return "—"
        return f"{display_number(stats['q25'])} … {display_number(stats['q75'])}"

    @staticmethod
    def _share(count: int, total: int) -> str:
        percent = f" ({100 * count / total:.0f} %)" if total else ""
        return f"{count} of {total}{percent}"

    def _fill_strip(self, top: pd.DataFrame, infos: dict[str, ParamInfo], objective: str) -> None:
        table = self.query_one("#strip-table", DataTable)
        table.clear(columns=True)
        table.add_column(Text("rank", style="bold"), key="rank")
        table.add_column(Text("#", style="bold", justify="right"), key="number")
        table.add_column(literal(objective, "bold"), key="objective")
        params = list(infos)
        for param in params:
            table.add_column(literal(param, "bold"), key=f"param_{param}")
        campaign = self.hpo.campaign
        assert campaign is not None
        keys = campaign.study_trials(self.study_id).set_index("number")["key"].astype(int).to_dict()
        self.top_keys = [keys[int(n)] for n in top["number"]]
        n_top = len(top)
        for row in top.to_dict("records"):
            style = rank_style(int(row["rank"]), n_top)
            cells = [
                Text(str(row["rank"]), style=style, justify="right"),
                Text(str(row["number"]), justify="right"),
                Text(display_number(row[top.columns[2]]), style=style, justify="right"),
            ]
            for param in params:
                value = row[f"param_{param}"]
                info = infos[param]
                if value is None:
                    cells.append(Text(OUTSIDE, style="dim"))
                    continue
                shown = choice_label(value) if info.categorical else display_number(value)
                cell = Text(place_glyph(value, info) + " ", style=style)
                cell.append_text(literal(shown))
                cells.append(cell)
            table.add_row(*cells, key=str(row["number"]))

    # ----------------------------------------------------------------- actions
    def action_top(self, step: int) -> None:
        choices = list(TOP_PERCENT_CHOICES)
        if self.top_percent in choices:
            index = (choices.index(self.top_percent) + step) % len(choices)
        else:
            index = 0
        self.top_percent = choices[index]
        self.fill()

    def action_open_trial(self) -> None:
        table = self.query_one("#strip-table", DataTable)
        if self.top_keys and table.cursor_row < len(self.top_keys):
            self.hpo.open_trial(self.top_keys[table.cursor_row], self.top_keys)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "strip-table":
            self.action_open_trial()
