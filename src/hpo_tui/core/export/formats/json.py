"""Strict JSON text: non-finite floats as strings, numpy/pandas scalars as Python ones,
compact bytes from orjson (a required dependency, so export bytes never depend on extras)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd


def json_number(value: float) -> float | str:
    """A float for strict JSON: NaN/+inf/-inf become "NaN"/"Infinity"/"-Infinity"."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return value


class PlainList(list[Any]):
    """A list already made of plain JSON values (finite floats, ints): :func:`strict_json`
    passes it through without looking at each item. Built where whole arrays were checked at
    once (an export's curves: millions of numbers)."""


def strict_json(data: Any) -> Any:
    """``data`` as plain JSON types, every non-finite float replaced as in :func:`json_number`.

    numpy/pandas scalars become Python ones, missing values ``null``, timestamps ISO 8601.
    """
    # Exact-type fast paths first: an export holds millions of curve floats.
    kind = type(data)
    if kind is str or kind is int or kind is bool or kind is PlainList:
        return data
    if kind is float:
        return data if data - data == 0.0 else json_number(data)  # x - x is NaN if not finite
    if kind is list:
        # Curves and per-epoch user attrs: millions of numbers, so both checks run in C
        # (``map``/``set``, ``sum``). A sum is finite only if every term is; an overflow to
        # inf only sends the list to the item-by-item path.
        types = set(map(type, data))
        if types == {float}:
            total = sum(data)
            if total - total == 0.0:
                return data
            return [v if v - v == 0.0 else json_number(v) for v in data]
        if types == {int} or not types:
            return data
    if kind is dict:
        return _strict_dict(data)
    if kind is list or kind is tuple:
        return [strict_json(v) for v in data]
    if data is None or data is pd.NA or data is pd.NaT:
        return None
    if isinstance(data, (bool, np.bool_)):
        return bool(data)
    if isinstance(data, np.integer):
        return int(data)
    if isinstance(data, (float, np.floating)):
        return json_number(float(data))
    if isinstance(data, pd.Timestamp):
        return data.isoformat()
    if isinstance(data, dict):
        return {str(k): strict_json(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [strict_json(v) for v in data]
    return data


def _strict_dict(data: dict[Any, Any]) -> dict[str, Any]:
    """:func:`strict_json` of a dict, with plain values kept inline (no call per value: an
    export's records are dicts of mostly strings, ints and finite floats)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        kind = type(value)
        if not (
            kind is str
            or kind is int
            or kind is bool
            or value is None
            or kind is PlainList
            or (kind is float and value - value == 0.0)
        ):
            value = strict_json(value)
        out[key if type(key) is str else str(key)] = value
    return out


def dumps_strict(data: Any, indent: int | None = None) -> str:
    """JSON text that any strict parser accepts (non-finite floats as strings, see
    :func:`strict_json`).

    Compact text (``indent=None``: the export's large ``hpo_full.json``, written piece by
    piece) comes from orjson, a required dependency so that export bytes never depend on
    what else is installed: floats in their shortest round-trip digits (``0.00001`` where
    Python writes ``1e-05``), no spaces after separators. What orjson refuses (integers beyond
    64 bits, strings that are not valid UTF-8) goes through ``json`` with the same
    separators.
    """
    plain = strict_json(data)
    if indent is None:
        import orjson

        try:
            return orjson.dumps(plain).decode()
        except orjson.JSONEncodeError:
            return json.dumps(plain, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return json.dumps(plain, indent=indent, ensure_ascii=False, allow_nan=False)


def params_json(params: dict[str, Any]) -> str:
    """A trial's params as one line of strict JSON, by name, every float at full precision:
    what ``y`` on the trial screen copies, ready for ``study.enqueue_trial(json.loads(...))``."""
    plain = strict_json(dict(sorted(params.items())))
    return json.dumps(plain, ensure_ascii=False, allow_nan=False)
