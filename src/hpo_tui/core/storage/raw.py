"""The storage-neutral tables every reader produces (one set per source).

Readers differ (bulk SQL, journal replay, Optuna's API); what they return is the same:

- ``studies``: study_id, study_name, directions (list of ``"MINIMIZE"``/``"MAXIMIZE"``),
  user_attrs (dict), system_attrs (dict)
- ``trials``: trial_id, study_id, number, state (``"COMPLETE"``, ...), datetime_start,
  datetime_complete (``datetime64[ns, UTC]``, NaT when unset)
- ``values``: trial_id, objective, value (float; ±inf kept)
- ``params``: trial_id, param_name, value (external representation), distribution_json
- ``trial_user_attrs`` / ``trial_system_attrs``: trial_id, key, value (decoded JSON; a flat
  list of plain numbers may instead be an :class:`EncodedList`, its JSON text, which the
  campaign parses in bulk and decodes on demand)
- ``intermediate``: trial_id, step, value (float; NaN and ±inf kept)
- ``heartbeats``: trial_id, heartbeat (``datetime64[ns, UTC]``): the last heartbeat of each
  trial that recorded one (RDB storages opened with ``heartbeat_interval``; Optuna's
  JournalStorage and gRPC proxy record none, so their readers leave it empty)

``trial_id`` and ``study_id`` are the storage's own ids, unique within one source only.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

STUDY_COLUMNS = ["study_id", "study_name", "directions", "user_attrs", "system_attrs"]
TRIAL_COLUMNS = ["trial_id", "study_id", "number", "state", "datetime_start", "datetime_complete"]
VALUE_COLUMNS = ["trial_id", "objective", "value"]
PARAM_COLUMNS = ["trial_id", "param_name", "value", "distribution_json"]
ATTR_COLUMNS = ["trial_id", "key", "value"]
INTERMEDIATE_COLUMNS = ["trial_id", "step", "value"]
HEARTBEAT_COLUMNS = ["trial_id", "heartbeat"]


# One JSON number as Python's json.dumps writes it, NaN and ±Infinity included (RE2 syntax).
_JSON_NUMBER = r"(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|NaN|-?Infinity)"
NUMERIC_LIST_PATTERN = rf"^\[{_JSON_NUMBER}(?:, {_JSON_NUMBER})*\]$"
_INT_TOKEN = r"(?:^\[|, )-?[0-9]+(?:, |\]$)"
_DECODE_SLICE = 4096  # texts per slice when number lists are parsed


class EncodedList:
    """A stored attr that is a non-empty flat JSON list of numbers, kept as its text.

    Learning curves stored as user attrs are millions of numbers: decoding each into a Python
    float is the slowest part of a load. Readers parse all such texts in one columnar pass
    (:func:`decode_attr_texts`); ``numbers`` holds the floats (exactly what ``json.loads``
    gives, as float64) and :meth:`decode` the value itself (ints stay ints).

    The lists read together share a :class:`_ListTexts`: their texts stay in one Arrow array
    until one is asked for (a load never asks), and whether a text holds an integer token
    (then ``json.loads`` gives ints there) is found for all of them in one pass on first use.
    """

    __slots__ = ("_batch", "_index", "_text", "numbers")

    def __init__(
        self,
        text: str | None,
        numbers: np.ndarray,
        batch: _ListTexts | FloatLists,
        index: int,
    ) -> None:
        self._text = text  # None: taken from the batch when asked for
        self.numbers = numbers
        self._batch = batch
        self._index = index

    @property
    def text(self) -> str:
        """The stored JSON text."""
        if self._text is None:
            self._text = self._batch.text(self._index)
        return self._text

    @property
    def has_ints(self) -> bool:
        """Whether some number in the text is written as an integer."""
        return self._batch.has_ints(self._index)

    def decode(self) -> Any:
        """The value as Optuna would return it (a list of int/float)."""
        if not self.has_ints:  # every token a float: the parsed numbers are the values
            return self.numbers.tolist()
        return json.loads(self.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EncodedList) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return self.text


class _ListTexts:
    """The texts of a batch of number lists, as one Arrow string array; which of them hold an
    integer token is found for all by one RE2 pass the first time one is asked (thread-safe:
    a race computes it twice)."""

    __slots__ = ("_array", "_mask")

    def __init__(self, array: Any) -> None:
        self._array = array
        self._mask: list[bool] | None = None

    def text(self, index: int) -> str:
        return str(self._array[index].as_py())

    def has_ints(self, index: int) -> bool:
        mask = self._mask
        if mask is None:
            import pyarrow.compute as pc

            found = pc.match_substring_regex(self._array, _INT_TOKEN)
            mask = np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool).tolist()
            self._mask = mask
        return mask[index]


class FloatLists:
    """Number lists a reader decoded itself (a journal's JSON), every item a float: their
    numbers are the values, and a text is made (``json.dumps``, as Optuna stores it) only when
    one is asked for. One per reader; it holds the lists' arrays."""

    __slots__ = ("_arrays",)

    def __init__(self) -> None:
        self._arrays: list[np.ndarray] = []

    def add(self, items: list[float]) -> EncodedList:
        """The :class:`EncodedList` of ``items`` (a non-empty list of floats)."""
        numbers = np.array(items, dtype=np.float64)
        self._arrays.append(numbers)
        return EncodedList(None, numbers, self, len(self._arrays) - 1)

    def text(self, index: int) -> str:
        return json.dumps(self._arrays[index].tolist())

    def has_ints(self, index: int) -> bool:
        return False


_FLOAT_ONLY = {float}


def is_float_list(value: Any) -> bool:
    """Whether ``value`` is a non-empty list of floats only (a curve, as Optuna stores it)."""
    return type(value) is list and bool(value) and set(map(type, value)) == _FLOAT_ONLY


def decoded(value: Any) -> Any:
    """``value`` with an :class:`EncodedList` decoded."""
    return value.decode() if isinstance(value, EncodedList) else value


def decode_attr_texts(texts: list[str] | None, array: Any = None) -> list[Any]:
    """Decode stored attr JSON texts; number lists become :class:`EncodedList`.

    The number lists (as ``json.dumps`` writes them: ``", "`` separators) are recognised by
    one RE2 pass over all texts and parsed by Arrow's string-to-double cast, which rounds
    exactly like ``float()`` and accepts ``NaN``/``Infinity``: one columnar pass instead of a
    Python float per number. Their texts are not made Python strings (see
    :class:`EncodedList`).

    Args:
        texts: The stored texts, or None when ``array`` holds them.
        array: The same texts as an Arrow string array, when the reader has one.

    Raises:
        ValueError: on a text that is not valid JSON.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if array is None:
        if not texts:
            return []
        array = pa.array(texts, type=pa.large_string())
    if not len(array):
        return []
    mask = np.asarray(
        pc.match_substring_regex(array, NUMERIC_LIST_PATTERN).to_numpy(zero_copy_only=False),
        dtype=bool,
    )
    lists = np.flatnonzero(mask)
    values: list[Any] = [None] * len(array)
    if len(lists):
        texts_of_lists = array if len(lists) == len(array) else array.take(lists)
        # In slices: the stripped and split texts are temporaries as large as the texts;
        # slice by slice, Arrow's allocator reuses their memory instead of asking for more.
        chunks, counts = [], []
        for start in range(0, len(texts_of_lists), _DECODE_SLICE):
            piece = texts_of_lists.slice(start, _DECODE_SLICE)
            parts = pc.split_pattern(pc.utf8_slice_codeunits(piece, 1, -1), ", ")
            chunks.append(pc.cast(pc.list_flatten(parts), pa.float64()))
            counts.append(pc.list_value_length(parts).to_numpy(zero_copy_only=False))
            del parts
        numbers = np.concatenate(
            [np.asarray(chunk.to_numpy(zero_copy_only=False), dtype=float) for chunk in chunks]
        )
        ends = np.cumsum(np.concatenate(counts)).tolist()
        batch = _ListTexts(texts_of_lists)
        begin = 0
        for index, (row, end) in enumerate(zip(lists.tolist(), ends, strict=True)):
            text = texts[row] if texts is not None else None
            values[row] = EncodedList(text, numbers[begin:end], batch, index)
            begin = end
    others = np.flatnonzero(~mask)
    if len(others):
        other_texts = (
            [texts[row] for row in others.tolist()]
            if texts is not None
            else array.take(others).to_pylist()
        )
        for row, text in zip(others.tolist(), other_texts, strict=True):
            values[row] = json.loads(text)
    return values


@dataclass
class RawTables:
    """Everything one source holds, as DataFrames (see the module docstring)."""

    studies: pd.DataFrame
    trials: pd.DataFrame
    values: pd.DataFrame
    params: pd.DataFrame
    trial_user_attrs: pd.DataFrame
    trial_system_attrs: pd.DataFrame
    intermediate: pd.DataFrame
    heartbeats: pd.DataFrame = field(default_factory=lambda: no_heartbeats())


def no_heartbeats() -> pd.DataFrame:
    """An empty ``heartbeats`` table (storages that record none)."""
    return pd.DataFrame(
        {
            "trial_id": pd.Series([], dtype=np.int64),
            "heartbeat": pd.Series([], dtype="datetime64[ns, UTC]"),
        }
    )


def frame(
    rows: Iterable[tuple[Any, ...]] | list[Any],
    columns: list[str],
    object_columns: tuple[str, ...] = (),
) -> pd.DataFrame:
    """A DataFrame from row tuples, with the given columns even when there are no rows.

    ``object_columns`` keep each value's own Python type: a column of stored values (params,
    attrs) that happen to be all numbers would otherwise become float64, ``64`` → ``64.0``.
    """
    rows = list(rows)
    if not rows:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    result = pd.DataFrame.from_records(rows, columns=columns)
    for column in object_columns:
        position = columns.index(column)
        values = np.empty(len(rows), dtype=object)
        for row, record in enumerate(rows):  # element by element: lists stay list objects
            values[row] = record[position]
        result[column] = values
    return result


def decode_json(text: str) -> Any:
    """Decode a stored attr the way Optuna does (Python's json: ``NaN``/``Infinity`` accepted)."""
    return json.loads(text)


@lru_cache(maxsize=4096)
def parse_distribution(distribution_json: str) -> Any:
    """An Optuna distribution from its stored JSON (old class names included), cached."""
    from optuna.distributions import json_to_distribution

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecated 2.x distribution classes still parse
        return json_to_distribution(distribution_json)


# Optuna's distribution classes by how ``to_external_repr`` treats a value (optuna 2.x–5.x).
_FLOAT_KINDS = frozenset(
    {
        "FloatDistribution",
        "UniformDistribution",
        "LogUniformDistribution",
        "DiscreteUniformDistribution",
    }
)
_INT_KINDS = frozenset({"IntDistribution", "IntUniformDistribution", "IntLogUniformDistribution"})


@lru_cache(maxsize=4096)
def _external_kind(distribution_json: str) -> tuple[str, tuple[Any, ...]]:
    """How a stored distribution converts internal values: ``("float" | "int" | "categorical",
    choices)``.

    The form Optuna has written since 2.x (``{"name": ..., "attributes": ...}``) is read here;
    any other (the abbreviated form, unknown names) goes through Optuna's
    ``json_to_distribution``, which also raises for what it cannot read. Importing Optuna is
    most of a small campaign's load, so the common form does without it.
    """
    data = decode_json(distribution_json)
    attributes = data.get("attributes") if isinstance(data, dict) else None
    if isinstance(attributes, dict):
        name = data.get("name")
        if name in _FLOAT_KINDS:
            return "float", ()
        if name in _INT_KINDS:
            return "int", ()
        choices = attributes.get("choices")
        if name == "CategoricalDistribution" and isinstance(choices, list) and choices:
            return "categorical", tuple(choices)
    from optuna.distributions import CategoricalDistribution, IntDistribution

    dist = parse_distribution(distribution_json)
    if isinstance(dist, CategoricalDistribution):
        return "categorical", tuple(dist.choices)
    return ("int" if isinstance(dist, IntDistribution) else "float"), ()


def external_param_values(internal: pd.Series, distribution_json: pd.Series) -> np.ndarray:
    """Convert Optuna's internal float representation to the values users passed.

    Vectorized per distinct distribution (a campaign has few): categoricals index into their
    choices, ints become ``int``, floats stay as stored (Optuna's ``to_external_repr``).
    """
    out = np.empty(len(internal), dtype=object)
    internal_values = internal.to_numpy(dtype=float)
    codes, uniques = pd.factorize(distribution_json)
    for code, text in enumerate(uniques):
        mask = codes == code
        kind, choices = _external_kind(text)
        chunk = internal_values[mask]
        if kind == "categorical":
            options = np.empty(len(choices), dtype=object)
            options[:] = list(choices)
            out[mask] = options[chunk.astype(np.int64)]
        elif kind == "int":
            out[mask] = [int(v) for v in chunk]
        else:
            out[mask] = [float(v) for v in chunk]
    return out


def to_utc(series: pd.Series, naive_is_local: bool) -> pd.Series:
    """Datetimes (strings or datetime objects, naive or aware) as ``datetime64[ns, UTC]``."""
    if len(series) == 0:
        return pd.Series([], dtype="datetime64[ns, UTC]", index=series.index)
    non_null = series.dropna()
    if len(non_null) and isinstance(non_null.iloc[0], str):
        parsed = pd.to_datetime(series, format="ISO8601")
    else:
        parsed = pd.to_datetime(series)
    if getattr(parsed.dt, "tz", None) is None:
        parsed = _local_to_utc(parsed) if naive_is_local else parsed.dt.tz_localize("UTC")
    return parsed.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")


def _local_to_utc(naive: pd.Series) -> pd.Series:
    """Naive local times as UTC, each with the offset the local zone had at that time.

    Not today's offset: a trial from July read in December is still in summer time. The
    offset is looked up once per quarter hour (every zone changes offset on a quarter hour)
    by Python's ``astimezone``, which applies the system's zone rules. A time in the hour
    repeated when summer time ends is ambiguous in local time; it is read as the first one.
    """
    buckets = naive.dt.floor("15min")
    offsets = {
        bucket: bucket.to_pydatetime().astimezone().utcoffset()
        for bucket in buckets.dropna().unique()
    }
    shift = pd.to_timedelta(buckets.map(offsets))
    return (naive - shift).dt.tz_localize("UTC")


def raw_from_frozen(studies: list[Any], trials_by_study: dict[int, list[Any]]) -> RawTables:
    """Build :class:`RawTables` from Optuna ``FrozenStudy``/``FrozenTrial`` objects.

    Used by the journal reader and by the Optuna-API fallback; the bulk SQL reader builds the
    same tables directly.
    """
    from optuna.distributions import distribution_to_json

    study_rows = []
    trial_rows: list[tuple[Any, ...]] = []
    value_rows: list[tuple[Any, ...]] = []
    param_rows: list[tuple[Any, ...]] = []
    user_rows: list[tuple[Any, ...]] = []
    system_rows: list[tuple[Any, ...]] = []
    inter_rows: list[tuple[Any, ...]] = []
    for study in studies:
        study_rows.append(
            (
                study._study_id,
                study.study_name,
                [d.name for d in study.directions],
                dict(study.user_attrs),
                dict(study.system_attrs),
            )
        )
        for trial in trials_by_study.get(study._study_id, []):
            tid = trial._trial_id
            trial_rows.append(
                (
                    tid,
                    study._study_id,
                    trial.number,
                    trial.state.name,
                    trial.datetime_start,
                    trial.datetime_complete,
                )
            )
            for objective, value in enumerate(trial.values or []):
                value_rows.append((tid, objective, float(value)))
            for name, value in trial.params.items():
                dist_json = distribution_to_json(trial.distributions[name])
                param_rows.append((tid, name, value, dist_json))
            user_rows.extend((tid, k, v) for k, v in trial.user_attrs.items())
            system_rows.extend((tid, k, v) for k, v in trial.system_attrs.items())
            inter_rows.extend((tid, s, float(v)) for s, v in trial.intermediate_values.items())
    trials = frame(trial_rows, TRIAL_COLUMNS)
    for column in ("datetime_start", "datetime_complete"):
        trials[column] = to_utc(trials[column].astype(object), naive_is_local=True)
    return RawTables(
        studies=frame(study_rows, STUDY_COLUMNS),
        trials=trials,
        values=frame(value_rows, VALUE_COLUMNS),
        params=frame(param_rows, PARAM_COLUMNS, object_columns=("value",)),
        trial_user_attrs=frame(user_rows, ATTR_COLUMNS, object_columns=("value",)),
        trial_system_attrs=frame(system_rows, ATTR_COLUMNS, object_columns=("value",)),
        intermediate=frame(inter_rows, INTERMEDIATE_COLUMNS),
    )


def patch_tables(raw: RawTables, patch: RawTables, replaced: set[int]) -> RawTables:
    """``raw`` with the trials in ``replaced`` swapped for what ``patch`` holds (an incremental
    refresh: ``patch`` read those trials again, and has the studies as they are now)."""
    ids = list(replaced)

    def merge(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
        kept = old[~old["trial_id"].isin(ids)]
        parts = [p for p in (kept, new) if not p.empty]
        if not parts:
            return old.iloc[0:0]
        return pd.concat(parts, ignore_index=True)

    return RawTables(
        studies=patch.studies,
        trials=merge(raw.trials, patch.trials),
        values=merge(raw.values, patch.values),
        params=merge(raw.params, patch.params),
        trial_user_attrs=merge(raw.trial_user_attrs, patch.trial_user_attrs),
        trial_system_attrs=merge(raw.trial_system_attrs, patch.trial_system_attrs),
        intermediate=merge(raw.intermediate, patch.intermediate),
        heartbeats=merge(raw.heartbeats, patch.heartbeats),
    )
