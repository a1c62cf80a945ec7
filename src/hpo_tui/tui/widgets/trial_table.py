"""The trial table: an Arrow-backed table (textual-fastdatatable) that stays fluid with 100k
rows. Sorting (by a dense rank per column, computed once) and filtering run on the values,
not the strings (NaN always last). The display strings are formatted once per column and
read through the view's row order (:class:`TrialView`), so a sort, a filter or a mark
changes one integer array and repaints the visible rows: no table is rebuilt or remounted,
and the cost of a keypress does not grow with the number of rows beyond the sort or filter
itself."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container
from textual.geometry import Offset, Region
from textual.message import Message
from textual_fastdatatable import ArrowBackend, DataTable, DataTableBackend

from hpo_tui.core.display import DEFAULT_DIGITS, display_number, printable
from hpo_tui.core.durations import running_for
from hpo_tui.core.model.query import query_mask

FLAG_COLUMN = "⚑"
MARKED = "●"
DIVERGED = "⚠"
RECENT = "✚"  # new or changed at the last refresh
DURATION_COLUMN = "duration_s"
ASCENDING, DESCENDING = "▲", "▼"  # after the sorted column's name in the header
# Room kept in the duration column for a running age, so that the age can move on in place
# (``running for 23 h 59 min``, the longest below 1000 days).
RUNNING_AGE_WIDTH = len("running for 23 h 59 min")


def format_column(series: pd.Series, digits: int = DEFAULT_DIGITS) -> list[str]:
    """Display strings for one column (numbers readable, text literal).

    A column with many repeated values (studies, states, budgets, int params, steps) is
    formatted once per distinct value, missing values one by one as before. Object columns
    only when they hold nothing but strings: ``1``, ``1.0`` and ``True`` hash alike but read
    differently.
    """
    if len(series) > 1000 and (
        series.dtype != object or pd.api.types.infer_dtype(series, skipna=True) == "string"
    ):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        if len(uniques) * 4 < len(series):
            texts = np.array(
                _format_values(pd.Series(uniques, dtype=series.dtype), digits), dtype=object
            )
            out = np.empty(len(series), dtype=object)
            present = codes >= 0
            out[present] = texts[codes[present]]
            missing = np.flatnonzero(codes < 0)
            if missing.size:
                out[missing] = _format_values(series.iloc[missing], digits)
            return list(out)
    return _format_values(series, digits)


def _format_values(series: pd.Series, digits: int) -> list[str]:
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        return ["—" if pd.isna(v) else v.strftime("%Y-%m-%d %H:%M:%S") for v in series]
    if pd.api.types.is_bool_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        return ["—" if pd.isna(v) else ("yes" if v else "no") for v in series]
    if pd.api.types.is_numeric_dtype(dtype):
        return [display_number(v, digits) for v in series.tolist()]
    return ["—" if v is None or v is pd.NA else printable(str(v)) for v in series.tolist()]


class TrialView(DataTableBackend[pa.Table]):
    """What the table shows: flags + formatted columns, read through a row order.

    ``texts`` hold the display strings of every trial (in the frame's order) and ``order``
    the frame rows shown, in display order; only the cells the table paints are looked up.
    Column widths are measured once on all the trials, so columns keep their width when a
    filter hides the widest value. Read-only: the table never edits its cells.
    """

    def __init__(
        self,
        names: Sequence[str],
        texts: Sequence[pa.Array],
        widths: Sequence[int],
        order: np.ndarray,
        flag: Callable[[int], str],
    ) -> None:
        self._render_markup: bool | None = None
        self._names = list(names)
        self._texts = list(texts)
        self._widths = list(widths)
        self.order = order
        self._flag = flag  # frame row -> the flag cell's text

    def replace_text(self, column_index: int, text: pa.Array) -> None:
        """New display strings for one column (``column_index`` counts the flag column)."""
        self._texts[column_index - 1] = text

    @classmethod
    def from_pydict(
        cls,
        data: Mapping[str, Sequence[Any]],
        max_rows: int | None = None,
        column_names: Sequence[str] | None = None,
    ) -> DataTableBackend[pa.Table]:
        raise NotImplementedError("a TrialView is built by TrialTable")

    @property
    def data(self) -> pa.Table:
        """The rows shown, as an Arrow table (built on demand; the table never asks)."""
        return self.source_data

    @property
    def source_data(self) -> pa.Table:
        indices = pa.array(self.order, type=pa.int64())
        flags = pa.array([self._flag(int(i)) for i in self.order], type=pa.string())
        columns = [flags, *(text.take(indices) for text in self._texts)]
        return pa.Table.from_arrays(columns, names=self._names)

    @property
    def source_row_count(self) -> int:
        return len(self.order)

    @property
    def row_count(self) -> int:
        return len(self.order)

    @property
    def columns(self) -> Sequence[str]:
        return self._names

    @property
    def column_content_widths(self) -> Sequence[int]:
        return self._widths

    def get_cell_at(self, row_index: int, column_index: int) -> Any:
        row = int(self.order[row_index])
        if column_index == 0:
            return self._flag(row)
        return self._texts[column_index - 1][row].as_py()

    def get_row_at(self, index: int) -> Sequence[Any]:
        return [self.get_cell_at(index, column) for column in range(len(self._names))]

    def get_column_at(self, index: int) -> Sequence[Any]:
        return [self.get_cell_at(row, index) for row in range(len(self.order))]

    def append_column(self, label: str, default: Any | None = None) -> int:
        raise NotImplementedError("the trial table is read-only")

    def append_rows(self, records: Iterable[Iterable[Any]]) -> list[int]:
        raise NotImplementedError("the trial table is read-only")

    def drop_row(self, row_index: int) -> None:
        raise NotImplementedError("the trial table is read-only")

    def update_cell(self, row_index: int, column_index: int, value: Any) -> None:
        raise NotImplementedError("the trial table is read-only")

    def sort(self, by: list[tuple[str, Literal["ascending", "descending"]]] | str) -> None:
        raise NotImplementedError("TrialTable sorts the frame, not the display strings")


class TrialGrid(DataTable):
    """The library's table with a one-segment renderer for body cells.

    textual-fastdatatable renders every cell through Rich (``Styled(Padding(Text))`` and
    ``Console.render_lines``), about 0.1 ms a cell: a full repaint of a 200×50 terminal is
    some 800 cells, 80 ms. A body cell of the trial table is a plain one-line string that
    fits its column (widths are measured on every value), so its line is known without Rich:
    one space, the text, padding to the width, one space, in the style Rich would compose.
    Everything else (the header, a value wider than its column) still goes through the
    library. ``tests/tui/test_cell_renderer.py`` compares both paths
    segment for segment.

    The library's CSS is restated for this class: default CSS ranks by how far up the class
    hierarchy it was declared, so Textual's own ``DataTable`` rules (same type name, used by
    other screens) would otherwise win over the library's inherited ones.
    """

    DEFAULT_CSS = DataTable.DEFAULT_CSS.replace("DataTable", "TrialGrid")
    fast_cells = True

    def scroll_to_region(self, region: Region, **options: Any) -> Offset:
        """Scroll the cursor into view at once (not animated), not after the next repaint:
        Textual defers it by default, so a sort or filter that moves the cursor's row was
        painted at the old scroll position first and scrolled one frame (≈ 20 ms) later."""
        if not options.get("animate", True):
            options.setdefault("immediate", True)
        return super().scroll_to_region(region, **options)

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
        in_range: bool = False,
    ) -> list[list[Segment]]:
        if self.fast_cells and row_index >= 0 and column_index >= 0:
            lines = self._fast_cell(
                row_index, column_index, base_style, width, cursor, hover, in_range
            )
            if lines is not None:
                return lines
        return super()._render_cell(
            row_index, column_index, base_style, width, cursor, hover, in_range
        )

    def _fast_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool,
        hover: bool,
        in_range: bool,
    ) -> list[list[Segment]] | None:
        """The cell's line, or None when only the library's path renders it right."""
        if self.max_column_content_width is not None:
            return None
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
        backend = self.backend
        text = backend.get_cell_at(row_index, column_index) if backend is not None else None
        if not isinstance(text, str):
            return None
        room = width - 2  # one space of padding on either side
        length = cell_len(text)
        if length > room:
            return None
        # A pinned column's cells take the table's fixed style, as in the library's path.
        fixed = row_index < self.fixed_rows or column_index < self.fixed_columns
        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
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
        style = base_style + Style.from_meta({"row": row_index, "column": column_index})
        style = style + component_style + post_style
        lines = [[Segment(f" {text}{' ' * (room - length)} ", style)]]
        cache[key] = lines
        return lines


def view_changed(table: DataTable, *, row_count_changed: bool) -> None:
    """Repaint ``table`` after its :class:`TrialView` changed order or flags (same columns).

    Invalidates what ``DataTable.remove_row`` invalidates (textual-fastdatatable 0.19 has no
    public call for "the backend's rows changed"): the render caches are keyed by
    ``_update_count``; the scrollable height is recomputed at once when the row count
    changed (the library waits for idle, which costs one more frame); the cursor is clamped
    to the new row count.
    """
    table._update_count += 1
    if row_count_changed:
        table._update_dimensions([])  # the scrollable height, now rather than on idle
    table.cursor_coordinate = table.cursor_coordinate
    table.hover_coordinate = table.hover_coordinate
    table.refresh(layout=row_count_changed)


@dataclass
class TableState:
    """What the user set on the table; survives rebuilds."""

    columns: list[str]
    sort_column: str | None = None
    ascending: bool = True
    query: str = ""
    state_filter: str = "all"
    marked: set[int] = field(default_factory=set)


class TrialTable(Container):
    """Trials of one study (or all) with sort, filter, state filter and marks."""

    DEFAULT_CSS = """
    TrialTable { height: 1fr; }
    TrialTable > DataTable { height: 1fr; }
    """

    class Rebuilt(Message):
        """The view changed (rows shown / total)."""

        def __init__(self, shown: int, total: int) -> None:
            self.shown = shown
            self.total = total
            super().__init__()

    def __init__(
        self,
        trials: pd.DataFrame,
        columns: list[str],
        *,
        digits: int = DEFAULT_DIGITS,
        none_params: Mapping[str, np.ndarray] | None = None,
        id: str | None = None,
        now: Callable[[], datetime] | None = None,
        pinned: Collection[str] = (),
        labels: Mapping[str, str] | None = None,
    ) -> None:
        """``digits``: significant digits of numbers; ``none_params``: keys of the trials
        whose param is a stored ``None`` per column (shown ``None``, not ``—``, which means
        missing); ``now`` dates the age of running trials (default: this machine's clock);
        ``pinned``: columns that stay on the left while the table scrolls right, as long as
        they lead the columns shown; ``labels``: a header other than the column's name (the
        objectives' metric names), which the filter accepts too."""
        super().__init__(id=id)
        self.labels = dict(labels or {})
        self.pinned = frozenset(pinned)
        self.digits = digits
        self._none_params = dict(none_params or {})
        self._now = now or (lambda: datetime.now(UTC))
        self.trials = trials.reset_index(drop=True)
        self.state = TableState(columns=columns)
        self.order = np.arange(len(self.trials))
        self._text: dict[str, pa.Array] = {}
        self._width: dict[str, int] = {}
        self._rank: dict[str, np.ndarray | None] = {}
        self._generation = 0
        self.recent: set[int] = set()
        self._keys = self.trials["key"].to_numpy()
        self._diverged = self.trials["diverged"].to_numpy(dtype=bool)
        self._view: TrialView | None = None

    def compose(self) -> ComposeResult:
        yield self._make_table()

    # ----------------------------------------------------------------- data
    def _text_column(self, column: str) -> pa.Array:
        if column not in self._text:
            texts = format_column(self.trials[column], self.digits)
            if column in self._none_params:
                is_none = np.isin(self._keys, self._none_params[column])
                for row in np.flatnonzero(is_none):
                    texts[row] = "None"
            if column == DURATION_COLUMN:
                texts = self._with_running_ages(texts)
            self._text[column] = pa.array(texts, type=pa.string())
        return self._text[column]

    def _running_rows(self) -> np.ndarray:
        """Frame rows of RUNNING trials without a final duration."""
        frame = self.trials
        running = (frame["state"] == "RUNNING").to_numpy(dtype=bool)
        return np.flatnonzero(running & frame[DURATION_COLUMN].isna().to_numpy(dtype=bool))

    def _with_running_ages(self, texts: list[str]) -> list[str]:
        """A running trial's duration cell says ``running for 3 h 12 min``: marked as an
        age, never mistaken for a final duration (those are plain seconds)."""
        rows = self._running_rows()
        if rows.size:
            now = self._now()
            starts = self.trials["datetime_start"]
            for row in rows:
                texts[row] = running_for(starts.iloc[row], now)
        return texts

    def refresh_running_ages(self) -> None:
        """Redraw the running ages with the clock read again (in place: no new table)."""
        view = self._view
        if DURATION_COLUMN not in self.state.columns or view is None or not self.is_mounted:
            return
        if not self._running_rows().size:
            return
        self._text.pop(DURATION_COLUMN, None)
        text = self._text_column(DURATION_COLUMN)
        view.replace_text(self.state.columns.index(DURATION_COLUMN) + 1, text)
        view_changed(self.table, row_count_changed=False)

    def aliases(self) -> dict[str, str]:
        """The header labels a filter may name, each with its column."""
        return {label: column for column, label in self.labels.items()}

    def _column_width(self, column: str) -> int:
        """Display width of a column's widest value, measured once on every trial."""
        if column not in self._width:
            backend = ArrowBackend(pa.table({"c": self._text_column(column)}))
            backend.render_markup = False
            width = int(backend.column_content_widths[0])
            if column == DURATION_COLUMN and self._running_rows().size:
                width = max(width, RUNNING_AGE_WIDTH)
            # Room for the sort arrow, so that sorting never changes a column's width.
            width = max(width, cell_len(printable(self.labels.get(column, column))) + 2)
            self._width[column] = width
        return self._width[column]

    def _flag(self, row: int) -> str:
        """The flag cell of frame row ``row``: new/changed, marked, diverged."""
        key = int(self._keys[row])
        return (
            (RECENT if key in self.recent else " ")
            + (MARKED if key in self.state.marked else " ")
            + (DIVERGED if self._diverged[row] else " ")
        )

    def view_frame(self) -> pd.DataFrame:
        """The rows shown, in order (numbers, not strings)."""
        return self.trials.iloc[self.order]

    def compute_order(self) -> np.ndarray:
        """Filter then sort; raises :class:`~hpo_tui.core.model.query.QueryError` (one line in plain
        words) on a bad query."""
        frame = self.trials
        mask = np.ones(len(frame), dtype=bool)
        state = self.state.state_filter
        if state == "diverged":
            mask &= frame["diverged"].to_numpy(dtype=bool)
        elif state in ("feasible", "infeasible"):  # trials without constraint values: neither
            mask &= frame["feasible"].eq(state == "feasible").fillna(False).to_numpy(dtype=bool)
        elif state != "all":
            mask &= (frame["state"] == state).to_numpy()
        if self.state.query.strip():
            mask &= query_mask(frame, self.state.query, aliases=self.aliases())
        rows = np.flatnonzero(mask)
        column = self.state.sort_column
        if column is not None and column in frame.columns:
            rank = self._sort_rank(column)
            if rank is None:
                rows = sort_rows(frame[column], rows, self.state.ascending)
            else:
                key = rank[rows] if self.state.ascending else -rank[rows]
                key = np.where(rank[rows] < 0, np.iinfo(np.int64).max, key)  # missing last
                rows = rows[np.argsort(key, kind="stable")]
        return np.asarray(rows, dtype=np.int64)

    def _sort_rank(self, column: str) -> np.ndarray | None:
        """Dense rank of every trial's value in ``column`` (ties equal, missing -1), cached.

        A sort (either direction, any filter) is then one stable integer argsort of the rows
        shown, in the same order as :func:`sort_rows`. None when the values do not factorize
        in order (then :func:`sort_rows` sorts them each time).
        """
        if column not in self._rank:
            try:
                codes, _ = pd.factorize(_sortable(self.trials[column]), sort=True)
            except TypeError:
                self._rank[column] = None
            else:
                self._rank[column] = np.asarray(codes, dtype=np.int64)
        return self._rank[column]

    def _make_table(self) -> TrialGrid:
        columns = list(self.state.columns)
        names = [FLAG_COLUMN, *columns]
        self._view = TrialView(
            names,
            [self._text_column(column) for column in columns],
            [3, *(self._column_width(column) for column in columns)],
            self.order,
            self._flag,
        )
        self._view.render_markup = False
        self._generation += 1
        return TrialGrid(
            backend=self._view,
            # Text labels: the table parses plain-string labels as markup.
            column_labels=[Text(label) for label in self.header_labels()],
            fixed_columns=self.fixed_column_count(),
            render_markup=False,
            cursor_type="cell",
            show_row_labels=False,
            zebra_stripes=True,
            null_rep="—",
            id=f"trials-{self._generation}",
        )

    def fixed_column_count(self) -> int:
        """The flag column and the pinned columns that lead the columns shown, as many as
        fit in half the table's width: the other half must still show the columns that
        scroll (long study names would otherwise pin the whole view)."""
        padding = 2  # one space either side of a cell
        room = self.size.width // 2 if self.size.width else None
        count, used = 1, 3 + padding  # the flag column
        for column in self.state.columns:
            if column not in self.pinned:
                break
            used += self._column_width(column) + padding
            if room is not None and used > room:
                break
            count += 1
        return count

    def on_resize(self) -> None:
        """Pin as many leading columns as fit the new width."""
        tables = self.query(TrialGrid)
        if tables:
            tables.first().fixed_columns = self.fixed_column_count()

    def header_labels(self) -> list[str]:
        """The header: each column's name (or label), the sorted one with its direction
        (▲ / ▼)."""
        labels = [FLAG_COLUMN]
        for column in self.state.columns:
            label = printable(self.labels.get(column, column))
            if column == self.state.sort_column:
                label += " " + (ASCENDING if self.state.ascending else DESCENDING)
            labels.append(label)
        return labels

    def _update_header(self, table: TrialGrid) -> None:
        """Relabel the mounted table's header in place (widths have room for the arrow)."""
        labels = self.header_labels()
        columns = table.ordered_columns
        for column, label in zip(columns, labels, strict=False):
            if column.label.plain != label:
                column.label = Text(label)
        if table._column_labels is not None:  # what the library rebuilds its columns from
            table._column_labels = [Text(label) for label in labels]

    # ----------------------------------------------------------------- API
    @property
    def table(self) -> TrialGrid:
        return self.query_one(TrialGrid)

    def current_key(self) -> int | None:
        """The trial key under the cursor."""
        if not len(self.order):
            return None
        row = min(self.table.cursor_row, len(self.order) - 1)
        return int(self._keys[self.order[row]])

    def current_column(self) -> str | None:
        column = self.table.cursor_column - 1
        if 0 <= column < len(self.state.columns):
            return self.state.columns[column]
        return None

    async def rebuild(self) -> None:
        """Recompute the view, keeping the cursor on the same trial.

        Same columns: the mounted table only repaints (its :class:`TrialView` gets the new
        order). Other columns or other trials (a refresh): a new table is mounted.
        """
        mounted = self.query(DataTable)
        key = self.current_key() if self.is_mounted and mounted else None
        column = self.table.cursor_column if mounted else 1
        self.order = self.compute_order()
        view = self._view
        if mounted and view is not None and view.columns[1:] == list(self.state.columns):
            table = self.table
            shown_before = len(view.order)
            view.order = self.order
            self._update_header(table)
            view_changed(table, row_count_changed=len(self.order) != shown_before)
        else:
            for old in mounted:
                await old.remove()
            table = self._make_table()
            await self.mount(table)
        row = 0
        if key is not None:
            hits = np.flatnonzero(self._keys[self.order] == key)
            row = int(hits[0]) if hits.size else 0
        table.move_cursor(row=row, column=max(column, 1))
        if not table.has_focus:
            table.focus()
        self.post_message(self.Rebuilt(len(self.order), len(self.trials)))

    async def replace_trials(
        self,
        trials: pd.DataFrame,
        recent: set[int],
        none_params: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        """New data after a refresh; sort, filter, marks, columns and cursor are kept."""
        self.trials = trials.reset_index(drop=True)
        self._none_params = dict(none_params or {})
        self._text.clear()
        self._width.clear()
        self._rank.clear()
        self._keys = self.trials["key"].to_numpy()
        self._diverged = self.trials["diverged"].to_numpy(dtype=bool)
        self._view = None  # other trials: a new table (and new column widths)
        self.recent = recent
        self.state.marked &= set(self.trials["key"].tolist())
        await self.rebuild()

    def jump_to_number(self, number: int) -> str | None:
        """Put the cursor on trial ``number`` of the view; returns what to tell the user
        (None when it simply moved). In a table of several studies a number can occur
        once per study: each jump goes to the next one after the cursor."""
        shown = np.flatnonzero(self.trials["number"].to_numpy()[self.order] == number)
        if shown.size:
            after = shown[shown > self.table.cursor_row]
            row = int(after[0] if after.size else shown[0])
            self.table.move_cursor(row=row, column=max(self.table.cursor_column, 1))
            if shown.size > 1:
                which = int(np.flatnonzero(shown == row)[0]) + 1
                study = printable(str(self.trials["study"].iloc[self.order[row]]))
                return f"trial {number} of {study} ({which} of {shown.size} in this view)"
            return None
        present = (self.trials["number"] == number).to_numpy()
        if present.any():
            return f"trial {number} is not in this view (filtered out)"
        studies = self.trials["study_id"].nunique()
        return f"no trial {number} in {'this study' if studies <= 1 else 'these studies'}"

    def keys_in_view(self) -> list[int]:
        """Trial keys in display order."""
        return self._keys[self.order].tolist()


def _sortable(values: pd.Series) -> pd.Series:
    """Object columns sort by their text (``None`` stays missing)."""
    if values.dtype == object:
        return values.map(lambda v: None if v is None else str(v))
    return values


def sort_rows(values: pd.Series, rows: np.ndarray, ascending: bool) -> np.ndarray:
    """``rows`` (positions in ``values``) ordered by value: stable, missing last both ways."""
    ordered = _sortable(values.iloc[rows]).sort_values(
        ascending=ascending, na_position="last", kind="stable"
    )
    return np.asarray(values.index.get_indexer(ordered.index), dtype=np.int64)
