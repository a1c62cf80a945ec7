"""Measured prototypes of the load-path changes proposed in docs/performance.md.

Each row of the output compares what hpo-tui does now (calling its own functions where they
exist) with a proposed replacement on the same data, and checks that both give the same
values (NaN and ±inf included). Nothing here changes hpo-tui; it only shows what each change
would save. Run on the cached 12x2000x100 storage (generated when missing)::

    .venv/bin/python bench/prototypes.py [--size 12x2000x100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from common import Size

T = TypeVar("T")

INTER_SQL = (
    "SELECT trial_id, step, intermediate_value, intermediate_value_type "
    "FROM trial_intermediate_values"
)
# Optuna's value types folded into the value by the database: NaN → NULL (read as NaN),
# ±inf → ±9e999 (SQLite's literal for infinity), so no 'FINITE' string per row reaches Python.
INTER_SQL_FOLDED_SQLITE = (
    "SELECT trial_id, step, CASE intermediate_value_type WHEN 'FINITE' THEN intermediate_value "
    "WHEN 'INF_POS' THEN 9e999 WHEN 'INF_NEG' THEN -9e999 END FROM trial_intermediate_values"
)
INTER_SQL_FOLDED_PG = (
    "SELECT trial_id, step, CASE intermediate_value_type WHEN 'FINITE' THEN intermediate_value "
    "WHEN 'INF_POS' THEN 'Infinity'::float8 WHEN 'INF_NEG' THEN '-Infinity'::float8 "
    "ELSE 'NaN'::float8 END FROM trial_intermediate_values"
)
# A JSON list of plain numbers as Python's json.dumps writes it (NaN/Infinity included).
NUMERIC_LIST = re.compile(r"\[[-+0-9.eE, ]*(?:(?:NaN|-?Infinity)[-+0-9.eE, ]*)*\]")


def best_of(repeat: int, work: Callable[[], T]) -> tuple[float, T]:
    """Lowest wall time of ``repeat`` calls of ``work`` and its last result."""
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        began = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - began)
    return best, result


def same(a: np.ndarray, b: np.ndarray) -> bool:
    """Element-wise equality with NaN == NaN."""
    return bool(a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))


class Report:
    """Collects ``| step | now | proposed | saved | same values |`` rows."""

    def __init__(self) -> None:
        self.rows: list[str] = []

    def add(self, what: str, now: float, proposed: float, equal: bool) -> None:
        """One comparison."""
        self.rows.append(
            f"| {what} | {now:.3f} | {proposed:.3f} | {now - proposed:+.3f} "
            f"| {'yes' if equal else 'NO'} |"
        )
        print(self.rows[-1], flush=True)


def strictly_ordered(first: np.ndarray, second: np.ndarray) -> bool:
    """True when the pairs (first, second) are strictly increasing row after row."""
    d1, d2 = np.diff(first), np.diff(second)
    return bool(np.all((d1 > 0) | ((d1 == 0) & (d2 > 0))))


def fromiter_columns(rows: list[tuple[Any, ...]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(trial_id, step, value) columns of 3-tuples without a DataFrame.from_records."""
    n = len(rows)
    ids = np.fromiter((r[0] for r in rows), np.int64, n)
    steps = np.fromiter((r[1] for r in rows), np.int64, n)
    values = np.array([r[2] for r in rows], dtype=float)  # None → NaN
    return ids, steps, values


def parse_numeric_lists(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mask of numeric-list texts, their lengths, all their numbers) without json.loads.

    Numbers are parsed by pyarrow's CSV reader (already installed with
    textual-fastdatatable), which accepts Python's ``NaN``/``Infinity`` tokens and rounds
    exactly like ``float()``.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    mask = np.array([t != "[]" and NUMERIC_LIST.fullmatch(t) is not None for t in texts])
    bodies = [t[1:-1] for t, ok in zip(texts, mask, strict=True) if ok]
    lengths = np.array([b.count(",") + 1 for b in bodies], dtype=np.int64)
    data = "\n".join(b.replace(", ", "\n") for b in bodies).encode()
    table = pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(column_names=["v"]),
        convert_options=pacsv.ConvertOptions(column_types={"v": pa.float64()}),
    )
    return mask, lengths, table.column(0).to_numpy()


