"""The Optuna tables read through any :class:`~.reader.RdbReader`, in one transaction.

A handful of ``SELECT``s over whole tables (not one query per trial). The large tables come
as Arrow columns when the reader can give them, else in bounded batches of rows, built
column by column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.errors import SourceError
from hpo_tui.core.storage.raw import (
    HEARTBEAT_COLUMNS,
    PARAM_COLUMNS,
    STUDY_COLUMNS,
    TRIAL_COLUMNS,
    VALUE_COLUMNS,
    RawTables,
    external_param_values,
    frame,
    no_heartbeats,
    to_utc,
)
from hpo_tui.core.storage.rdb.connect import read_transaction
from hpo_tui.core.storage.rdb.decode import (
    apply_value_types,
    arrow_attr_frame,
    attr_frame,
    column_numpy,
    decode_special,
    study_attr_dicts,
)
from hpo_tui.core.storage.rdb.optuna_api import read_with_optuna_api
from hpo_tui.core.storage.rdb.reader import RdbReader
from hpo_tui.core.storage.rdb.schema import KNOWN_HEADS, SchemaLayout, schema_head
from hpo_tui.core.storage.sources import Source, SourceKind

ID_CHUNK = 900  # below SQLite's default limit of host parameters / keeps statements short


def read_rdb(source: Source) -> RawTables:
    """Read a whole RDB storage (SQLite file or server) without writing to it.

    Raises:
        SourceError: when the database cannot be opened, is not an Optuna storage, or is
            corrupt.
    """
    with read_transaction(source) as reader:
        head = schema_head(reader, source)
        layout = KNOWN_HEADS.get(head)
        if layout is not None:
            return read_rdb_tables(reader, source, layout)
    if source.kind is SourceKind.SQLITE:
        return read_with_optuna_api(source, head)
    raise SourceError(source.display, f"unknown Optuna schema {head!r} (hpo-tui reads 2.4–5.x)")


def read_rdb_tables(
    reader: RdbReader, source: Source, layout: SchemaLayout, trial_ids: list[int] | None = None
) -> RawTables:
    """Read the Optuna tables through ``reader`` (inside its transaction).

    Args:
        reader: An open reader inside its read transaction.
        source: For error messages.
        layout: The schema's encoding columns.
        trial_ids: Read only these trials (study tables are always read whole: they are small).
    """
    version = reader.rows("SELECT library_version FROM version_info")
    library_version = str(version[0][0]) if version and version[0][0] else ""
    # Optuna < 5 wrote naive local time; Optuna 5 writes naive UTC (see docs/data-model.md).
    naive_is_local = (
        not library_version[:2].rstrip(".").isdigit() or int(library_version.split(".")[0]) < 5
    )

    key = reader.key_column
    study_rows = reader.rows("SELECT study_id, study_name FROM studies")
    direction_rows = reader.rows(
        "SELECT study_id, objective, direction FROM study_directions ORDER BY study_id, objective"
    )
    study_user = study_attr_dicts(
        reader.rows(f"SELECT study_id, {key}, value_json FROM study_user_attributes"), source
    )
    study_system = study_attr_dicts(
        reader.rows(f"SELECT study_id, {key}, value_json FROM study_system_attributes"), source
    )
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hpo-tui-decode") as pool:
        # Learning curves stored as attrs are decoded (Arrow kernels, which release the GIL)
        # while the other tables are read: the longest task starts first.
        user_attrs = _trial_attrs(reader, "trial_user_attributes", trial_ids, source, pool)
        trial_rows = _rows_for(
            reader,
            "SELECT trial_id, study_id, number, state, datetime_start, datetime_complete "
            "FROM trials",
            trial_ids,
        )
        value_sql = "SELECT trial_id, objective, value" + (
            ", value_type FROM trial_values" if layout.value_type else " FROM trial_values"
        )
        value_rows = _rows_for(reader, value_sql, trial_ids)
        param_rows = _rows_for(
            reader,
            "SELECT trial_id, param_name, param_value, distribution_json FROM trial_params",
            trial_ids,
        )
        system_attrs = _trial_attrs(reader, "trial_system_attributes", trial_ids, source)
        intermediate = _intermediate(reader, layout, trial_ids)
        heartbeats = _heartbeats(reader, trial_ids)

    directions: dict[Any, list[str]] = {}
    for study_id, _objective, direction in direction_rows:
        directions.setdefault(study_id, []).append(str(getattr(direction, "name", direction)))
    studies = frame(
        [
            (
                sid,
                name,
                directions.get(sid, ["MINIMIZE"]),
                study_user.get(sid, {}),
                study_system.get(sid, {}),
            )
            for sid, name in study_rows
        ],
        STUDY_COLUMNS,
    )

    trials = frame(trial_rows, TRIAL_COLUMNS)
    trials["state"] = trials["state"].map(lambda s: str(getattr(s, "name", s))).astype(object)
    for column in ("datetime_start", "datetime_complete"):
        trials[column] = to_utc(trials[column], naive_is_local=naive_is_local)

    if layout.value_type:
        values_raw = frame(value_rows, [*VALUE_COLUMNS, "value_type"])
        value_types: pd.Series | None = values_raw["value_type"]
    else:
        values_raw = frame(value_rows, VALUE_COLUMNS)
        value_types = None
    values = values_raw[["trial_id", "objective"]].copy()
    values["value"] = decode_special(values_raw["value"], value_types)

    params = frame(param_rows, ["trial_id", "param_name", "internal", "distribution_json"])
    try:
        external = external_param_values(params["internal"], params["distribution_json"])
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise SourceError(source.display, f"a param distribution is invalid ({exc})") from None
    params = params.assign(value=external)[PARAM_COLUMNS]

    return RawTables(
        studies=studies,
        trials=trials,
        values=values,
        params=params,
        trial_user_attrs=user_attrs(),
        trial_system_attrs=system_attrs(),
        intermediate=intermediate,
        heartbeats=heartbeats,
    )


_ZONE_STEP = pd.Timedelta(minutes=15)  # every time zone's offset is a multiple of this


def _heartbeats(reader: RdbReader, trial_ids: list[int] | None) -> pd.DataFrame:
    """``trial_id, heartbeat`` (UTC) of the ``trial_heartbeats`` table, when it exists.

    Optuna writes a heartbeat with the database's clock (``CURRENT_TIMESTAMP`` / ``now()``),
    naive, in the session's time zone on servers. It is mapped to UTC by the offset between
    the database's "now" (:attr:`RdbReader.now_sql`) and this machine's UTC "now", rounded to
    a quarter hour: the zone's offset, not the clocks' drift, so a heartbeat read twice gives
    the same time.
    """
    if "trial_heartbeats" not in reader.tables():  # created with the storage since Optuna 2.9
        return no_heartbeats()
    rows = _rows_for(reader, "SELECT trial_id, heartbeat FROM trial_heartbeats", trial_ids)
    if not rows:
        return no_heartbeats()
    database_now = reader.rows(reader.now_sql)[0][0]
    here_now = pd.Timestamp.now(tz="UTC").tz_localize(None)
    offset = (pd.Timestamp(database_now) - here_now).round(_ZONE_STEP)
    table = frame(rows, HEARTBEAT_COLUMNS)
    stored = pd.to_datetime(table["heartbeat"].astype(object), format="ISO8601")
    if getattr(stored.dt, "tz", None) is not None:  # a driver that gives aware times
        heartbeat = stored.dt.tz_convert("UTC")
    else:
        heartbeat = (stored - offset).dt.tz_localize("UTC")
    heartbeat = heartbeat.astype("datetime64[ns, UTC]")
    return pd.DataFrame(
        {"trial_id": table["trial_id"].to_numpy(dtype=np.int64), "heartbeat": heartbeat}
    )


def _arrow(reader: RdbReader, sql: str, types: dict[str, str]) -> Any:
    """:meth:`RdbReader.arrow` with Arrow type names (``"int64"``, ``"large_string"``…)."""
    import pyarrow as pa

    return reader.arrow(sql, {name: getattr(pa, kind)() for name, kind in types.items()})


def _batches_for(
    reader: RdbReader, sql: str, trial_ids: list[int] | None
) -> Iterator[list[tuple[Any, ...]]]:
    """``sql`` for every trial, or only for ``trial_ids`` (in chunks of ``IN (...)``)."""
    if trial_ids is None:
        yield from reader.batches(sql)
        return
    for start in range(0, len(trial_ids), ID_CHUNK):
        chunk = ", ".join(str(int(t)) for t in trial_ids[start : start + ID_CHUNK])
        yield reader.rows(f"{sql} WHERE trial_id IN ({chunk})")


def _rows_for(reader: RdbReader, sql: str, trial_ids: list[int] | None) -> list[tuple[Any, ...]]:
    """All rows of :func:`_batches_for` (of :meth:`RdbReader.bulk_rows` when it has them)."""
    if trial_ids is None and (bulk := reader.bulk_rows(sql)) is not None:
        return bulk
    rows: list[tuple[Any, ...]] = []
    for batch in _batches_for(reader, sql, trial_ids):
        rows.extend(batch)
    return rows


def _trial_attrs(
    reader: RdbReader,
    table: str,
    trial_ids: list[int] | None,
    source: Source,
    pool: ThreadPoolExecutor | None = None,
) -> Callable[[], pd.DataFrame]:
    """``trial_id, key, value`` of a trial attribute table, decoded: read now, returned by
    the thunk. With ``pool``, the decoding (Arrow kernels, which release the GIL) runs there
    while the caller reads the next table."""
    what = "a trial user attribute" if "user" in table else "a trial system attribute"
    sql = f"SELECT trial_id, {reader.key_column}, value_json FROM {table}"
    arrow = None
    if trial_ids is None:
        arrow = _arrow(
            reader, sql, {"trial_id": "int64", "key": "large_string", "value_json": "large_string"}
        )
    if arrow is None:
        frame_ = attr_frame(_rows_for(reader, sql, trial_ids), what, source)
        return lambda: frame_

    future = pool.submit(arrow_attr_frame, arrow) if pool is not None else None

    def result() -> pd.DataFrame:
        try:
            return future.result() if future is not None else arrow_attr_frame(arrow)
        except ValueError as exc:
            raise SourceError(source.display, f"{what} holds invalid JSON ({exc})") from None

    return result


def _intermediate(
    reader: RdbReader, layout: SchemaLayout, trial_ids: list[int] | None
) -> pd.DataFrame:
    """``trial_id, step, value`` of the intermediate values, built column by column from Arrow
    columns or bounded batches (no DataFrame of millions of row tuples)."""
    folded = reader.folded_specials if layout.intermediate_value_type else None
    typed = layout.intermediate_value_type and folded is None  # the type column comes back
    table = "trial_intermediate_values"
    if folded is not None:
        pos, neg, nan = folded
        sql = (
            "SELECT trial_id, step, CASE intermediate_value_type "
            "WHEN 'FINITE' THEN intermediate_value "
            f"WHEN 'INF_POS' THEN {pos} WHEN 'INF_NEG' THEN {neg} ELSE {nan} END FROM {table}"
        )
    elif typed:
        sql = f"SELECT trial_id, step, intermediate_value, intermediate_value_type FROM {table}"
    else:
        sql = f"SELECT trial_id, step, intermediate_value FROM {table}"
    if trial_ids is None:
        types = {"trial_id": "int64", "step": "int64", "value": "float64"}
        if typed:
            types["value_type"] = "large_string"
        arrow = _arrow(reader, sql, types)
        if arrow is not None:
            values = column_numpy(arrow, "value")
            if typed:
                kinds = arrow.column("value_type").to_numpy(zero_copy_only=False)
                values = apply_value_types(values.astype(float, copy=True), kinds)
            return pd.DataFrame(  # copy=False: no consolidation copy of millions of rows
                {
                    "trial_id": column_numpy(arrow, "trial_id"),
                    "step": column_numpy(arrow, "step"),
                    "value": values,
                },
                copy=False,
            )
    ids: list[np.ndarray] = []
    steps: list[np.ndarray] = []
    values_: list[np.ndarray] = []
    for batch in _batches_for(reader, sql, trial_ids):
        n = len(batch)
        ids.append(np.fromiter((row[0] for row in batch), np.int64, n))
        steps.append(np.fromiter((row[1] for row in batch), np.int64, n))
        raw = [row[2] for row in batch]
        types_ = pd.Series([row[3] for row in batch], dtype=object) if typed else None
        if types_ is None:
            try:
                values_.append(np.array(raw, dtype=float))  # None (SQL NULL) becomes NaN
                continue
            except (TypeError, ValueError):
                pass
        values_.append(decode_special(pd.Series(raw, dtype=object), types_))
        del batch, raw
    if not ids:
        return pd.DataFrame(
            {
                "trial_id": pd.Series([], dtype=object),
                "step": pd.Series([], dtype=object),
                "value": pd.Series([], dtype=object),
            }
        )
    return pd.DataFrame(
        {
            "trial_id": np.concatenate(ids),
            "step": np.concatenate(steps),
            "value": np.concatenate(values_),
        }
    )
