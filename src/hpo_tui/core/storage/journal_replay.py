"""Replay of Optuna JournalStorage records into :class:`RawTables`, without Optuna objects.

The journal is an op log, one JSON record a line (``optuna/storages/journal/_storage.py``).
This replays it the way Optuna 5's ``JournalStorageReplayResult`` does, as seen by a reader
that issued none of the records: a record that Optuna's replay skips (a duplicate study name,
an update of a finished or unknown trial, a param whose distribution conflicts with the one
the study already has) is skipped here too. Trials are kept as columns (lists indexed by
trial id), their params, attrs and intermediate values as rows; the tables are built from
those in one pass.

Damaged records (optuna/optuna#5138: NFS can tear or run lines together) do not stop the
replay: every intact record of a damaged line is applied and what was lost is reported with
the line number and byte offset. Unknown op codes are skipped with one warning per code.

A journal file is fed as bytes (:meth:`JournalReplay.feed`), a journal in Redis as its logs,
one record each (:meth:`JournalReplay.feed_logs`): warnings then name the log number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.display import plural
from hpo_tui.core.storage.raw import (
    ATTR_COLUMNS,
    INTERMEDIATE_COLUMNS,
    PARAM_COLUMNS,
    STUDY_COLUMNS,
    TRIAL_COLUMNS,
    VALUE_COLUMNS,
    RawTables,
    _external_kind,
    external_param_values,
    frame,
)

try:
    import orjson

    def _loads(data: bytes | memoryview) -> Any:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:  # NaN/Infinity tokens, huge ints: Python's json
            return json.loads(bytes(data))

except ImportError:  # pragma: no cover - the ``fast`` extra is not installed

    def _loads(data: bytes | memoryview) -> Any:
        return json.loads(bytes(data))


STATE_NAMES = ("RUNNING", "COMPLETE", "PRUNED", "FAIL", "WAITING")  # TrialState values 0-4
_FINISHED = (False, True, True, True, False)
_RUNNING, _WAITING = 0, 4
_DIRECTIONS = ("NOT_SET", "MINIMIZE", "MAXIMIZE")
_LOST = -1  # state of a trial whose creation record was lost: kept out, updates skipped
_KNOWN_OTHER_CODES = {10: "DISCARD_TRIALS, written by Rustuna; Optuna skips it too"}
_RECORD_START = re.compile(rb'\{\s*"op_code"')
_FIELD = {
    name: re.compile(rb'"' + name.encode() + rb'"\s*:\s*(-?\d+)')
    for name in ("op_code", "trial_id", "study_id", "step")
}
_TEXT_FIELD = {
    name: re.compile(rb'"' + name.encode() + rb'"\s*:\s*"((?:[^"\\]|\\.)*)"')
    for name in ("param_name", "study_name")
}
_APPLY_ERRORS = (KeyError, TypeError, ValueError, IndexError, AttributeError)


class _Study:
    __slots__ = ("directions", "name", "system_attrs", "trial_ids", "user_attrs")

    def __init__(self, name: str, directions: list[str]) -> None:
        self.name = name
        self.directions = directions
        self.user_attrs: dict[str, Any] = {}
        self.system_attrs: dict[str, Any] = {}
        self.trial_ids: list[int] = []


class _Rows:
    """Rows of one child table as columns: Python lists while records are applied, merged
    into numpy arrays when the tables are built (or a template brings arrays)."""

    def __init__(self, kinds: tuple[Any, ...]) -> None:
        self.kinds = kinds
        self.pending: tuple[list[Any], ...] = tuple([] for _ in kinds)
        self.chunks: list[tuple[np.ndarray, ...]] = []

    def add(self, *values: Any) -> None:
        for column, value in zip(self.pending, values, strict=True):
            column.append(value)

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


def _array(values: list[Any], kind: Any) -> np.ndarray:
    if kind is object:  # element by element: a list value stays one element
        return np.fromiter(values, dtype=object, count=len(values))
    return np.asarray(values, dtype=kind)


@lru_cache(maxsize=4096)
def _compatible(old_json: str, new_json: str) -> bool:
    """Optuna's ``check_distribution_compatibility`` of two stored distributions."""
    if old_json == new_json:
        return True
    from optuna.distributions import check_distribution_compatibility

    from hpo_tui.core.storage.raw import parse_distribution

    try:
        check_distribution_compatibility(parse_distribution(old_json), parse_distribution(new_json))
    except ValueError:
        return False
    return True