def run_sqlite(size: Size, repeat: int, report: Report) -> None:
    """Read-path and build-path prototypes on the SQLite storage."""
    from hpo_tui.core.model.curves import INTERMEDIATE, is_numeric_list
    from hpo_tui.core.storage.raw import INTERMEDIATE_COLUMNS, decode_json, frame
    from hpo_tui.core.storage.rdb.decode import decode_special

    conn = sqlite3.connect(f"file:{size.sqlite_path}?mode=ro", uri=True)

    # 1. Fetch: the value type folded into the value by SQLite.
    now, rows4 = best_of(repeat, lambda: conn.execute(INTER_SQL).fetchall())
    new, rows3 = best_of(repeat, lambda: conn.execute(INTER_SQL_FOLDED_SQLITE).fetchall())
    report.add("intermediate values: fetchall, type column folded in SQL", now, new, True)

    # 2. Frame + decode: from_records + decode_special vs np.fromiter columns.
    def current_frame() -> np.ndarray:
        raw = frame(rows4, [*INTERMEDIATE_COLUMNS, "value_type"])
        return decode_special(raw["value"], raw["value_type"])

    now, decoded = best_of(repeat, current_frame)
    new, (_, _, values) = best_of(repeat, lambda: fromiter_columns(rows3))
    report.add(
        "intermediate values: from_records + decode_special → np.fromiter",
        now,
        new,
        same(decoded, values),
    )

    # 3. User attrs: json.loads + is_numeric_list + concatenate vs one Arrow CSV parse.
    texts = [r[0] for r in conn.execute("SELECT value_json FROM trial_user_attributes")]

    def current_lists() -> tuple[np.ndarray, np.ndarray]:
        decoded_lists = [decode_json(t) for t in texts]
        keep = [v for v in decoded_lists if is_numeric_list(v)]
        lengths = np.array([len(v) for v in keep], dtype=np.int64)
        return lengths, np.concatenate([np.asarray(v, dtype=float) for v in keep])

    now, (lengths_now, numbers_now) = best_of(repeat, current_lists)
    new, (_, lengths_new, numbers_new) = best_of(repeat, lambda: parse_numeric_lists(texts))
    report.add(
        "list attrs: json.loads + is_numeric_list + concat → regex + Arrow CSV",
        now,
        new,
        same(lengths_now, lengths_new) and same(numbers_now, numbers_new),
    )

    # 4. Curve frame: str curve column + sort_values vs int8 codes + one stable argsort.
    ids, steps, values = fromiter_columns(rows3)
    attr_rows = conn.execute("SELECT trial_id, key FROM trial_user_attributes").fetchall()
    owners = np.array([r[0] for r in attr_rows], dtype=np.int64)
    names = [str(r[1]) for r in attr_rows]

    def current_curves() -> pd.DataFrame:
        parts = [
            pd.DataFrame({"key": ids, "curve": INTERMEDIATE, "step": steps, "value": values}),
            pd.DataFrame(
                {
                    "key": np.repeat(owners, lengths_now),
                    "curve": np.repeat(np.array(names, dtype=object), lengths_now),
                    "step": np.concatenate([np.arange(n) for n in lengths_now]),
                    "value": numbers_now,
                }
            ),
        ]
        curves = pd.concat(parts, ignore_index=True)
        return curves.sort_values(["key", "curve", "step"], kind="stable").reset_index(drop=True)

    def proposed_curves() -> pd.DataFrame:
        categories = pd.Index([INTERMEDIATE, *sorted(set(names))])
        list_codes = categories.get_indexer(names).astype(np.int8)
        ends = np.cumsum(lengths_new)
        list_steps = np.arange(ends[-1] if len(ends) else 0) - np.repeat(
            ends - lengths_new, lengths_new
        )
        key = np.concatenate([ids, np.repeat(owners, lengths_new)])
        code = np.concatenate([np.zeros(len(ids), np.int8), np.repeat(list_codes, lengths_new)])
        step = np.concatenate([steps, list_steps])
        value = np.concatenate([values, numbers_new])
        # Segments already in (key, curve, step) order need only a merge by key (timsort);
        # otherwise fall back to a lexsort of the integer columns.
        ordered = strictly_ordered(ids, steps) and strictly_ordered(owners, list_codes)
        order = np.argsort(key, kind="stable") if ordered else np.lexsort((step, code, key))
        return pd.DataFrame(
            {
                "key": key[order],
                "curve": pd.Categorical.from_codes(code[order], categories=categories),
                "step": step[order],
                "value": value[order],
            }
        )

    now, curves_now = best_of(repeat, current_curves)
    new, curves_new = best_of(repeat, proposed_curves)
    equal = (
        same(curves_now["key"].to_numpy(), curves_new["key"].to_numpy())
        and same(curves_now["step"].to_numpy(), curves_new["step"].to_numpy())
        and same(curves_now["value"].to_numpy(), curves_new["value"].to_numpy())
        and bool(
            (
                curves_now["curve"].astype(str).to_numpy()
                == curves_new["curve"].astype(str).to_numpy()
            ).all()
        )
    )
    report.add(
        "curves: build + sort_values(key, curve str, step) → codes + argsort", now, new, equal
    )
    lexsort_time, _ = best_of(
        repeat,
        lambda: np.lexsort(
            (
                curves_new["step"].to_numpy(),
                curves_new["curve"].cat.codes.to_numpy(),
                curves_new["key"].to_numpy(),
            )
        ),
    )
    print(f"  (np.lexsort of the three integer columns alone, if unsorted: {lexsort_time:.3f} s)")

    # 5. The study name per curve point: object map vs Categorical codes.
    study_of_trial = pd.Series(
        [f"bench_study_{i % size.studies}" for i in range(len(np.unique(ids)))],
        index=np.unique(ids),
    )
    curve_keys = curves_new["key"]
    now, by_map = best_of(repeat, lambda: curve_keys.map(study_of_trial).to_numpy())

    def study_codes() -> pd.Categorical:
        categories = pd.Index(sorted(study_of_trial.unique()))
        codes = categories.get_indexer(study_of_trial.to_numpy())
        return pd.Categorical.from_codes(
            codes[study_of_trial.index.get_indexer(curve_keys.to_numpy())], categories=categories
        )

    new, by_codes = best_of(repeat, study_codes)
    report.add(
        "curves: study column by .map (object) → Categorical codes",
        now,
        new,
        bool((np.asarray(by_codes, dtype=object) == by_map).all()),
    )

    # 6. Curve-name tests per row vs per category.
    as_str = curves_now["curve"]
    now, matched_rows = best_of(repeat, lambda: as_str.str.match("^val").to_numpy(dtype=bool))
    cat = curves_new["curve"]
    new, matched_cats = best_of(
        repeat,
        lambda: np.asarray(cat.cat.categories.str.match("^val"))[cat.cat.codes.to_numpy()],
    )
    report.add(
        "curve-name regex on every row → on the categories",
        now,
        new,
        same(matched_rows, matched_cats),
    )
    conn.close()


