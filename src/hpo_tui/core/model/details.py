"""Each trial's params, distributions and attrs, kept whole for lossless exports.

The wide ``trials`` frame has one column per param and per scalar user attr; what does not
fit there (a distribution, an attr holding a list or a dict, system attrs) stays in three
long tables, :class:`DetailTables`, and is decoded into per-trial dicts only when asked:
all trials at once for an export, one trial at a time for the trial screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.storage.raw import decoded


@dataclass
class DetailTables:
    """The long tables behind :attr:`Campaign.details` (``key`` plus name and value)."""

    params: pd.DataFrame  # key, param_name, value, distribution_json
    user_attrs: pd.DataFrame  # key, attr, value
    system_attrs: pd.DataFrame  # key, attr, value

    def without(self, keys: list[int]) -> DetailTables:
        """These tables without the rows of ``keys``."""
        return DetailTables(
            *(t[~t["key"].isin(keys)] for t in (self.params, self.user_attrs, self.system_attrs))
        )

    def plus(self, other: DetailTables) -> DetailTables:
        """These rows followed by ``other``'s."""
        pairs = zip(
            (self.params, self.user_attrs, self.system_attrs),
            (other.params, other.user_attrs, other.system_attrs),
            strict=True,
        )
        return DetailTables(*(pd.concat([a, b], ignore_index=True) for a, b in pairs))

    def decoded(self, key_index: pd.Index, *, decode_lists: bool = True) -> pd.DataFrame:
        """The trials of ``key_index`` as dicts, indexed by key (see :func:`details_frame`)."""
        return details_frame(
            key_index,
            self.params,
            self.user_attrs,
            self.system_attrs,
            decode_lists=decode_lists,
        )

    def decoded_trial(self, key: int) -> pd.Series:
        """One trial's row of :meth:`decoded` (only that trial's rows are read)."""
        return self.decoded(pd.Index([key], dtype=np.int64)).loc[key]


def details_frame(
    key_index: pd.Index,
    params: pd.DataFrame,
    users: pd.DataFrame,
    systems: pd.DataFrame,
    *,
    decode_lists: bool = True,
) -> pd.DataFrame:
    """Per-trial dicts for lossless exports: ``params``, ``distributions``, ``user_attrs``,
    ``system_attrs``, one row per key of ``key_index`` (unique keys; an empty dict where a
    trial has none).

    Attrs hold their values as Optuna returns them; with ``decode_lists=False``, a number
    list stays the :class:`~hpo_tui.core.storage.raw.EncodedList` a reader made of it (its
    float64 ``numbers`` and ``has_ints``; ``decode()`` gives the list): a writer that
    serialises numpy arrays skips making a Python float of every number (user attrs that
    hold curves: millions of numbers in a large campaign).

    Only the rows of these keys are read (a few trials cost a few rows, not the tables):
    each table's rows are found by key with binary searches, and a trial's dict is made from
    its slice of names and values in one call. Two rows of one trial with the same name keep
    the first one's place and the last one's value, as assigning them one by one would.
    """
    wanted = key_index.to_numpy(dtype=np.int64)
    param_rows = _KeyRows(params["key"], wanted)
    param_names = param_rows.take(params["param_name"])
    out = pd.DataFrame(
        {
            "params": param_rows.dicts(param_names, param_rows.take(params["value"])),
            "distributions": param_rows.dicts(
                param_names, param_rows.take(params["distribution_json"])
            ),
        },
        index=key_index,
    )
    # System attrs hold number lists too (a sampler's ``constraints``), like curves.
    for column, table in (("user_attrs", users), ("system_attrs", systems)):
        rows = _KeyRows(table["key"], wanted)
        values = rows.take(table["value"])
        if decode_lists:
            values = list(map(decoded, values))
        out[column] = rows.dicts(rows.take(table["attr"]), values)
    return out


class _KeyRows:
    """The rows of a long table that belong to some keys, grouped by key (each key's rows in
    table order), found by binary search in the table's keys."""

    def __init__(self, keys: pd.Series, wanted: np.ndarray) -> None:
        values = keys.to_numpy(dtype=np.int64)
        # Readers give the rows by key already; a refresh appends rows, so sort when needed.
        order = (
            None
            if len(values) < 2 or bool((values[1:] >= values[:-1]).all())
            else np.argsort(values, kind="stable")
        )
        ordered = values if order is None else values[order]
        starts = np.searchsorted(ordered, wanted, side="left")
        lengths = np.searchsorted(ordered, wanted, side="right") - starts
        bounds = np.concatenate([[0], np.cumsum(lengths)])
        # Every wanted key's range of sorted positions, one after the other.
        positions = np.arange(bounds[-1]) - np.repeat(bounds[:-1] - starts, lengths)
        self._rows = positions if order is None else order[positions]
        self._bounds = bounds.tolist()

    def take(self, column: pd.Series) -> list[Any]:
        """The values of ``column`` in these rows, as Python objects."""
        return column.take(self._rows).tolist()

    def dicts(self, names: list[Any], values: list[Any]) -> np.ndarray:
        """One ``{name: value}`` dict per wanted key (names made ``str``), as an object array."""
        texts = [name if type(name) is str else str(name) for name in names]
        pairs = list(zip(texts, values, strict=True))
        out = np.empty(len(self._bounds) - 1, dtype=object)
        out[:] = [dict(pairs[start:end]) for start, end in pairwise(self._bounds)]
        return out
