"""Every private member of Textual, textual-fastdatatable, textual-plotext and plotext that
hpo-tui uses, in this one module.

Each item says why it is needed and what could go upstream so that it would no longer be.
:data:`PRIVATE_MEMBERS` lists them all; ``tests/tui/test_compat.py`` checks that each still
exists (with the parameters this module passes) in the pinned versions, so that an upgrade
fails there, by name, rather than deep inside a screen. The same test checks that no other
module of ``hpo_tui.tui`` touches a private member of these libraries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from plotext._dict import color_sequence as PLOTEXT_COLORS
from plotext._dict import marker_codes as PLOTEXT_MARKER_CODES
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.widgets import Footer, SelectionList
from textual.widgets._footer import FooterKey
from textual_fastdatatable import DataTable
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

__all__ = [
    "CELL_CACHE_KEY_FIELDS",
    "PLOTEXT_COLORS",
    "PLOTEXT_MARKER_CODES",
    "PRIVATE_MEMBERS",
    "CellHookDataTable",
    "FooterKey",
    "GutterSelectionList",
    "PrivateMember",
    "backend_rows_changed",
    "mark_footer_ready",
    "plotext_theme",
    "set_column_labels",
    "size_plot",
]

SegmentLines = list[list[Segment]]


@dataclass(frozen=True)
class PrivateMember:
    """One private member used here: ``owner`` is ``module`` or ``module:Class``;
    ``on_instance`` when only an instance has it (set in ``__init__``); ``parameters``: the
    names after ``self`` of a method this module calls positionally or overrides."""

    owner: str
    name: str
    on_instance: bool = False
    parameters: tuple[str, ...] | None = None


_TABLE = "textual_fastdatatable.data_table:DataTable"
_RENDER_CELL_PARAMETERS = (
    "row_index",
    "column_index",
    "base_style",
    "width",
    "cursor",
    "hover",
    "in_range",
)
CELL_CACHE_KEY_FIELDS = ("_show_hover_cursor", "_update_count", "_pseudo_class_state")
"""What the library's ``_render_cell`` adds to the cell's own arguments in its cache key
(the test reads the key out of the library's source)."""

PRIVATE_MEMBERS: tuple[PrivateMember, ...] = (
    # CellHookDataTable
    PrivateMember(_TABLE, "_render_cell", parameters=_RENDER_CELL_PARAMETERS),
    PrivateMember(_TABLE, "_cell_render_cache", on_instance=True),
    *(PrivateMember(_TABLE, name, on_instance=True) for name in CELL_CACHE_KEY_FIELDS),
    PrivateMember(
        _TABLE,
        "_get_styles_to_render_cell",
        parameters=(
            "is_header_cell",
            "is_row_label_cell",
            "is_fixed_style_cell",
            "hover",
            "cursor",
            "in_range",
            "show_cursor",
            "show_hover_cursor",
            "show_range_highlight",
            "has_css_foreground_priority",
            "has_css_background_priority",
        ),
    ),
    # backend_rows_changed, set_column_labels
    PrivateMember(_TABLE, "_update_dimensions", parameters=("new_rows",)),
    PrivateMember(_TABLE, "_column_labels", on_instance=True),
    # the footer
    PrivateMember("textual.widgets._footer", "FooterKey"),
    PrivateMember("textual.widgets._footer:Footer", "_bindings_ready"),
    # GutterSelectionList
    PrivateMember(
        "textual.widgets._selection_list:SelectionList", "_get_left_gutter_width", parameters=()
    ),
    # plots
    PrivateMember("textual_plotext.plotext_plot:PlotextPlot", "_get_plotext_theme_name"),
    PrivateMember("textual_plotext.plot:Plot", "_set_size", parameters=("width", "height")),
    PrivateMember("plotext._dict", "color_sequence"),
    PrivateMember("plotext._dict", "marker_codes"),
)


# ---------------------------------------------------------------- textual-fastdatatable
class CellHookDataTable(DataTable):
    """textual-fastdatatable's table, with a hook that may render a body cell itself.

    Why: the library renders every cell through Rich (``Styled(Padding(Text))`` and
    ``Console.render_lines``), about 0.1 ms a cell, so a full repaint of a large terminal
    takes tens of milliseconds; a table whose cells are plain strings knows their line
    without Rich (see ``TrialGrid``). This overrides the library's private ``_render_cell``
    and shares its private cell cache under the library's own key
    (:data:`CELL_CACHE_KEY_FIELDS`), so that both paths invalidate together.

    Upstream: a public per-cell render hook, or a fast path in the library for cells that
    are plain strings narrower than their column (then this class would go).
    """

    def render_body_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool,
        hover: bool,
        in_range: bool,
    ) -> SegmentLines | None:
        """The lines of a body cell, or ``None`` for the library's own rendering."""
        return None

    def cell_styles(
        self, *, fixed: bool, hover: bool, cursor: bool, in_range: bool
    ) -> tuple[Style, Style]:
        """The component and post styles the library gives a body cell (its private
        ``_get_styles_to_render_cell``), so that a hooked cell looks like the library's."""
        return self._get_styles_to_render_cell(
            False,  # not a header cell
            False,  # not a row label
            fixed,
            hover,
            cursor,
            in_range,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_type == "range",
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
        in_range: bool = False,
    ) -> SegmentLines:
        if row_index >= 0 and column_index >= 0:
            key = (
                row_index,
                column_index,
                base_style,
                cursor,
                hover,
                in_range,
                self._show_hover_cursor,
                self._update_count,
                self._pseudo_class_state,
            )  # the library's cell cache key
            cache = self._cell_render_cache
            if key in cache:
                return cache[key]
            lines = self.render_body_cell(
                row_index, column_index, base_style, width, cursor, hover, in_range
            )
            if lines is not None:
                cache[key] = lines
                return lines
        return super()._render_cell(
            row_index, column_index, base_style, width, cursor, hover, in_range
        )


