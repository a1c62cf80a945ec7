"""The trial table: an Arrow-backed table (textual-fastdatatable) that stays fluid with 100k
rows. Sorting and filtering run in pandas on the numbers (NaN always last); the displayed
strings are formatted once and reordered with Arrow's ``take``."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container
from textual.message import Message
from textual_fastdatatable import ArrowBackend, DataTable

from hpo_tui.core.formats import display_number, printable

FLAG_COLUMN = "⚑"
MARKED = "●"
DIVERGED = "⚠"
RECENT = "✚"  # new or changed at the last refresh


def format_column(series: pd.Series) -> list[str]:
    """Display strings for one column (numbers readable, text literal)."""
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        return ["—" if pd.isna(v) else v.strftime("%Y-%m-%d %H:%M:%S") for v in series]
    if pd.api.types.is_bool_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        return ["—" if pd.isna(v) else ("yes" if v else "no") for v in series]
    if pd.api.types.is_numeric_dtype(dtype):
        return [display_number(v) for v in series.tolist()]
    return ["—" if v is None or v is pd.NA else printable(str(v)) for v in series.tolist()]


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

    def __init__(self, trials: pd.DataFrame, columns: list[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.trials = trials.reset_index(drop=True)
        self.state = TableState(columns=columns)
        self.order = np.arange(len(self.trials))
        self._text: dict[str, pa.Array] = {}
        self._generation = 0
        self.recent: set[int] = set()

    def compose(self) -> ComposeResult:
        yield self._make_table()

    # ----------------------------------------------------------------- data
    def _text_column(self, column: str) -> pa.Array:
        if column not in self._text:
            self._text[column] = pa.array(format_column(self.trials[column]), type=pa.string())
        return self._text[column]

    def _flags(self, rows: np.ndarray) -> pa.Array:
        keys = self.trials["key"].to_numpy()[rows]
        diverged = self.trials["diverged"].to_numpy(dtype=bool)[rows]
        marked = np.isin(keys, list(self.state.marked))
        recent = np.isin(keys, list(self.recent))
        flags = (
            np.where(recent, RECENT, " ").astype(object)
            + np.where(marked, MARKED, " ")
            + np.where(diverged, DIVERGED, " ")
        )
        return pa.array(flags.tolist(), type=pa.string())

    def view_frame(self) -> pd.DataFrame:
        """The rows shown, in order (numbers, not strings)."""
        return self.trials.iloc[self.order]

    def compute_order(self) -> np.ndarray:
        """Filter then sort; raises ``ValueError`` with a short message on a bad query."""
        frame = self.trials
        mask = np.ones(len(frame), dtype=bool)
        state = self.state.state_filter
        if state == "diverged":
            mask &= frame["diverged"].to_numpy(dtype=bool)
        elif state != "all":
            mask &= (frame["state"] == state).to_numpy()
        if self.state.query.strip():
            mask &= query_mask(frame, self.state.query)
        rows = np.flatnonzero(mask)
        column = self.state.sort_column
        if column is not None and column in frame.columns:
            values = frame[column].iloc[rows]
            if values.dtype == object:
                values = values.map(lambda v: None if v is None else str(v))
            ordered = values.sort_values(
                ascending=self.state.ascending, na_position="last", kind="stable"
            )
            rows = ordered.index.to_numpy()
        return np.asarray(rows, dtype=np.int64)

    def _make_table(self) -> DataTable:
        rows = self.order
        arrays = [self._flags(rows)]
        names = [FLAG_COLUMN]
        indices = pa.array(rows, type=pa.int64())
        for column in self.state.columns:
            arrays.append(self._text_column(column).take(indices))
            names.append(column)
        table = pa.Table.from_arrays(arrays, names=names)
        self._generation += 1
        return DataTable(
            backend=ArrowBackend(table),
            # Text labels: the table parses plain-string labels as markup.
            column_labels=[Text(printable(name)) for name in names],
            render_markup=False,
            cursor_type="cell",
            show_row_labels=False,
            zebra_stripes=True,
            null_rep="—",
            id=f"trials-{self._generation}",
        )

    # ----------------------------------------------------------------- API
    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def current_key(self) -> int | None:
        """The trial key under the cursor."""
        if not len(self.order):
            return None
        row = min(self.table.cursor_row, len(self.order) - 1)
        return int(self.trials["key"].iloc[self.order[row]])

    def current_column(self) -> str | None:
        column = self.table.cursor_column - 1
        if 0 <= column < len(self.state.columns):
            return self.state.columns[column]
        return None

    async def rebuild(self) -> None:
        """Recompute the view and remount the table, keeping the cursor on the same trial."""
        key = self.current_key() if self.is_mounted and self.query(DataTable) else None
        column = self.table.cursor_column if self.query(DataTable) else 1
        self.order = self.compute_order()
        for old in self.query(DataTable):
            await old.remove()
        table = self._make_table()
        await self.mount(table)
        row = 0
        if key is not None:
            hits = np.flatnonzero(self.trials["key"].to_numpy()[self.order] == key)
            row = int(hits[0]) if hits.size else 0
        table.move_cursor(row=row, column=max(column, 1))
        table.focus()
        self.post_message(self.Rebuilt(len(self.order), len(self.trials)))

    async def replace_trials(self, trials: pd.DataFrame, recent: set[int]) -> None:
        """New data after a refresh; sort, filter, marks, columns and cursor are kept."""
        self.trials = trials.reset_index(drop=True)
        self._text.clear()
        self.recent = recent
        self.state.marked &= set(self.trials["key"].tolist())
        await self.rebuild()

    def keys_in_view(self) -> list[int]:
        """Trial keys in display order."""
        return self.trials["key"].to_numpy()[self.order].tolist()


def query_mask(frame: pd.DataFrame, expression: str) -> np.ndarray:
    """Rows matching a pandas query expression (``value < 0.3 and param_lr > 1e-4``).

    Raises:
        ValueError: with a one-line message when the expression is invalid.
    """
    try:
        result = frame.eval(expression, engine="python")
    except Exception as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(message) from None
    if isinstance(result, pd.Series) and str(result.dtype) == "boolean":
        return result.fillna(False).to_numpy(dtype=bool)  # comparisons on nullable columns
    if not isinstance(result, pd.Series) or result.dtype != bool:
        try:
            result = pd.Series(result, index=frame.index).astype(bool)
        except (TypeError, ValueError):
            raise ValueError("the expression must be a condition, e.g. value < 0.3") from None
    return result.fillna(False).to_numpy(dtype=bool)
