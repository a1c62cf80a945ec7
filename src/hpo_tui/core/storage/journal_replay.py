"""Replay of Optuna JournalStorage records into :class:`RawTables`, without Optuna objects.

The journal is an op log, one JSON record a line (``optuna/storages/journal/_storage.py``).
This replays it the way Optuna 5's ``JournalStorageReplayResult`` does, as seen by a reader
that issued none of the records: a record that Optuna's replay skips (a duplicate study name,
an update of a finished or unknown trial, a param whose distribution conflicts with the one
the study already has) is skipped here too. Records are decoded and checked by
:mod:`.journal_records`; what they change is kept as columns and turned into tables by
:mod:`.journal_columns`.

Damaged records (optuna/optuna#5138: NFS can tear or run lines together) do not stop the
replay: every intact record of a damaged line is applied and what was lost is reported with
the line number and byte offset. Unknown op codes are skipped with one warning per code.

A journal file is fed as bytes (:meth:`JournalReplay.feed`), a journal in Redis as its logs,
one record each (:meth:`JournalReplay.feed_logs`): warnings then name the log number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hpo_tui.core.display import plural
from hpo_tui.core.storage.journal_columns import (
    LOST,
    STATE_NAMES,
    Rows,
    Study,
    TrialColumns,
    build_tables,
)
from hpo_tui.core.storage.journal_records import (
    APPLY_ERRORS,
    DIRECTIONS,
    FIELDS,
    KNOWN_OTHER_CODES,
    check_internal,
    checked_distribution,
    compatible,
    datetime_text,
    int_field,
    op_of,
    parsed,
    reason,
    split_records,
    text_field,
)
from hpo_tui.core.storage.raw import FloatLists, RawTables, is_float_list

_FINISHED = (False, True, True, True, False)  # by TrialState value (see STATE_NAMES)
_RUNNING = 0


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
        self.studies: dict[int, Study] = {}
        self.next_study_id = 0
        self.trials = TrialColumns()
        self.param_holder: dict[tuple[int, str], tuple[int, str]] = {}
        self.warnings: list[str] = []
        self.touched: set[int] = set()  # trial ids changed since the last take_touched()
        self.studies_changed = False
        self._unknown: dict[int, list[int]] = {}  # op code -> [first line, count]
        self._unknown_reported: set[int] = set()
        self._step_texts: dict[str, int] = {}
        self._float_lists = FloatLists()
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
        ops = self._ops
        while start < end:
            stop = data.index(b"\n", start) + 1
            self.lines += 1
            line = view[start : stop - 1]
            op = op_of(record := parsed(line))
            apply = ops.get(op) if op is not None else None
            if apply is not None:
                try:
                    apply(record)
                except APPLY_ERRORS as exc:
                    self._warn_lost(self.offset + start, record, f"({reason(exc)})")
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
        ops = self._ops
        for log in logs:
            self.lines += 1
            op = op_of(record := parsed(log))
            apply = ops.get(op) if op is not None else None
            if apply is not None:
                try:
                    apply(record)
                except APPLY_ERRORS as exc:
                    self._warn_lost(None, record, f"({reason(exc)})")
            elif op is not None:
                self._note_unknown(op)
            elif log.strip():
                self._damaged(bytes(log), None)
            else:
                self.warnings.append(f"{self._where(None)} is empty: skipped")
        self._report_unknown()

    def _damaged(self, line: bytes, offset: int | None) -> None:
        """Apply the intact records of a damaged line; report the rest as lost."""
        records, lost = split_records(line)
        applied = 0
        for record in records:
            op = op_of(record)
            apply = self._ops.get(op) if op is not None else None
            if apply is None:
                if op is not None:
                    self._note_unknown(op)
                continue
            try:
                apply(record)
                applied += 1
            except APPLY_ERRORS as exc:
                self._warn_lost(offset, record, f"({reason(exc)})")
        if not lost:
            self.warnings.append(
                f"{self._where(offset)} holds {plural(len(records), 'record')} run together "
                "(a lost line break); all applied"
            )
            return
        for fragment in lost:
            self._lost_fragment(fragment, offset, applied)

    def _lost_fragment(self, fragment: bytes, offset: int | None, applied: int) -> None:
        fields = {name: int_field(name, fragment) for name in FIELDS}
        op = fields["op_code"]
        what = self._describe(op, fields, text_field(fragment, "param_name"))
        if op == 4 and fields["study_id"] in self.studies:
            # Trial ids count every creation: keep the lost trial's place so that the
            # records after it still reach the trials they name.
            what = self._keep_lost_trial(fields["study_id"])
        elif op == 0:
            name = text_field(fragment, "study_name")
            if name is not None and name not in {s.name for s in self.studies.values()}:
                self.next_study_id += 1  # its id was taken; the study stays unknown
        also = f" ({plural(applied, 'intact record')} on it applied)" if applied else ""
        self.warnings.append(f"{self._where(offset)} is damaged: {what}{also}")

    def _keep_lost_trial(self, study_id: int) -> str:
        study = self.studies[study_id]
        trial_id = len(self.trials)
        self.trials.add(study_id, len(study.trial_ids), LOST, None, None, None)
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
        fields = {k: record.get(k) for k in FIELDS}
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
        if type(trial_id) is int and 0 <= trial_id < len(self.trials):
            study = self._study_of(trial_id)
            name = study.name if study is not None else "a deleted study"
            return f"trial {self.trials.number[trial_id]} of {name}"
        return "a trial" if trial_id is None else f"trial id {trial_id}"

    def _study_of(self, trial_id: int) -> Study | None:
        return self.studies.get(self.trials.study[trial_id])

    def _note_unknown(self, op: int) -> None:
        seen = self._unknown.setdefault(op, [self._number(), 0])
        seen[1] += 1

    def _report_unknown(self) -> None:
        for op, (first, count) in self._unknown.items():
            if op in self._unknown_reported:
                continue
            self._unknown_reported.add(op)
            known = KNOWN_OTHER_CODES.get(op, "not an Optuna operation")
            self.warnings.append(
                f"{self.display}: op code {op} ({known}) on {plural(count, self.unit)} "
                f"from {self.unit} {first}: skipped"
            )

    # ----------------------------------------------------------------- the operations

    def _create_study(self, record: dict[str, Any]) -> None:
        name = record["study_name"]
        directions = [DIRECTIONS[d] for d in record["directions"]]
        if not isinstance(name, str) or any(s.name == name for s in self.studies.values()):
            return  # Optuna's replay skips a name that exists
        self.studies[self.next_study_id] = Study(name, directions)
        self.next_study_id += 1
        self.studies_changed = True

    def _delete_study(self, record: dict[str, Any]) -> None:
        if self.studies.pop(record["study_id"], None) is not None:
            self.studies_changed = True

    def _set_study_user_attr(self, record: dict[str, Any]) -> None:
        self._set_study_attr(record, "user_attr", "user_attrs")

    def _set_study_system_attr(self, record: dict[str, Any]) -> None:
        self._set_study_attr(record, "system_attr", "system_attrs")

    def _set_study_attr(self, record: dict[str, Any], field: str, attrs: str) -> None:
        """The one attr of ``record[field]`` merged into the study's ``attrs``: the dict is
        replaced, never changed in place."""
        study = self.studies.get(record["study_id"])
        if study is not None:
            update = record[field]
            if len(update) != 1:
                raise ValueError("not one attr")
            setattr(study, attrs, {**getattr(study, attrs), **update})
            self.studies_changed = True

    def _create_trial(self, record: dict[str, Any]) -> None:
        study = self.studies.get(record["study_id"])
        if study is None:
            return
        # Everything is checked before anything changes: a bad record changes nothing.
        state = record.get("state", _RUNNING)
        if type(state) is not int or not 0 <= state < len(STATE_NAMES):
            raise ValueError(f"unknown trial state {state!r}")
        start = datetime_text(record["datetime_start"])
        complete = (
            datetime_text(record["datetime_complete"]) if "datetime_complete" in record else None
        )
        value, values = record.get("value"), record.get("values")
        if value is not None and values is not None:
            raise ValueError("both value and values")
        stored = [value] if value is not None else (list(values) if values is not None else None)
        if stored is not None:
            [float(v) for v in stored]
        distributions = {
            k: checked_distribution(v) for k, v in record.get("distributions", {}).items()
        }
        params = record.get("params", {})
        param_rows = [(name, float(params[name]), distributions[name]) for name in params]
        for _name, internal, dist in param_rows:
            check_internal(internal, dist)
        user = record.get("user_attrs", {})
        system = record.get("system_attrs", {})
        if not isinstance(user, dict) or not isinstance(system, dict):
            raise TypeError("attrs are not a mapping")
        reported = record.get("intermediate_values", {})
        steps = self._steps_of(reported)
        numbers = [float(v) for v in reported.values()]

        trial_id = self.trials.add(
            record["study_id"], len(study.trial_ids), state, start, complete, stored
        )
        study.trial_ids.append(trial_id)
        number = self.trials.number[trial_id]
        for name, internal, dist in param_rows:
            self.trials.params.add(trial_id, name, internal, dist)
            self._hold_param(record["study_id"], name, number, dist)
        self._add_attrs(self.trials.user_attrs, trial_id, user)
        self._add_attrs(self.trials.system_attrs, trial_id, system)
        if steps:
            self.trials.intermediate.extend(trial_id, steps, numbers, len(steps))
            self.trials.max_step[trial_id] = max(steps)
        self.touched.add(trial_id)

    def _steps_of(self, reported: dict[str, Any]) -> list[int]:
        """The steps of a template's ``intermediate_values`` (JSON keys: texts), each text
        converted once per replay (``int``, as Optuna's replay does)."""
        known = self._step_texts
        try:
            return [known[text] for text in reported]
        except KeyError:
            for text in reported:
                if text not in known:
                    known[text] = int(text)
            return [known[text] for text in reported]

    def _add_attrs(self, rows: Rows, trial_id: int, attrs: dict[str, Any]) -> None:
        """The attrs of a trial; float lists (curves) kept as arrays (see ``FloatLists``)."""
        if attrs:
            lists = self._float_lists
            values = [lists.add(v) if is_float_list(v) else v for v in attrs.values()]
            rows.extend(trial_id, attrs.keys(), values, len(values))

    def _hold_param(self, study_id: int, name: str, number: int, dist: str) -> None:
        """Remember the distribution of the study's earliest trial having the param."""
        held = self.param_holder.get((study_id, name))
        if held is None or number < held[0]:
            self.param_holder[(study_id, name)] = (number, dist)

    def _updatable(self, trial_id: Any) -> bool:
        """Optuna applies an update only to a trial that exists and has not finished."""
        if type(trial_id) is not int or not 0 <= trial_id < len(self.trials):
            return False
        state = self.trials.state[trial_id]
        return state != LOST and not _FINISHED[state]

    def _set_param(self, record: dict[str, Any]) -> None:
        trial_id = record["trial_id"]
        if not self._updatable(trial_id):
            return
        name = record["param_name"]
        internal = float(record["param_value_internal"])
        dist = checked_distribution(record["distribution"])
        study_id = self.trials.study[trial_id]
        held = self.param_holder.get((study_id, name))
        if held is not None and not compatible(held[1], dist):
            return  # Optuna's replay skips a distribution that conflicts with the study's
        check_internal(internal, dist)
        self.trials.params.add(trial_id, name, internal, dist)
        self._hold_param(study_id, name, self.trials.number[trial_id], dist)
        self.touched.add(trial_id)

    def _set_state_values(self, record: dict[str, Any]) -> None:
        trial_id = record["trial_id"]
        if not self._updatable(trial_id):
            return
        state = record["state"]
        if type(state) is not int or not 0 <= state < len(STATE_NAMES):
            raise ValueError(f"unknown trial state {state!r}")
        if state == _RUNNING and self.trials.state[trial_id] == _RUNNING:
            return  # another worker popped this trial first
        values = record["values"]
        if values is not None:
            values = list(values)
            [float(v) for v in values]
        start = datetime_text(record["datetime_start"]) if state == _RUNNING else None
        complete = datetime_text(record["datetime_complete"]) if _FINISHED[state] else None
        if state == _RUNNING:
            self.trials.start[trial_id] = start
        if _FINISHED[state]:
            self.trials.complete[trial_id] = complete
        self.trials.state[trial_id] = state
        if values is not None:
            self.trials.values[trial_id] = values
        self.touched.add(trial_id)

    def _set_intermediate(self, record: dict[str, Any]) -> None:
        trial_id = record["trial_id"]
        if not self._updatable(trial_id):
            return
        step = record["step"]
        value = float(record["intermediate_value"])
        if type(step) is not int:
            raise TypeError(f"step {step!r} is not an integer")
        highest = self.trials.max_step[trial_id]
        if highest is not None and step <= highest:
            self.trials.repeated_steps = True
        if highest is None or step > highest:
            self.trials.max_step[trial_id] = step
        self.trials.intermediate.add(trial_id, step, value)
        self.touched.add(trial_id)

    def _set_trial_user_attr(self, record: dict[str, Any]) -> None:
        self._set_attr(record, "user_attr", self.trials.user_attrs)

    def _set_trial_system_attr(self, record: dict[str, Any]) -> None:
        self._set_attr(record, "system_attr", self.trials.system_attrs)

    def _set_attr(self, record: dict[str, Any], field: str, rows: Rows) -> None:
        trial_id = record["trial_id"]
        if not self._updatable(trial_id):
            return
        update = record[field]
        if len(update) != 1:
            raise ValueError("not one attr")
        self._add_attrs(rows, trial_id, update)
        self.touched.add(trial_id)

    # ----------------------------------------------------------------- the tables

    def take_touched(self) -> tuple[set[int], bool]:
        """The trial ids changed, and whether the studies changed, since the last call."""
        touched, studies = self.touched, self.studies_changed
        self.touched, self.studies_changed = set(), False
        return touched, studies

    def tables(self, only: set[int] | None = None) -> RawTables:
        """The raw tables of the live studies (``only``: of these trial ids)."""
        return build_tables(self.studies, self.trials, only)
