"""What the cross-budget transfer compares, for every study at once, in whole columns.

:mod:`hpo_tui.core.analysis.transfer` compares pairs of studies; each pair needs the same few
things of each study: its *reference trials* (COMPLETE, finite value) and their values, the
config each one tried, its top k, its best trial's params, and each param's values. These are
built here for the whole campaign from the trials frame and the long params table
(``campaign.detail_tables.params``), with group-by offsets instead of a dict per trial:

- a param value's identity is its type and ``repr`` (``1``, ``1.0`` and ``True`` differ, so
  do ``0.0`` and ``-0.0``; every NaN is one value): :func:`value_codes` gives equal codes
  exactly to such equal values, campaign-wide, without a ``repr`` per value;
- a config is the set of (param name, value code) pairs of a trial: equal sets get equal
  config ids, campaign-wide, so that two studies' configs are matched by id.

This module is part of the UI-free core: it must not import textual or rich.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.analysis.patterns import TOP_FRACTION
from hpo_tui.core.model.campaign import Campaign

_type_of = np.frompyfunc(type, 1, 1)
_is_none = np.frompyfunc(lambda value: value is None, 1, 1)
# Types whose values are equal exactly when their reprs are (a float's are not: 0.0 == -0.0).
_EQUALITY_TYPES = {int, str, bool}


@dataclass
class ParamValues:
    """One param in one study's reference trials that have it (``None`` left out)."""

    values: np.ndarray  # object: the values as Optuna gives them
    codes: np.ndarray  # int64: value_codes of ``values``
    in_top: np.ndarray  # bool: the trial is in the study's top k


@dataclass
class StudyInputs:
    """One study as the transfer sees it."""

    study_id: int
    name: str
    direction: str
    values: np.ndarray  # the reference trials' values, in the trials frame's order
    configs: np.ndarray  # their config ids (campaign-wide)
    best: dict[str, Any] | None  # the best trial's params (None: no single best trial)
    best_codes: dict[str, int]  # their value codes
    best_distributions: dict[str, Any]  # their distributions (JSON text)
    params: dict[str, ParamValues] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)  # importance by param (numbers only)

    @cached_property
    def config_means(self) -> pd.Series:
        """Mean value per config id, configs in order of first appearance."""
        return pd.Series(self.values).groupby(self.configs, sort=False).mean()


def value_codes(values: np.ndarray) -> np.ndarray:
    """One int64 per value of the object array ``values``: equal codes exactly for values
    with the same type name and ``repr`` (floats by their bits, every NaN alike; ints,
    strings and bools by equality; None alike; anything else by its ``repr``)."""
    codes = np.zeros(len(values), dtype=np.int64)
    types = _type_of(values)
    type_codes, distinct = pd.factorize(types) if len(values) else (np.zeros(0, np.int64), [])
    name_of_type, names = pd.factorize(np.array([t.__name__ for t in distinct], dtype=object))
    offset = 0
    for name in range(len(names)):
        kind = {t for t, n in zip(distinct, name_of_type, strict=True) if n == name}
        rows = np.flatnonzero(name_of_type[type_codes] == name)
        chunk = values[rows]
        if kind == {float}:
            floats = chunk.astype(float)
            nan = np.isnan(floats)
            local, uniques = pd.factorize(np.where(nan, 0, floats.view(np.int64)))
            local = np.where(nan, len(uniques), local)  # every NaN alike, apart from the rest
            width = len(uniques) + 1
        elif kind == {type(None)}:
            local, width = np.zeros(len(rows), dtype=np.int64), 1
        elif len(kind) == 1 and kind <= _EQUALITY_TYPES:
            local, uniques = pd.factorize(chunk)
            width = len(uniques)
        else:
            local, uniques = pd.factorize(np.array([repr(v) for v in chunk], dtype=object))
            width = len(uniques)
        codes[rows] = offset + local
        offset += width
    return codes


def _config_ids(
    trial_of_row: np.ndarray, names: np.ndarray, codes: np.ndarray, n: int
) -> np.ndarray:
    """Config id of each of ``n`` trials from its param rows (trial index, name code, value
    code): equal ids exactly for trials with the same names and value codes.

    One param at a time: the ids so far and the param's value code (-1 where a trial lacks
    it) are combined into one integer and numbered densely again, so the numbers stay below
    ``n × (codes + 2)``, far from overflowing.
    """
    ids = np.zeros(n, dtype=np.int64)
    width = int(codes.max()) + 2 if len(codes) else 1
    for name in np.unique(names):
        column = np.full(n, -1, dtype=np.int64)  # -1: the trial has no such param
        at = names == name
        column[trial_of_row[at]] = codes[at]
        ids, _ = pd.factorize(ids * width + column + 1)
    return ids.astype(np.int64)


def _runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the runs of equal values of a sorted array."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return starts, np.r_[starts[1:], len(keys)]


