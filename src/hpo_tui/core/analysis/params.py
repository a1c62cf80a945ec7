"""One study's params as the views over params read them: each value as Optuna returns it,
and each param's scale, bounds and choices from the distributions Optuna stored.

Read from the long params table (``Campaign.detail_tables.params``) of the study's trials
only: no per-trial dicts are built, so a view of one study costs the same in a campaign of
600 trials as in one of 24,000.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.storage.raw import parse_distribution


@dataclass
class ParamInfo:
    """A param of one study, over every distribution it was sampled from there.

    ``scale`` is ``categorical``, ``log`` (any of its distributions samples on a log scale)
    or ``linear``; ``low``/``high`` span every numeric distribution; ``choices`` are a
    categorical param's choices in Optuna's order (the union over its distributions).
    """

    name: str
    scale: str
    low: float = math.nan
    high: float = math.nan
    choices: list[Any] = field(default_factory=list)
    integer: bool = False  # every distribution an IntDistribution

    @property
    def categorical(self) -> bool:
        return self.scale == "categorical"

    def choice_index(self, value: Any) -> int | None:
        """The position of ``value`` among the choices (``True`` is not ``1``)."""
        for index, choice in enumerate(self.choices):
            if type(choice) is type(value) and choice == value:
                return index
        return None


def study_param_values(campaign: Campaign, study_id: int) -> pd.DataFrame:
    """The study's param values, long: ``key, param_name, value, distribution_json`` (the
    value as Optuna returns it: a float, an int, or a categorical choice)."""
    keys = campaign.study_trials(study_id)["key"].to_numpy(dtype=np.int64)
    params = campaign.detail_tables.params
    mask = np.isin(params["key"].to_numpy(dtype=np.int64), keys)
    return params[mask]


def param_infos(values: pd.DataFrame) -> dict[str, ParamInfo]:
    """Each param's :class:`ParamInfo`, by name (sorted), from :func:`study_param_values`."""
    from optuna.distributions import CategoricalDistribution, IntDistribution

    infos: dict[str, ParamInfo] = {}
    pairs = values[["param_name", "distribution_json"]].drop_duplicates()
    for name, text in sorted(pairs.itertuples(index=False), key=lambda p: (str(p[0]), str(p[1]))):
        distribution = parse_distribution(str(text))
        fresh = str(name) not in infos
        info = infos.setdefault(str(name), ParamInfo(str(name), "linear"))
        if isinstance(distribution, CategoricalDistribution):
            info.scale = "categorical"
            for choice in distribution.choices:
                if info.choice_index(choice) is None:
                    info.choices.append(choice)
            continue
        is_int = isinstance(distribution, IntDistribution)
        info.integer = is_int if fresh else info.integer and is_int
        if info.scale != "categorical" and getattr(distribution, "log", False):
            info.scale = "log"
        info.low = float(np.nanmin([info.low, float(distribution.low)]))
        info.high = float(np.nanmax([info.high, float(distribution.high)]))
    return infos


def numeric(values: pd.Series) -> np.ndarray:
    """The numbers of a param value column (floats; anything else, e.g. a bool, NaN)."""
    return np.array(
        [
            float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else math.nan
            for v in values.tolist()
        ],
        dtype=float,
    )
