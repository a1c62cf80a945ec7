"""Journal records decoded and checked, one at a time: the JSON of a line, the intact records
of a damaged line, and the checks Optuna's replay makes on a record's fields before it
changes anything (datetimes, distributions, param values)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from hpo_tui.core.storage.raw import _external_kind

try:
    import orjson

    def loads(data: bytes | memoryview) -> Any:
        """The JSON value of ``data`` (raises ``ValueError``)."""
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:  # NaN/Infinity tokens, huge ints: Python's json
            return json.loads(bytes(data))

except ImportError:  # pragma: no cover - the ``fast`` extra is not installed

    def loads(data: bytes | memoryview) -> Any:
        """The JSON value of ``data`` (raises ``ValueError``)."""
        return json.loads(bytes(data))


# Errors a record with a missing or malformed field raises while it is applied.
APPLY_ERRORS = (KeyError, TypeError, ValueError, IndexError, AttributeError)
DIRECTIONS = ("NOT_SET", "MINIMIZE", "MAXIMIZE")
KNOWN_OTHER_CODES = {10: "DISCARD_TRIALS, written by Rustuna; Optuna skips it too"}

_RECORD_START = re.compile(rb'\{\s*"op_code"')
# The integer fields of a record, found in a fragment too damaged to parse.
FIELDS = {
    name: re.compile(rb'"' + name.encode() + rb'"\s*:\s*(-?\d+)')
    for name in ("op_code", "trial_id", "study_id", "step")
}
_TEXT_FIELDS = {
    name: re.compile(rb'"' + name.encode() + rb'"\s*:\s*"((?:[^"\\]|\\.)*)"')
    for name in ("param_name", "study_name")
}


def parsed(line: bytes | memoryview) -> Any:
    """The JSON value of a line, or None when it does not parse."""
    try:
        return loads(line)
    except ValueError:
        return None


def op_of(record: Any) -> int | None:
    """The op code of a record, or None when it is not a record."""
    if type(record) is dict:
        op = record.get("op_code")
        if type(op) is int:
            return op
    return None


def split_records(line: bytes) -> tuple[list[dict[str, Any]], list[bytes]]:
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
                record = loads(line[start:end].strip())
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


def int_field(name: str, fragment: bytes) -> int | None:
    """An integer field (one of :data:`FIELDS`) of a damaged fragment, if it is readable."""
    found = FIELDS[name].search(fragment)
    return int(found.group(1)) if found else None


def text_field(fragment: bytes, name: str) -> str | None:
    """A text field (``param_name``, ``study_name``) of a damaged fragment, if readable."""
    found = _TEXT_FIELDS[name].search(fragment)
    if not found:
        return None
    try:
        return str(json.loads(b'"' + found.group(1) + b'"'))
    except ValueError:
        return None


def reason(exc: BaseException) -> str:
    """Why a record could not be applied, in a few words."""
    text = str(exc).strip("'\"")
    if isinstance(exc, KeyError):
        return f"no field {text!r}"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def datetime_text(value: Any) -> str | None:
    """A stored datetime, checked the way Optuna's replay parses it."""
    if value is None:
        return None
    from datetime import datetime

    datetime.fromisoformat(value)
    return str(value)


@lru_cache(maxsize=4096)
def compatible(old_json: str, new_json: str) -> bool:
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


def check_internal(internal: float, dist: str) -> None:
    """Raise where Optuna's ``to_external_repr`` would (a choice index out of range)."""
    kind, choices = _external_kind(dist)
    if kind == "categorical":
        choices[int(internal)]
    elif kind == "int":
        int(internal)


def checked_distribution(text: Any) -> str:
    """A stored distribution JSON, after checking that it parses (Optuna's replay parses it;
    the common form is read without importing Optuna, see ``raw._external_kind``)."""
    if not isinstance(text, str):
        raise TypeError("distribution is not a JSON text")
    _external_kind(text)
    return text