def _top_k(study_ids: np.ndarray, signed: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """Whether each reference trial is in its study's top k: the first ``ceil(TOP_FRACTION
    × n)`` by signed value (smaller is better), ties by number (a NaN sign: no top k)."""
    order = np.lexsort((numbers, signed, study_ids))
    starts, ends = _runs(study_ids[order])
    sizes = ends - starts
    position = np.arange(len(order)) - np.repeat(starts, sizes)
    limit = np.repeat([math.ceil(TOP_FRACTION * int(size)) for size in sizes], sizes)
    in_top = np.zeros(len(order), dtype=bool)
    in_top[order] = (position < limit) & ~np.isnan(signed[order])
    return in_top


@dataclass
class _Rows:
    """The long params rows of the reference trials, by study, then param name."""

    study: np.ndarray  # study id
    trial: np.ndarray  # index among the reference trials
    name: np.ndarray  # param name code
    value: np.ndarray  # object
    code: np.ndarray  # value code
    distribution: np.ndarray  # distribution JSON


def _param_rows(
    campaign: Campaign, index_of_trial: np.ndarray, study_of: np.ndarray
) -> tuple[_Rows, pd.Index]:
    """The reference trials' param rows (``index_of_trial``: each frame row's index among
    the reference trials, -1 for the others) and the param names their codes index."""
    params = campaign.detail_tables.params
    found = campaign.trials.index.get_indexer(params["key"].to_numpy())
    trial = np.where(found >= 0, index_of_trial[np.maximum(found, 0)], -1)
    kept = np.flatnonzero(trial >= 0)
    trial = trial[kept]
    name, names = pd.factorize(params["param_name"])
    name = name[kept]
    value = params["value"].to_numpy(dtype=object)[kept]
    rows = _Rows(
        study_of[trial],
        trial,
        name.astype(np.int64),
        value,
        value_codes(value),
        params["distribution_json"].to_numpy(dtype=object)[kept],
    )
    return rows, pd.Index(names, dtype=object)


def study_inputs(campaign: Campaign, importance: pd.DataFrame) -> dict[int, StudyInputs]:
    """:class:`StudyInputs` of every study of the campaign, by study id (``importance``:
    the campaign's importance frame, ``study_id, param, importance``)."""
    studies = campaign.studies.set_index("study_id")
    trials = campaign.trials
    n = len(trials)
    values = (
        trials["value"].to_numpy(dtype=float) if "value" in trials.columns else np.full(n, np.nan)
    )
    reference = (trials["state"].to_numpy(dtype=object) == "COMPLETE") & np.isfinite(values)
    frame_rows = np.flatnonzero(reference)  # the reference trials, in frame order
    ids = trials["study_id"].to_numpy(dtype=np.int64)[frame_rows]
    numbers = trials["number"].to_numpy(dtype=np.int64)[frame_rows]
    ref_values = values[frame_rows]
    direction = studies["direction"].reindex(ids).to_numpy(dtype=object)
    sign = np.where(direction == "minimize", 1.0, np.where(direction == "maximize", -1.0, np.nan))
    in_top = _top_k(ids, ref_values * sign, numbers)
    index_of_trial = np.full(n, -1, dtype=np.int64)
    index_of_trial[frame_rows] = np.arange(len(frame_rows))
    rows, names = _param_rows(campaign, index_of_trial, ids)
    configs = _config_ids(rows.trial, rows.name, rows.code, len(frame_rows))

    # Each study's reference trials (frame order), and its param rows by name.
    by_study = np.argsort(ids, kind="stable")
    trial_runs = dict(zip(*_keyed_runs(ids[by_study]), strict=True))
    # A param stored as None counts as absent, as in the trial's dict of values.
    present = np.flatnonzero(~_is_none(rows.value).astype(bool))
    by_param = present[np.lexsort((rows.name[present], rows.study[present]))]
    pair = rows.study[by_param] * np.int64(len(names) + 1) + rows.name[by_param]
    param_runs = dict(zip(*_keyed_runs(pair), strict=True))
    by_trial = np.argsort(rows.trial, kind="stable")
    trial_starts = np.searchsorted(rows.trial[by_trial], np.arange(len(frame_rows) + 1))
    scores: dict[int, dict[str, float]] = {}
    for study_id, param, score in zip(
        importance["study_id"].to_numpy(dtype=np.int64),
        importance["param"].to_numpy(dtype=object),
        importance["importance"].to_numpy(dtype=float),
        strict=True,
    ):
        if not np.isnan(score):
            scores.setdefault(int(study_id), {})[str(param)] = float(score)

    out: dict[int, StudyInputs] = {}
    for study_id, info in studies.iterrows():
        sid = int(study_id)
        start, end = trial_runs.get(sid, (0, 0))
        chosen = by_study[start:end]
        study = StudyInputs(
            sid,
            str(info["study"]),
            str(info["direction"]),
            ref_values[chosen],
            configs[chosen],
            None,
            {},
            {},
            scores=scores.get(sid, {}),
        )
        for code, name in enumerate(names):
            lo, hi = param_runs.get(sid * (len(names) + 1) + code, (0, 0))
            if hi > lo:
                at = by_param[lo:hi]
                study.params[str(name)] = ParamValues(
                    rows.value[at], rows.code[at], in_top[rows.trial[at]]
                )
        best = info["best_trial"]
        if study.direction in ("minimize", "maximize") and not pd.isna(best):
            match = chosen[numbers[chosen] == int(best)]
            if len(match):
                at = by_trial[trial_starts[match[0]] : trial_starts[match[0] + 1]]
                study.best = {
                    str(names[c]): v for c, v in zip(rows.name[at], rows.value[at], strict=True)
                }
                study.best_codes = {
                    str(names[c]): int(v) for c, v in zip(rows.name[at], rows.code[at], strict=True)
                }
                study.best_distributions = {
                    str(names[c]): d
                    for c, d in zip(rows.name[at], rows.distribution[at], strict=True)
                }
        out[sid] = study
    return out


def _keyed_runs(keys: np.ndarray) -> tuple[list[int], list[tuple[int, int]]]:
    """The runs of a sorted array: (each run's key, its (start, end))."""
    starts, ends = _runs(keys)
    return [int(k) for k in keys[starts]], list(zip(starts.tolist(), ends.tolist(), strict=True))
