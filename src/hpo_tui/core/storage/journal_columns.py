"""What a journal replay accumulates, as columns, and the raw tables built from it.

Trials are columns (lists indexed by trial id); their params, attrs and intermediate values
are rows of child tables, kept as Python lists while records are applied and merged into
numpy arrays when the tables are built (in one pass, see :func:`build_tables`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.storage.raw import (
    ATTR_COLUMNS,
    INTERMEDIATE_COLUMNS,
    PARAM_COLUMNS,
    STUDY_COLUMNS,
    TRIAL_COLUMNS,
    VALUE_COLUMNS,
    RawTables,
    external_param_values,
    frame,
    to_utc,
)

STATE_NAMES = ("RUNNING", "COMPLETE", "PRUNED", "FAIL", "WAITING")  # TrialState values 0-4
_FLUSH_ROWS = 1 << 18
LOST = -1  # state of a trial whose creation record was lost: kept out, updates skipped


class Study:
    """A study of the journal: its name, directions, attrs and trial ids (in number order)."""

    __slots__ = ("directions", "name", "system_attrs", "trial_ids", "user_attrs")

    def __init__(self, name: str, directions: list[str]) -> None:
        self.name = name
        self.directions = directions
        self.user_attrs: dict[str, Any] = {}
        self.system_attrs: dict[str, Any] = {}
        self.trial_ids: list[int] = []


class Rows:
    """Rows of one child table as columns: Python lists while records are applied, merged
    into numpy arrays when the tables are built (or a template brings arrays)."""

    def __init__(self, kinds: tuple[Any, ...]) -> None:
        self.kinds = kinds
        self.pending: tuple[list[Any], ...] = tuple([] for _ in kinds)
        self.chunks: list[tuple[np.ndarray, ...]] = []

    def add(self, *values: Any) -> None:
        for column, value in zip(self.pending, values, strict=True):
            column.append(value)
        if len(self.pending[0]) >= _FLUSH_ROWS:
            self._flush()

    def extend(self, trial_id: int, keys: Any, values: Any, count: int) -> None:
        """Append ``count`` rows of one trial (a two-column child table: key and value).

        Rows are merged into arrays every :data:`_FLUSH_ROWS`: the pending Python objects (a
        float per intermediate value) are freed as the replay goes, not held to the end."""
        trials, key_column, value_column = self.pending
        trials.extend([trial_id] * count)
        key_column.extend(keys)
        value_column.extend(values)
        if len(trials) >= _FLUSH_ROWS:
            self._flush()

    def add_arrays(self, *arrays: np.ndarray) -> None:
        self._flush()
        self.chunks.append(arrays)

    def _flush(self) -> None:
        if self.pending[0]:
            arrays = zip(self.pending, self.kinds, strict=True)
            self.chunks.append(tuple(_array(column, kind) for column, kind in arrays))
            self.pending = tuple([] for _ in self.kinds)

    def arrays(self) -> tuple[np.ndarray, ...]:
        self._flush()
        if not self.chunks:
            return tuple(np.zeros(0, dtype=k) for k in self.kinds)
        if len(self.chunks) > 1:
            self.chunks = [tuple(np.concatenate(c) for c in zip(*self.chunks, strict=True))]
        return self.chunks[0]


class TrialColumns:
    """Every trial created so far (lost ones included: trial ids count every creation), as
    columns indexed by trial id, and the rows of their child tables."""

    def __init__(self) -> None:
        self.study: list[int] = []
        self.number: list[int] = []
        self.state: list[int] = []
        self.start: list[str | None] = []
        self.complete: list[str | None] = []
        self.values: list[list[Any] | None] = []
        self.max_step: list[int | None] = []
        self.params = Rows((np.int64, object, np.float64, object))
        self.user_attrs = Rows((np.int64, object, object))
        self.system_attrs = Rows((np.int64, object, object))
        self.intermediate = Rows((np.int64, np.int64, np.float64))
        self.repeated_steps = False  # some step reported twice: keep the last one

    def __len__(self) -> int:
        return len(self.state)

    def add(
        self,
        study_id: int,
        number: int,
        state: int,
        start: str | None,
        complete: str | None,
        values: list[Any] | None,
    ) -> int:
        """Append a trial; its id."""
        trial_id = len(self.state)
        self.study.append(study_id)
        self.number.append(number)
        self.state.append(state)
        self.start.append(start)
        self.complete.append(complete)
        self.values.append(values)
        self.max_step.append(None)
        return trial_id


def build_tables(
    studies: dict[int, Study], trials: TrialColumns, only: set[int] | None = None
) -> RawTables:
    """The raw tables of ``studies`` (``only``: of these trial ids)."""
    study_frame = frame(
        [
            (sid, s.name, list(s.directions), dict(s.user_attrs), dict(s.system_attrs))
            for sid, s in studies.items()
        ],
        STUDY_COLUMNS,
    )
    wanted = [tid for s in studies.values() for tid in s.trial_ids]
    if only is not None:
        wanted = [tid for tid in wanted if tid in only]
    wanted = [tid for tid in wanted if trials.state[tid] != LOST]
    wanted.sort()
    ids = np.asarray(wanted, dtype=np.int64)
    # Every trial id wanted (no lost trial, deleted study or ``only``): no row to filter out.
    keep_all = len(wanted) == len(trials)
    value_rows = [
        (tid, objective, float(v))
        for tid in wanted
        if (stored := trials.values[tid]) is not None
        for objective, v in enumerate(stored)
    ]
    return RawTables(
        studies=study_frame,
        trials=_trial_frame(trials, wanted),
        values=frame(value_rows, VALUE_COLUMNS),
        params=_params_frame(trials.params, ids, keep_all),
        trial_user_attrs=_attr_frame(trials.user_attrs, ids, keep_all),
        trial_system_attrs=_attr_frame(trials.system_attrs, ids, keep_all),
        intermediate=_intermediate_frame(trials, ids, keep_all),
    )


def _trial_frame(trials: TrialColumns, wanted: list[int]) -> pd.DataFrame:
    if not wanted:
        return frame([], TRIAL_COLUMNS).assign(
            datetime_start=pd.Series([], dtype="datetime64[ns, UTC]"),
            datetime_complete=pd.Series([], dtype="datetime64[ns, UTC]"),
        )
    return pd.DataFrame(
        {
            "trial_id": np.asarray(wanted, dtype=np.int64),
            "study_id": np.asarray([trials.study[t] for t in wanted], dtype=np.int64),
            "number": np.asarray([trials.number[t] for t in wanted], dtype=np.int64),
            "state": _object([STATE_NAMES[trials.state[t]] for t in wanted]),
            "datetime_start": _utc([trials.start[t] for t in wanted]),
            "datetime_complete": _utc([trials.complete[t] for t in wanted]),
        }
    )


def _kept(trial: np.ndarray, ids: np.ndarray, keep_all: bool) -> np.ndarray | slice | None:
    """The rows of the wanted trials: all (a slice: no copy), some (a mask), or None."""
    if keep_all:
        return slice(None) if len(trial) else None
    keep = np.isin(trial, ids)
    return keep if keep.any() else None


def _params_frame(params: Rows, ids: np.ndarray, keep_all: bool) -> pd.DataFrame:
    trial, name, internal, dist = params.arrays()
    keep = _kept(trial, ids, keep_all)
    if keep is None:
        return frame([], PARAM_COLUMNS)
    rows = pd.DataFrame(
        {
            "trial_id": trial[keep],
            "param_name": name[keep],
            "internal": internal[keep],
            "distribution_json": dist[keep],
        }
    )
    rows = _last_per_key(rows, ["trial_id", "param_name"])
    value = external_param_values(rows["internal"], rows["distribution_json"])
    return rows.assign(value=value)[PARAM_COLUMNS]


def _attr_frame(store: Rows, ids: np.ndarray, keep_all: bool) -> pd.DataFrame:
    trial, key, value = store.arrays()
    keep = _kept(trial, ids, keep_all)
    if keep is None:
        return frame([], ATTR_COLUMNS)
    rows = pd.DataFrame({"trial_id": trial[keep], "key": key[keep], "value": value[keep]})
    return _last_per_key(rows, ["trial_id", "key"])


def _intermediate_frame(trials: TrialColumns, ids: np.ndarray, keep_all: bool) -> pd.DataFrame:
    trial, step, value = trials.intermediate.arrays()
    keep = _kept(trial, ids, keep_all)
    if keep is None:
        return frame([], INTERMEDIATE_COLUMNS)
    columns = {"trial_id": trial[keep], "step": step[keep], "value": value[keep]}
    rows = pd.DataFrame(columns, copy=False)  # no consolidation copy of millions of rows
    if trials.repeated_steps:
        rows = rows.drop_duplicates(["trial_id", "step"], keep="last")
    ordered = rows["trial_id"].to_numpy()
    if len(ordered) and bool((ordered[1:] >= ordered[:-1]).all()):
        return rows.reset_index(drop=True)  # templates and one writer: already by trial
    return rows.sort_values("trial_id", kind="stable").reset_index(drop=True)


def _last_per_key(rows: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """One row per key, in the order keys first appeared, with the last value set (a dict's
    update), grouped by trial."""
    first = rows.groupby(key, sort=False).ngroup().to_numpy()
    last = rows.assign(_first=first).drop_duplicates(key, keep="last")
    last = last.sort_values(["trial_id", "_first"], kind="stable")
    return last.drop(columns="_first").reset_index(drop=True)


def _array(values: list[Any], kind: Any) -> np.ndarray:
    if kind is object:  # element by element: a list value stays one element
        return np.fromiter(values, dtype=object, count=len(values))
    return np.asarray(values, dtype=kind)


def _object(values: list[Any]) -> np.ndarray:
    return np.fromiter(values, dtype=object, count=len(values))


def _utc(texts: list[str | None]) -> pd.Series:
    """ISO datetimes as UTC: with an offset (Optuna 5) as written, naive ones (Optuna < 5)
    as local time, as Optuna's replay reads them."""
    series = pd.Series(_object(texts), dtype=object)
    naive = series.map(lambda t: t is not None and not _has_offset(t), na_action=None)
    if not naive.any():
        return to_utc(series, naive_is_local=False)
    result = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns, UTC]")
    if (~naive).any():
        result[~naive] = to_utc(series[~naive], naive_is_local=False)
    result[naive] = to_utc(series[naive], naive_is_local=True)
    return result


def _has_offset(text: str) -> bool:
    tail = text[-6:]
    return text.endswith("Z") or (len(tail) == 6 and tail[0] in "+-" and tail[3] == ":")