def run_postgresql(size: Size, repeat: int, report: Report) -> None:
    """COPY … TO STDOUT + Arrow CSV vs psycopg2 fetchall for the largest table."""
    import psycopg2
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from hpo_tui.core.storage.raw import INTERMEDIATE_COLUMNS, frame
    from hpo_tui.core.storage.rdb.decode import decode_special

    conn = psycopg2.connect(size.pg_dsn)
    cursor = conn.cursor()

    def current() -> np.ndarray:
        cursor.execute(INTER_SQL)
        raw = frame(cursor.fetchall(), [*INTERMEDIATE_COLUMNS, "value_type"])
        return decode_special(raw["value"], raw["value_type"])

    def copy_arrow() -> np.ndarray:
        buffer = io.BytesIO()
        cursor.copy_expert(f"COPY ({INTER_SQL_FOLDED_PG}) TO STDOUT WITH (FORMAT csv)", buffer)
        buffer.seek(0)
        table = pacsv.read_csv(
            buffer,
            read_options=pacsv.ReadOptions(column_names=["trial_id", "step", "value"]),
            convert_options=pacsv.ConvertOptions(
                column_types={"trial_id": pa.int64(), "step": pa.int64(), "value": pa.float64()}
            ),
        )
        return np.asarray(table.column("value").to_numpy())

    now, decoded = best_of(repeat, current)
    new, copied = best_of(repeat, copy_arrow)
    report.add(
        "PostgreSQL intermediate values: fetchall + frame + decode → COPY csv + Arrow",
        now,
        new,
        same(decoded, copied),
    )
    conn.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=Size.parse, default=Size.parse("12x2000x100"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backend", default="both", choices=["sqlite", "postgresql", "both"])
    args = parser.parse_args(argv)
    import generate

    report = Report()
    print(f"## Prototypes on {args.size.label} (best of {args.repeat}, wall seconds)\n")
    print("| step | now s | proposed s | saved s | same values |")
    print("|---|--:|--:|--:|---|")
    if args.backend in ("sqlite", "both"):
        generate.ensure(args.size, "sqlite")
        run_sqlite(args.size, args.repeat, report)
    if args.backend in ("postgresql", "both"):
        generate.ensure(args.size, "postgresql")
        run_postgresql(args.size, args.repeat, report)
    return 0 if all(row.endswith("| yes |") for row in report.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
