"""Each trial's params, distributions and attrs, kept whole for lossless exports.

The wide ``trials`` frame has one column per param and per scalar user attr; what does not
fit there (a distribution, an attr holding a list or a dict, system attrs) stays in three
long tables, :class:`DetailTables`, and is decoded into per-trial dicts only when asked:
all trials at once for an export, one trial at a time for the trial screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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

    def decoded(self, key_index: pd.Index) -> pd.DataFrame:
        """The trials of ``key_index`` as dicts, indexed by key (see :func:`details_frame`)."""
        return details_frame(key_index, self.params, self.user_attrs, self.system_attrs)

    def decoded_trial(self, key: int) -> pd.Series:
        """One trial's row of :meth:`decoded`, reading only that trial's rows."""
        params, users, systems = (
            t[t["key"].to_numpy() == key] for t in (self.params, self.user_attrs, self.system_attrs)
        )
        return details_frame(pd.Index([key]), params, users, systems).loc[key]


def details_frame(
    key_index: pd.Index, params: pd.DataFrame, users: pd.DataFrame, systems: pd.DataFrame
) -> pd.DataFrame:
    """Per-trial dicts for lossless exports: ``params``, ``distributions``, ``user_attrs``,
    ``system_attrs``, one row per key of ``key_index`` (an empty dict where a trial has none).
    """
    out = pd.DataFrame(index=key_index)

    def grouped(table: pd.DataFrame, name: str, value: str) -> pd.Series:
        result: dict[int, dict[str, Any]] = {}
        for key, attr, item in zip(table["key"], table[name], table[value], strict=True):
            result.setdefault(int(key), {})[str(attr)] = item
        return pd.Series({k: result.get(k, {}) for k in key_index}, dtype=object)

    out["params"] = grouped(params, "param_name", "value")
    out["distributions"] = grouped(params, "param_name", "distribution_json")
    users = users.assign(value=[decoded(v) for v in users["value"]])
    # System attrs hold number lists too (a sampler's ``constraints``), parsed like curves.
    systems = systems.assign(value=[decoded(v) for v in systems["value"]])
    out["user_attrs"] = grouped(users, "attr", "value")
    out["system_attrs"] = grouped(systems, "attr", "value")
    return out
