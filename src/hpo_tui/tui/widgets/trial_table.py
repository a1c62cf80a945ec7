"""The trial table: an Arrow-backed table (textual-fastdatatable) that stays fluid with 100k
rows. Sorting (by a dense rank per column, computed once) and filtering run on the values,
not the strings (NaN always last). The display strings are formatted once per column and
read through the view's row order (:class:`TrialView`), so a sort, a filter or a mark
changes one integer array and repaints the visible rows: no table is rebuilt or remounted,
and the cost of a keypress does not grow with the number of rows beyond the sort or filter
itself. The cells themselves (formatting, the view, the renderer) are in
:mod:`hpo_tui.tui.widgets.trial_cells`."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container
from textual.message import Message
from textual_fastdatatable import ArrowBackend, DataTable

from hpo_tui.core.display import DEFAULT_DIGITS, printable
from hpo_tui.core.durations import running_for
from hpo_tui.core.model.query import query_mask
from hpo_tui.tui.compat import set_column_labels
from hpo_tui.tui.widgets.trial_cells import TrialGrid, TrialView, format_column, view_changed

FLAG_COLUMN = "⚑"
MARKED = "●"
DIVERGED = "⚠"
RECENT = "✚"  # new or changed at the last refresh
DURATION_COLUMN = "duration_s"
ASCENDING, DESCENDING = "▲", "▼"  # after the sorted column's name in the header
# Room kept in the duration column for a running age, so that the age can move on in place
# (``running for 23 h 59 min``, the longest below 1000 days).
RUNNING_AGE_WIDTH = len("running for 23 h 59 min")


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
        set_column_labels(table, [Text(label) for label in labels])

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
