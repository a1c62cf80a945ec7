"""The trial records of ``hpo_full.json`` as texts, a chunk of trials at a time, column by
column: each field's JSON texts for the whole chunk at once (whole numpy columns through
orjson, curves as runs of the campaign's sorted curve arrays), spliced into one text per
record by Arrow. The texts are those of the records of
:func:`hpo_tui.core.export.full_json.full_document` through ``dumps_strict``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa

from hpo_tui.core.export.formats.json import strict_json
from hpo_tui.core.export.formats.json_columns import (
    BINARY,
    NULL,
    ColumnTexts,
    concat_runs,
    null_where,
    number_arrays,
    splice,
    texts_array,
    value_texts,
)
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.model.curves import STAT_COLUMNS

# A chunk holds at most this many trials and, unless one trial has more, curve points. Its
# texts (about 20 bytes a point, a few copies alive at once) are the writer's memory on top
# of the campaign's: at 24k trials of 260 points, 500 trials keep it near the dict-based
# writer's (about 35 MB), for 8 % more time than 1,000 (which take about 55 MB).
CHUNK_TRIALS = 500
CHUNK_POINTS = 500_000

# The record's fields from the trials' columns, before ``params``.
_COLUMN_FIELDS = ["number", "state", "feasible", "constraint_violation"]
# The record's fields after ``system_attrs`` and before ``curve_stats``, each one column.
# The curve stats' columns are named so in the frame of texts (``curve`` is a field too).
_STAT = "curve_stats."
LATER_FIELDS = [
    "datetime_start",
    "datetime_complete",
    "duration_s",
    "diverged",
    "diverged_reason",
    "diverged_curve",
    "diverged_step",
    "spike_step",
]


_SEPARATORS = pa.array([b"", b","], type=BINARY)


def _key(name: str) -> bytes:
    return orjson.dumps(name) + b":"


_DETAIL_FIELDS = ("params", "distributions", "user_attrs", "system_attrs")


def _dict_texts(dicts: list[dict[str, Any]], refused: np.ndarray) -> pa.Array:
    """Each dict's text, its keys sorted (not those of the dicts in it); ``refused`` set
    where orjson refused a value.

    Each is written by orjson as it is, then those whose text holds ``null`` (NaN, ±inf or
    None, which strict JSON writes otherwise), a dict in it (orjson sorted its keys too) or
    that orjson refused (a numpy number) again through :func:`strict_json` (keys sorted by
    Python: by code point, which is also the order of their UTF-8 bytes that orjson sorts
    by). A ``null`` or ``{`` inside a string only costs that second pass.
    """
    option = orjson.OPT_SORT_KEYS
    try:
        texts = [orjson.dumps(data, option=option) for data in dicts]
    except orjson.JSONEncodeError:
        texts = [_dumps_or_null(data, option) for data in dicts]
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    starts = np.r_[0, np.cumsum(lengths)]
    joined = b"".join(texts)
    raw = np.frombuffer(joined, dtype=np.uint8)
    maybe_null = np.flatnonzero(raw[: max(len(raw) - 3, 0)] == ord("n"))
    nulls = maybe_null[
        (raw[maybe_null + 1] == ord("u"))
        & (raw[maybe_null + 2] == ord("l"))
        & (raw[maybe_null + 3] == ord("l"))
    ]
    braces = np.flatnonzero(raw == ord("{"))
    braces = braces[~np.isin(braces, starts)]  # not the one that opens a dict
    again = np.unique(np.searchsorted(starts, np.r_[nulls, braces], side="right") - 1)
    if not len(again):
        return texts_array(starts, joined)
    for row in again.tolist():
        try:
            texts[row] = orjson.dumps(strict_json(dict(sorted(dicts[row].items()))))
        except orjson.JSONEncodeError:
            refused[row] = True
            texts[row] = NULL
    return pa.array(texts, type=BINARY)


def _dumps_or_null(data: Any, option: int) -> bytes:
    try:
        return orjson.dumps(data, option=option)
    except orjson.JSONEncodeError:
        return NULL  # written again below


class RecordChunks:
    """The records of a campaign's trials, chunk by chunk (see the module docstring).

    Args:
        campaign: The campaign.
        distribution_doc: A distribution's record from its stored JSON text.
    """

    def __init__(
        self, campaign: Campaign, distribution_doc: Callable[[str], dict[str, Any]]
    ) -> None:
        self.campaign = campaign
        self._distribution_doc = distribution_doc
        self._distribution_docs: dict[str, Any] = {}
        # A trial's distributions, by its sorted (name, text) pairs: one text (None: refused).
        self._distributions: dict[tuple[tuple[str, str], ...], bytes | None] = {}
        curves = campaign.curves
        # Sorted by key, then curve, then step (see ``Segments``): a trial's points are one
        # run, found by binary search; its curves are runs in it.
        self._keys = curves["key"].to_numpy()
        self._steps = curves["step"].to_numpy()
        self._values = curves["value"].to_numpy(dtype=float)
        if len(curves):
            self._codes = curves["curve"].cat.codes.to_numpy()
            names = [str(c) for c in curves["curve"].cat.categories]
        else:
            self._codes, names = np.zeros(0, dtype=np.int8), []
        self._names, self._refused_names = value_texts(names)
        trials = campaign.trials
        self._trial_keys = trials["key"].to_numpy()
        value_columns = ["value", *(c for c in trials.columns if c.startswith("values_"))]
        self._no_value = {c: trials[c].isna().to_numpy(dtype=bool) for c in value_columns}
        columns = {c: trials[c] for c in [*value_columns, *_COLUMN_FIELDS, *LATER_FIELDS]}
        columns.update({_STAT + c: trials[c] for c in STAT_COLUMNS})
        feasible = columns["feasible"]
        if not (feasible.dtype == bool or isinstance(feasible.dtype, pd.BooleanDtype)):
            missing = feasible.isna().tolist()
            columns["feasible"] = pd.Series(
                [None if m else bool(v) for v, m in zip(feasible, missing, strict=True)],
                dtype=object,
            )
        self._columns = ColumnTexts(columns, nan_as_null={"constraint_violation"})

    def studies(self) -> Iterator[tuple[Any, np.ndarray]]:
        """Each study (a row of ``studies``) with the positions of its trials in ``trials``,
        in the frame's order."""
        study_ids = self.campaign.trials["study_id"].to_numpy()
        order = np.argsort(study_ids, kind="stable")
        sorted_ids = study_ids[order]
        for study in self.campaign.studies.itertuples(index=False):
            begin, end = np.searchsorted(sorted_ids, [study.study_id, study.study_id + 1])
            yield study, order[begin:end]

    def records(
        self, positions: np.ndarray, value_columns: list[str]
    ) -> Iterator[tuple[np.ndarray, pa.Array, np.ndarray]]:
        """For each chunk of the trials at ``positions``: their positions, the text of each
        one's record preceded by a comma, and where orjson refused a value of it (the caller
        writes those records another way; their texts here are not valid)."""
        keys = self._trial_keys[positions]
        points = np.searchsorted(self._keys, keys, side="right") - np.searchsorted(
            self._keys, keys, side="left"
        )
        total = np.r_[0, np.cumsum(points)]
        begin = 0
        while begin < len(positions):
            most = int(np.searchsorted(total, total[begin] + CHUNK_POINTS, side="right")) - 1
            end = max(begin + 1, min(begin + CHUNK_TRIALS, most))
            chunk = positions[begin:end]
            yield chunk, *self._chunk_records(chunk, value_columns)
            begin = end

    def _chunk_records(
        self, positions: np.ndarray, value_columns: list[str]
    ) -> tuple[pa.Array, np.ndarray]:
        texts, refused = self._columns.texts(positions)
        separated = [part for name in value_columns for part in (b",", texts[name])][1:]
        no_value = np.logical_and.reduce([self._no_value[c][positions] for c in value_columns])
        # The chunk's details alone (taken from the campaign's when built, else made for these
        # trials and let go with the chunk): the export never holds every trial's dicts.
        chunk_details = self.campaign.details_for(self._trial_keys[positions])
        details = {name: chunk_details[name].tolist() for name in _DETAIL_FIELDS}
        fields: list[tuple[str, pa.Array]] = [
            ("number", texts["number"]),
            ("state", texts["state"]),
            ("values", null_where(no_value, splice(b"[", *separated, b"]"))),
            ("feasible", texts["feasible"]),
            ("constraint_violation", texts["constraint_violation"]),
            ("params", _dict_texts(details["params"], refused)),
            ("distributions", self._distribution_texts(details["distributions"], refused)),
            ("user_attrs", _dict_texts(details["user_attrs"], refused)),
            ("system_attrs", _dict_texts(details["system_attrs"], refused)),
            *[(name, texts[name]) for name in LATER_FIELDS],
        ]
        curves, refused_curves = self._curve_texts(self._trial_keys[positions])
        parts: list[bytes | pa.Array] = [b",{"]
        for index, (name, text) in enumerate(fields):
            parts += [(b"," if index else b"") + _key(name), text]
        parts.append(b',"curve_stats":{')
        for index, name in enumerate(STAT_COLUMNS):
            parts += [(b"," if index else b"") + _key(name), texts[_STAT + name]]
        parts += [b'},"curves":{', curves, b"}}"]
        return splice(*parts), refused | refused_curves

    def _distribution_texts(self, column: list[dict[str, str]], refused: np.ndarray) -> pa.Array:
        """Each trial's distributions by name: a record per distribution (from its stored
        text), each set of them written once."""
        out: list[bytes] = []
        for row, texts in enumerate(column):
            pairs = tuple(sorted(texts.items()))
            if pairs not in self._distributions:
                self._distributions[pairs] = self._distributions_text(pairs)
            text = self._distributions[pairs]
            if text is None:
                refused[row] = True
            out.append(NULL if text is None else text)
        return pa.array(out, type=BINARY)

    def _distributions_text(self, pairs: tuple[tuple[str, str], ...]) -> bytes | None:
        docs = self._distribution_docs
        for _, text in pairs:
            if text not in docs:
                docs[text] = strict_json(self._distribution_doc(text))
        try:
            return orjson.dumps({name: docs[text] for name, text in pairs})
        except orjson.JSONEncodeError:
            return None

    def _curve_texts(self, keys: np.ndarray) -> tuple[pa.Array, np.ndarray]:
        """The text inside each trial's ``curves`` object (its curves by name, each with its
        ``steps`` and ``values``), and the trials with a curve name orjson refused."""
        n = len(keys)
        begins = np.searchsorted(self._keys, keys, side="left")
        lengths = np.searchsorted(self._keys, keys, side="right") - begins
        total = int(lengths.sum())
        if total == 0:
            return pa.array([b""] * n, type=BINARY), np.zeros(n, dtype=bool)
        rows: slice | np.ndarray
        if np.array_equal(begins[1:], begins[:-1] + lengths[:-1]):  # one run: views
            rows = slice(int(begins[0]), int(begins[0]) + total)
        else:
            ends = np.cumsum(lengths)
            rows = np.repeat(begins - (ends - lengths), lengths) + np.arange(total)
        trial = np.repeat(np.arange(n), lengths)
        codes = self._codes[rows]
        changes = np.flatnonzero((trial[1:] != trial[:-1]) | (codes[1:] != codes[:-1])) + 1
        starts, ends = np.r_[0, changes], np.r_[changes, total]
        curve_codes = codes[starts]
        trials_of_curves = trial[starts]
        # After each curve a comma, but after its trial's last: the trial's curves are then
        # the text of its run of curves as it is.
        last = np.r_[trials_of_curves[1:] != trials_of_curves[:-1], True]
        curves = splice(
            self._names.take(pa.array(curve_codes)),
            b':{"steps":',
            number_arrays(self._steps[rows], ends, after=b","),
            b'"values":',
            number_arrays(self._values[rows], ends, after=b"}"),
            _SEPARATORS.take(pa.array(np.where(last, 0, 1))),
        )
        refused = np.zeros(n, dtype=bool)
        refused[trials_of_curves[self._refused_names[curve_codes]]] = True
        return concat_runs(curves, np.bincount(trials_of_curves, minlength=n)), refused