def _check_internal(internal: float, dist: str) -> None:
    """Raise where Optuna's ``to_external_repr`` would (a choice index out of range)."""
    kind, choices = _external_kind(dist)
    if kind == "categorical":
        choices[int(internal)]
    elif kind == "int":
        int(internal)


def _checked_distribution(text: Any) -> str:
    """A stored distribution JSON, after checking that it parses (Optuna's replay parses it;
    the common form is read without importing Optuna, see ``raw._external_kind``)."""
    if not isinstance(text, str):
        raise TypeError("distribution is not a JSON text")
    _external_kind(text)
    return text


class JournalReplay:
    """The state of a journal replayed so far; :meth:`feed` appends bytes, :meth:`tables`
    builds the raw tables.

    Args:
        display: How the journal is named in warnings.
        unit: ``"line"`` for a file (warnings name the line and byte offset), ``"log"`` for
            Redis (warnings name the log number, counted from 0 as in its keys).
    """

    def __init__(self, display: str, unit: str = "line") -> None:
        self.display = display
        self.unit = unit
        self.offset = 0  # bytes consumed: up to the end of the last complete line
        self.lines = 0  # lines (or logs) consumed
        self.studies: dict[int, _Study] = {}
        self.next_study_id = 0
        self.trial_study: list[int] = []
        self.trial_number: list[int] = []
        self.trial_state: list[int] = []
        self.trial_start: list[str | None] = []
        self.trial_complete: list[str | None] = []
        self.trial_values: list[list[Any] | None] = []
        self.max_step: list[int | None] = []
        self.params = _Rows((np.int64, object, np.float64, object))
        self.user_attrs = _Rows((np.int64, object, object))
        self.system_attrs = _Rows((np.int64, object, object))
        self.intermediate = _Rows((np.int64, np.int64, np.float64))
        self.repeated_steps = False  # some step reported twice: keep the last one
        self.param_holder: dict[tuple[int, str], tuple[int, str]] = {}
        self.warnings: list[str] = []
        self.touched: set[int] = set()  # trial ids changed since the last take_touched()
        self.studies_changed = False
        self._unknown: dict[int, list[int]] = {}  # op code -> [first line, count]
        self._unknown_reported: set[int] = set()
        self._ops: dict[int, Callable[[dict[str, Any]], None]] = {
            0: self._create_study,
            1: self._delete_study,
            2: self._set_study_user_attr,
            3: self._set_study_system_attr,
            4: self._create_trial,
            5: self._set_param,
            6: self._set_state_values,
            7: self._set_intermediate,
            8: self._set_trial_user_attr,
            9: self._set_trial_system_attr,
        }

    # ----------------------------------------------------------------- reading lines

    def feed(self, data: bytes) -> int:
        """Apply every complete line of ``data`` (the bytes after :attr:`offset`).

        Returns:
            The bytes consumed; a partial last line is left for the next call.
        """
        end = data.rfind(b"\n") + 1
        view = memoryview(data)
        start = 0
        loads, ops = _loads, self._ops
        while start < end:
            stop = data.index(b"\n", start) + 1
            self.lines += 1
            line = view[start : stop - 1]
            op = self._op_of(record := _parsed(loads, line))
            apply = ops.get(op) if op is not None else None
            if apply is not None:
                try:
                    apply(record)
                except _APPLY_ERRORS as exc:
                    self._warn_lost(self.offset + start, record, f"({_reason(exc)})")
            elif op is not None:
                self._note_unknown(op)
            elif bytes(line).strip():
                self._damaged(bytes(line), self.offset + start)
            start = stop
        self.offset += end
        self._report_unknown()
        return end

    def feed_logs(self, logs: Sequence[bytes]) -> None:
        """Apply the logs that follow the :attr:`lines` logs applied so far, one record each
        (an empty or unreadable log is damaged: reported, and the replay goes on)."""
        loads, ops = _loads, self._ops
        for log in logs:
            self.lines += 1
            op = self._op_of(record := _parsed(loads, log))
            apply = ops.get(op) if op is not None else None
            if apply is not None:
                try:
                    apply(record)
                except _APPLY_ERRORS as exc:
                    self._warn_lost(None, record, f"({_reason(exc)})")
            elif op is not None:
                self._note_unknown(op)
            elif log.strip():
                self._damaged(bytes(log), None)
            else:
                self.warnings.append(f"{self._where(None)} is empty: skipped")
        self._report_unknown()

    @staticmethod
    def _op_of(record: Any) -> int | None:
        if type(record) is dict:
            op = record.get("op_code")
            if type(op) is int:
                return op
        return None

    def _damaged(self, line: bytes, offset: int | None) -> None:
        """Apply the intact records of a damaged line; report the rest as lost."""
        records, lost = _split_records(line)
        applied = 0
        for record in records:
            op = self._op_of(record)
            apply = self._ops.get(op) if op is not None else None
            if apply is None:
                if op is not None:
                    self._note_unknown(op)
                continue
            try:
                apply(record)
                applied += 1
            except _APPLY_ERRORS as exc:
                self._warn_lost(offset, record, f"({_reason(exc)})")
        if not lost:
            self.warnings.append(
                f"{self._where(offset)} holds {plural(len(records), 'record')} run together "
                "(a lost line break); all applied"
            )
            return
        for fragment in lost:
            self._lost_fragment(fragment, offset, applied)

    def _lost_fragment(self, fragment: bytes, offset: int | None, applied: int) -> None:
        fields = {name: _field(pattern, fragment) for name, pattern in _FIELD.items()}
        op = fields["op_code"]
        what = self._describe(op, fields, _text_field(fragment, "param_name"))
        if op == 4 and fields["study_id"] in self.studies:
            # Trial ids count every creation: keep the lost trial's place so that the
            # records after it still reach the trials they name.
            what = self._keep_lost_trial(fields["study_id"])
        elif op == 0:
            name = _text_field(fragment, "study_name")
            if name is not None and name not in {s.name for s in self.studies.values()}:
                self.next_study_id += 1  # its id was taken; the study stays unknown
        also = f" ({plural(applied, 'intact record')} on it applied)" if applied else ""
        self.warnings.append(f"{self._where(offset)} is damaged: {what}{also}")

    def _keep_lost_trial(self, study_id: int) -> str:
        study = self.studies[study_id]
        trial_id = len(self.trial_state)
        self._new_trial(study_id, len(study.trial_ids), _LOST, None, None, None)
        study.trial_ids.append(trial_id)
        number = len(study.trial_ids) - 1
        return (
            f"trial {number} of {study.name}: creation lost; it is left out and later "
            "records for it are skipped"
        )

    def _number(self) -> int:
        """The number of the record being applied: lines count from 1, logs from 0."""
        return self.lines - 1 if self.unit == "log" else self.lines

    def _where(self, offset: int | None) -> str:
        if offset is None:
            return f"{self.display}: {self.unit} {self._number()}"
        return f"{self.display}: line {self.lines} (byte {offset})"

    def _warn_lost(self, offset: int | None, record: dict[str, Any], reason: str) -> None:
        fields = {k: record.get(k) for k in _FIELD}
        fields["op_code"] = record.get("op_code")
        what = self._describe(fields["op_code"], fields, record.get("param_name"))
        self.warnings.append(f"{self._where(offset)} cannot be applied {reason}: {what}")

    def _describe(self, op: Any, fields: dict[str, Any], param: Any) -> str:
        """What a record with these fields would have done, in words."""
        study = self.studies.get(fields.get("study_id"))  # type: ignore[arg-type]
        study_text = study.name if study is not None else "a study"
        trial = self._trial_text(fields.get("trial_id"))
        step = fields.get("step")
        return {
            0: "creation of a study lost",
            1: f"deletion of {study_text} lost",
            2: f"user attr of {study_text} lost",
            3: f"system attr of {study_text} lost",
            4: f"creation of a trial of {study_text} lost",
            5: f"{trial}: param {param!r} lost" if param else f"{trial}: param lost",
            6: f"{trial}: state update lost",
            7: f"{trial}: intermediate value"
            + (f" at step {step}" if step is not None else "")
            + " lost",
            8: f"{trial}: user attr lost",
            9: f"{trial}: system attr lost",
        }.get(op, "a record lost (what it did cannot be told)")

    def _trial_text(self, trial_id: Any) -> str:
        if type(trial_id) is int and 0 <= trial_id < len(self.trial_state):
            study = self._study_of(trial_id)
            name = study.name if study is not None else "a deleted study"
            return f"trial {self.trial_number[trial_id]} of {name}"
        return "a trial" if trial_id is None else f"trial id {trial_id}"

    def _study_of(self, trial_id: int) -> _Study | None:
        return self.studies.get(self.trial_study[trial_id])

    def _note_unknown(self, op: int) -> None:
        seen = self._unknown.setdefault(op, [self._number(), 0])
        seen[1] += 1

    def _report_unknown(self) -> None:
        for op, (first, count) in self._unknown.items():
            if op in self._unknown_reported:
                continue
            self._unknown_reported.add(op)
            known = _KNOWN_OTHER_CODES.get(op, "not an Optuna operation")
            self.warnings.append(
                f"{self.display}: op code {op} ({known}) on {plural(count, self.unit)} "
                f"from {self.unit} {first}: skipped"
            )

    # ----------------------------------------------------------------- the operations

    def _create_study(self, record: dict[str, Any]) -> None:
        name = record["study_name"]
        directions = [_DIRECTIONS[d] for d in record["directions"]]
        if not isinstance(name, str) or any(s.name == name for s in self.studies.values()):
            return  # Optuna's replay skips a name that exists
        self.studies[self.next_study_id] = _Study(name, directions)
        self.next_study_id += 1
        self.studies_changed = True

    def _delete_study(self, record: dict[str, Any]) -> None:
        if self.studies.pop(record["study_id"], None) is not None:
            self.studies_changed = True

    def _set_study_user_attr(self, record: dict[str, Any]) -> None:
        study = self.studies.get(record["study_id"])
        if study is not None:
            update = record["user_attr"]
            if len(update) != 1:
                raise ValueError("not one attr")
            study.user_attrs = {**study.user_attrs, **update}
            self.studies_changed = True

    def _set_study_system_attr(self, record: dict[str, Any]) -> None:
        study = self.studies.get(record["study_id"])
        if study is not None:
            update = record["system_attr"]
            if len(update) != 1:
                raise ValueError("not one attr")
            study.system_attrs = {**study.system_attrs, **update}
            self.studies_changed = True

    def _new_trial(
        self,
        study_id: int,
        number: int,
        state: int,
        start: str | None,
        complete: str | None,
        values: list[Any] | None,
    ) -> int:
        trial_id = len(self.trial_state)
        self.trial_study.append(study_id)
        self.trial_number.append(number)
        self.trial_state.append(state)
        self.trial_start.append(start)
        self.trial_complete.append(complete)
        self.trial_values.append(values)
        self.max_step.append(None)
        return trial_id

    def _create_trial(self, record: dict[str, Any]) -> None:
        study = self.studies.get(record["study_id"])
        if study is None:
            return
        # Everything is checked before anything changes: a bad record changes nothing.
        state = record.get("state", _RUNNING)
        if type(state) is not int or not 0 <= state < len(STATE_NAMES):
            raise ValueError(f"unknown trial state {state!r}")
        start = _datetime_text(record["datetime_start"])
        complete = (
            _datetime_text(record["datetime_complete"]) if "datetime_complete" in record else None
        )
        value, values = record.get("value"), record.get("values")
        if value is not None and values is not None:
            raise ValueError("both value and values")
        stored = [value] if value is not None else (list(values) if values is not None else None)
        if stored is not None:
            [float(v) for v in stored]
        distributions = {
            k: _checked_distribution(v) for k, v in record.get("distributions", {}).items()
        }
        params = record.get("params", {})
        param_rows = [(name, float(params[name]), distributions[name]) for name in params]
        for _name, internal, dist in param_rows:
            _check_internal(internal, dist)
        user = record.get("user_attrs", {})
        system = record.get("system_attrs", {})
        if not isinstance(user, dict) or not isinstance(system, dict):
            raise TypeError("attrs are not a mapping")
        reported = record.get("intermediate_values", {})
        steps = np.fromiter(map(int, reported), dtype=np.int64, count=len(reported))
        numbers = np.fromiter(reported.values(), dtype=np.float64, count=len(reported))

        trial_id = self._new_trial(
            record["study_id"], len(study.trial_ids), state, start, complete, stored
        )
        study.trial_ids.append(trial_id)
        number = self.trial_number[trial_id]
        for name, internal, dist in param_rows:
            self.params.add(trial_id, name, internal, dist)
            self._hold_param(record["study_id"], name, number, dist)
        for key, item in user.items():
            self.user_attrs.add(trial_id, key, item)
        for key, item in system.items():
            self.system_attrs.add(trial_id, key, item)
        if len(steps):
            self.intermediate.add_arrays(np.full(len(steps), trial_id), steps, numbers)
            self.max_step[trial_id] = int(steps.max())
        self.touched.add(trial_id)

    def _hold_param(self, study_id: int, name: str, number: int, dist: str) -> None:
        """Remember the distribution of the study's earliest trial having the param."""
        held = self.param_holder.get((study_id, name))
        if held is None or number < held[0]:
            self.param_holder[(study_id, name)] = (number, dist)

    def _updatable(self, trial_id: Any) -> bool:
        """Optuna applies an update only to a trial that exists and has not finished."""
        if type(trial_id) is not int or not 0 <= trial_id < len(self.trial_state):
            return False
        state = self.trial_state[trial_id]
        return state != _LOST and not _FINISHED[state]

    def _set_param(self, record: dict[str, Any]) -> None:
        trial_id = record["trial_id"]
        if not self._updatable(trial_id):
            return
        name = record["param_name"]
        internal = float(record["param_value_internal"])
        dist = _checked_distribution(record["distribution"])
        study_id = self.trial_study[trial_id]
        held = self.param_holder.get((study_id, name))
        if held is not None and not _compatible(held[1], dist):
            return  # Optuna's replay skips a distribution that conflicts with the study's
        _check_internal(internal, dist)
        self.params.add(trial_id, name, internal, dist)
        self._hold_param(study_id, name, self.trial_number[trial_id], dist)
        self.touched.add(trial_id)

    def _set_state_values(self, record: dict[str, Any]) -> None:
        trial_id = record["trial_id"]
        if not self._updatable(trial_id):
            return
        state = record["state"]
        if type(state) is not int or not 0 <= state < len(STATE_NAMES):
            raise ValueError(f"unknown trial state {state!r}")
        if state == _RUNNING and self.trial_state[trial_id] == _RUNNING:
            return  # another worker popped this trial first
        values = record["values"]
        if values is not None:
            values = list(values)
            [float(v) for v in values]
        start = _datetime_text(record["datetime_start"]) if state == _RUNNING else None
        complete = _datetime_text(record["datetime_complete"]) if _FINISHED[state] else None
        if state == _RUNNING:
            self.trial_start[trial_id] = start
        if _FINISHED[state]:
            self.trial_complete[trial_id] = complete
        self.trial_state[trial_id] = state
        if values is not None:
            self.trial_values[trial_id] = values
        self.touched.add(trial_id)

    def _set_intermediate(self, record: dict[str, Any]) -> None:
        trial_id = record["trial_id"]
        if not self._updatable(trial_id):
            return
        step = record["step"]
        value = float(record["intermediate_value"])
        if type(step) is not int:
            raise TypeError(f"step {step!r} is not an integer")
        highest = self.max_step[trial_id]
        if highest is not None and step <= highest:
            self.repeated_steps = True
        if highest is None or step > highest:
            self.max_step[trial_id] = step
        self.intermediate.add(trial_id, step, value)
        self.touched.add(trial_id)

    def _set_trial_user_attr(self, record: dict[str, Any]) -> None:
        self._set_attr(record, "user_attr", self.user_attrs)

    def _set_trial_system_attr(self, record: dict[str, Any]) -> None:
        self._set_attr(record, "system_attr", self.system_attrs)

    def _set_attr(self, record: dict[str, Any], field: str, rows: _Rows) -> None:
        trial_id = record["trial_id"]
        if not self._updatable(trial_id):
            return
        update = record[field]
        if len(update) != 1:
            raise ValueError("not one attr")
        for key, item in update.items():
            rows.add(trial_id, key, item)
        self.touched.add(trial_id)

    # ----------------------------------------------------------------- the tables

    def take_touched(self) -> tuple[set[int], bool]:
        """The trial ids changed, and whether the studies changed, since the last call."""
        touched, studies = self.touched, self.studies_changed
        self.touched, self.studies_changed = set(), False
        return touched, studies

    def tables(self, only: set[int] | None = None) -> RawTables:
        """The raw tables of the live studies (``only``: of these trial ids)."""
        studies = frame(
            [
                (sid, s.name, list(s.directions), dict(s.user_attrs), dict(s.system_attrs))
                for sid, s in self.studies.items()
            ],
            STUDY_COLUMNS,
        )
        wanted = [tid for s in self.studies.values() for tid in s.trial_ids]
        if only is not None:
            wanted = [tid for tid in wanted if tid in only]
        wanted = [tid for tid in wanted if self.trial_state[tid] != _LOST]
        wanted.sort()
        ids = np.asarray(wanted, dtype=np.int64)
        trials = self._trial_frame(wanted)
        value_rows = [
            (tid, objective, float(v))
            for tid in wanted
            if (stored := self.trial_values[tid]) is not None
            for objective, v in enumerate(stored)
        ]
        return RawTables(
            studies=studies,
            trials=trials,
            values=frame(value_rows, VALUE_COLUMNS),
            params=self._params_frame(ids),
            trial_user_attrs=self._attr_frame(self.user_attrs, ids),
            trial_system_attrs=self._attr_frame(self.system_attrs, ids),
            intermediate=self._intermediate_frame(ids),
        )

    def _trial_frame(self, wanted: list[int]) -> pd.DataFrame:
        if not wanted:
            return frame([], TRIAL_COLUMNS).assign(
                datetime_start=pd.Series([], dtype="datetime64[ns, UTC]"),
                datetime_complete=pd.Series([], dtype="datetime64[ns, UTC]"),
            )
        trials = pd.DataFrame(
            {
                "trial_id": np.asarray(wanted, dtype=np.int64),
                "study_id": np.asarray([self.trial_study[t] for t in wanted], dtype=np.int64),
                "number": np.asarray([self.trial_number[t] for t in wanted], dtype=np.int64),
                "state": _object([STATE_NAMES[self.trial_state[t]] for t in wanted]),
                "datetime_start": _utc([self.trial_start[t] for t in wanted]),
                "datetime_complete": _utc([self.trial_complete[t] for t in wanted]),
            }
        )
        return trials

    def _params_frame(self, ids: np.ndarray) -> pd.DataFrame:
        trial, name, internal, dist = self.params.arrays()
        keep = np.isin(trial, ids)
        if not keep.any():
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

    @staticmethod
    def _attr_frame(store: _Rows, ids: np.ndarray) -> pd.DataFrame:
        trial, key, value = store.arrays()
        keep = np.isin(trial, ids)
        if not keep.any():
            return frame([], ATTR_COLUMNS)
        rows = pd.DataFrame({"trial_id": trial[keep], "key": key[keep], "value": value[keep]})
        return _last_per_key(rows, ["trial_id", "key"])

    def _intermediate_frame(self, ids: np.ndarray) -> pd.DataFrame:
        trial, step, value = self.intermediate.arrays()
        keep = np.isin(trial, ids)
        if not keep.any():
            return frame([], INTERMEDIATE_COLUMNS)
        rows = pd.DataFrame({"trial_id": trial[keep], "step": step[keep], "value": value[keep]})
        if self.repeated_steps:
            rows = rows.drop_duplicates(["trial_id", "step"], keep="last")
        return rows.sort_values("trial_id", kind="stable").reset_index(drop=True)