def backend_rows_changed(table: DataTable, *, row_count_changed: bool) -> None:
    """Tell ``table`` that its backend's rows changed in place (same columns).

    Why: textual-fastdatatable 0.19 has no public call for it. This does what
    ``DataTable.remove_row`` does inside: bump the private ``_update_count`` that keys the
    render caches and, when the row count changed, recompute the scrollable size now with
    the private ``_update_dimensions`` (the library would wait for idle: one more frame).

    Upstream: a public ``DataTable.backend_changed(row_count_changed=...)``.
    """
    table._update_count += 1
    if row_count_changed:
        table._update_dimensions([])


def set_column_labels(table: DataTable, labels: Sequence[Text]) -> None:
    """Keep the labels the library rebuilds its columns from in step with relabelled
    columns.

    Why: a mounted table's header is relabelled in place (``column.label``), but the
    library rebuilds its columns from the private ``_column_labels`` when its backend
    changes, which would bring the old labels back.

    Upstream: a public way to relabel a column (``DataTable.update_column_label``).
    """
    if table._column_labels is not None:
        table._column_labels = list(labels)


# ---------------------------------------------------------------- Textual
# FooterKey lives in the private module textual.widgets._footer (not exported by
# textual.widgets). Why: ``KeysFooter.compose`` moves the ``? Help`` key, which it finds
# among the footer's children by type. Upstream: export FooterKey from textual.widgets.


def mark_footer_ready(footer: Footer) -> None:
    """Set the footer's private ``_bindings_ready``, as ``Footer.bindings_changed`` does.

    Why: ``KeysFooter`` replaces ``bindings_changed`` (the footer recomposes on every focus
    change otherwise); its ``compose`` shows nothing until this flag is set.

    Upstream: a footer that recomposes only when the keys it shows change (which is what
    ``KeysFooter`` does), or a public flag.
    """
    footer._bindings_ready = True


class GutterSelectionList(SelectionList[str]):
    """Textual's selection list with a left gutter of :attr:`gutter_width` cells.

    Why: the column picker draws its own ``[x]`` / ``[ ]`` boxes (Textual's ``▐X▌`` differs
    only by colour); the list's width must count them, which the private
    ``_get_left_gutter_width`` decides.

    Upstream: a selection list whose boxes read without colour (``NO_COLOR``), or a public
    gutter width.
    """

    gutter_width = 0

    def _get_left_gutter_width(self) -> int:
        return self.gutter_width


# ---------------------------------------------------------------- textual-plotext, plotext
# PLOTEXT_COLORS / PLOTEXT_MARKER_CODES come from plotext's private ``_dict``. Why: a curve
# plot draws its legend itself (below the plot when it would cover it), so it gives each
# series a colour from plotext's own sequence and shows the character plotext draws for
# each marker name. Upstream: public names in plotext.


def size_plot(plt: Plot, width: int, height: int) -> None:
    """Size a textual-plotext figure as ``PlotextPlot.render`` does.

    Why: ``plotsize`` alone leaves plotext's private figure size stale (textual-plotext#5);
    ``CurvePlot.render`` draws a title and a legend around the plot, so it sizes the figure
    itself rather than through ``PlotextPlot.render``.

    Upstream: the fix for textual-plotext#5 in plotext's ``plotsize``.
    """
    plt.plotsize(width, height)
    plt._set_size(width, height)


def plotext_theme(plot: PlotextPlot) -> str:
    """The plotext theme textual-plotext picks for the app's theme (its private
    ``_get_plotext_theme_name``), for a plot that renders itself.

    Upstream: a public method on ``PlotextPlot``.
    """
    return plot._get_plotext_theme_name(plot.app.theme)
