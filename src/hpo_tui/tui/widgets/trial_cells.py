"""The cells of the trial table: display strings formatted once per column, the view the
table reads them through (:class:`TrialView`: a row order over Arrow string columns), and
the table that paints a plain cell as one segment (:class:`TrialGrid`). The widget that
sorts, filters and marks is :mod:`hpo_tui.tui.widgets.trial_table`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Offset, Region
from textual_fastdatatable import DataTable, DataTableBackend

from hpo_tui.core.display import DEFAULT_DIGITS, display_number, printable
from hpo_tui.tui.compat import CellHookDataTable, backend_rows_changed


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
        super().__init__(pa.table({}))  # the library's base keeps only the markup flag
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


class TrialGrid(CellHookDataTable):
    """The library's table with a one-segment renderer for body cells.

    textual-fastdatatable renders every cell through Rich (``Styled(Padding(Text))`` and
    ``Console.render_lines``), about 0.1 ms a cell: a full repaint of a 200×50 terminal is
    some 800 cells, 80 ms. A body cell of the trial table is a plain one-line string that
    fits its column (widths are measured on every value), so its line is known without Rich:
    one space, the text, padding to the width, one space, in the style Rich would compose.
    Everything else (the header, a value wider than its column) still goes through the
    library (the hook and its cache: :class:`~hpo_tui.tui.compat.CellHookDataTable`).
    ``tests/tui/test_cell_renderer.py`` compares both paths segment for segment.

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

    def render_body_cell(
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
        if not self.fast_cells or self.max_column_content_width is not None:
            return None
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
        component_style, post_style = self.cell_styles(
            fixed=fixed, hover=hover, cursor=cursor, in_range=in_range
        )
        style = base_style + Style.from_meta({"row": row_index, "column": column_index})
        style = style + component_style + post_style
        return [[Segment(f" {text}{' ' * (room - length)} ", style)]]


def view_changed(table: DataTable, *, row_count_changed: bool) -> None:
    """Repaint ``table`` after its :class:`TrialView` changed order or flags (same columns).

    The render caches are invalidated and, when the row count changed, the scrollable
    height recomputed at once (:func:`~hpo_tui.tui.compat.backend_rows_changed`); the cursor
    is clamped to the new row count.
    """
    backend_rows_changed(table, row_count_changed=row_count_changed)
    table.cursor_coordinate = table.cursor_coordinate
    table.hover_coordinate = table.hover_coordinate
    table.refresh(layout=row_count_changed)