def _last_per_key(rows: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """One row per key, in the order keys first appeared, with the last value set (a dict's
    update), grouped by trial."""
    first = rows.groupby(key, sort=False).ngroup().to_numpy()
    last = rows.assign(_first=first).drop_duplicates(key, keep="last")
    last = last.sort_values(["trial_id", "_first"], kind="stable")
    return last.drop(columns="_first").reset_index(drop=True)


def _parsed(loads: Callable[[Any], Any], line: bytes | memoryview) -> Any:
    """The JSON value of a line, or None when it does not parse."""
    try:
        return loads(line)
    except ValueError:
        return None


def _object(values: list[Any]) -> np.ndarray:
    return np.fromiter(values, dtype=object, count=len(values))


def _datetime_text(value: Any) -> str | None:
    """A stored datetime, checked the way Optuna's replay parses it."""
    if value is None:
        return None
    from datetime import datetime

    datetime.fromisoformat(value)
    return str(value)


def _utc(texts: list[str | None]) -> pd.Series:
    """ISO datetimes as UTC: with an offset (Optuna 5) as written, naive ones (Optuna < 5)
    as local time, as Optuna's replay reads them."""
    from hpo_tui.core.storage.raw import to_utc

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


def _reason(exc: BaseException) -> str:
    text = str(exc).strip("'\"")
    if isinstance(exc, KeyError):
        return f"no field {text!r}"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _field(pattern: re.Pattern[bytes], fragment: bytes) -> int | None:
    found = pattern.search(fragment)
    return int(found.group(1)) if found else None


def _text_field(fragment: bytes, name: str) -> str | None:
    found = _TEXT_FIELD[name].search(fragment)
    if not found:
        return None
    try:
        return str(json.loads(b'"' + found.group(1) + b'"'))
    except ValueError:
        return None


def _split_records(line: bytes) -> tuple[list[dict[str, Any]], list[bytes]]:
    """The whole records in a damaged line, and the fragments around them that are not.

    A record starts at ``{"op_code"``; it is whole when the bytes from there to the next
    such start (or to the line's end) parse as one JSON object.
    """
    starts = [m.start() for m in _RECORD_START.finditer(line)] + [len(line)]
    records: list[dict[str, Any]] = []
    lost: list[bytes] = []
    covered = 0
    for index, start in enumerate(starts[:-1]):
        if start < covered:
            continue
        for end in starts[index + 1 :]:
            try:
                record = _loads(line[start:end].strip())
            except ValueError:
                continue
            if type(record) is dict:
                if line[covered:start].strip():
                    lost.append(line[covered:start])
                records.append(record)
                covered = end
                break
    if line[covered:].strip():
        lost.append(line[covered:])
    return records, lost
