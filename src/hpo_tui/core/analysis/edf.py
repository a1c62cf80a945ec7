"""Empirical distribution (EDF) of objective values, per study.

The values are those of Optuna's ``plot_edf``: every COMPLETE trial's objective value that is
finite (feasible or not: the EDF describes what the search space gives, as Optuna's does).
Multi-objective studies are left out (no single objective).

- :func:`edf` is exact: per study, one row per distinct value (ascending) with
  ``n_at_or_below`` (trials whose value is ≤ it) and ``fraction`` (that count over ``n``, the
  study's number of values): the step function itself, nothing sampled or rounded.
- :func:`edf_on_grid` evaluates it at ``points`` evenly spaced values from the smallest to
  the largest value of all the studies together: the samples Optuna's plot draws (100 by
  default), in long format, for comparing studies at the same x.

This module is part of the UI-free core: it must not import textual or rich.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from hpo_tui.core.analysis.history import single_objective
from hpo_tui.core.model.campaign import Campaign

EDF_COLUMNS = ["study_id", "study", "n", "value", "n_at_or_below", "fraction"]
EDF_GRID_COLUMNS = ["study_id", "study", "n", "x", "fraction"]
QUANTILE_COLUMNS = ["study_id", "study", "n", "min", "q25", "median", "q75", "max"]
OPTUNA_POINTS = 100  # optuna.visualization._edf.NUM_SAMPLES_X_AXIS


def edf_values(campaign: Campaign, study_ids: Iterable[int] | None = None) -> dict[int, np.ndarray]:
    """The sorted finite COMPLETE objective values of each single-objective study among
    ``study_ids`` (all when ``None``), in the order given."""
    trials = campaign.trials
    complete = trials[(trials["state"] == "COMPLETE").to_numpy()]
    out = {}
    for study_id in single_objective(campaign, study_ids):
        values = complete["value"].to_numpy(dtype=float)[
            complete["study_id"].to_numpy() == study_id
        ]
        out[study_id] = np.sort(values[np.isfinite(values)])
    return out


def edf(campaign: Campaign, study_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """The exact EDF of each study (:data:`EDF_COLUMNS`; see the module docstring)."""
    names = campaign.studies.set_index("study_id")["study"]
    parts = []
    for study_id, values in edf_values(campaign, study_ids).items():
        distinct, counts = np.unique(values, return_counts=True)
        at_or_below = np.cumsum(counts)
        parts.append(
            pd.DataFrame(
                {
                    "study_id": np.full(len(distinct), study_id, dtype=np.int64),
                    "study": pd.Series([names[study_id]] * len(distinct), dtype=object),
                    "n": np.full(len(distinct), len(values), dtype=np.int64),
                    "value": distinct,
                    "n_at_or_below": at_or_below.astype(np.int64),
                    "fraction": at_or_below / len(values) if len(values) else at_or_below,
                }
            )
        )
    if not parts:
        return _empty(EDF_COLUMNS)
    return pd.concat(parts, ignore_index=True)[EDF_COLUMNS]


def edf_on_grid(
    campaign: Campaign, study_ids: Iterable[int] | None = None, points: int = OPTUNA_POINTS
) -> pd.DataFrame:
    """Each study's EDF at ``points`` evenly spaced x from the smallest to the largest value
    of all the studies (:data:`EDF_GRID_COLUMNS`); empty when no study has a value.

    Raises:
        ValueError: when ``points`` < 2.
    """
    if points < 2:
        raise ValueError(f"points must be at least 2 (got {points})")
    values = edf_values(campaign, study_ids)
    pooled = [v for v in values.values() if len(v)]
    if not pooled:
        return _empty(EDF_GRID_COLUMNS)
    everything = np.concatenate(pooled)
    xs = np.linspace(everything.min(), everything.max(), points)
    names = campaign.studies.set_index("study_id")["study"]
    parts = []
    for study_id, study_values in values.items():
        below = np.searchsorted(study_values, xs, side="right")  # values ≤ x
        n = len(study_values)
        parts.append(
            pd.DataFrame(
                {
                    "study_id": np.full(points, study_id, dtype=np.int64),
                    "study": pd.Series([names[study_id]] * points, dtype=object),
                    "n": np.full(points, n, dtype=np.int64),
                    "x": xs,
                    "fraction": below / n if n else np.full(points, np.nan),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)[EDF_GRID_COLUMNS]


def value_quantiles(campaign: Campaign, study_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Per study, the EDF's values summarised (:data:`QUANTILE_COLUMNS`): ``n``, the smallest,
    the quartiles (linear interpolation) and the largest."""
    names = campaign.studies.set_index("study_id")["study"]
    rows = []
    for study_id, values in edf_values(campaign, study_ids).items():
        quartiles = np.quantile(values, [0.25, 0.5, 0.75]) if len(values) else [np.nan] * 3
        rows.append(
            {
                "study_id": study_id,
                "study": names[study_id],
                "n": len(values),
                "min": values[0] if len(values) else np.nan,
                "q25": float(quartiles[0]),
                "median": float(quartiles[1]),
                "q75": float(quartiles[2]),
                "max": values[-1] if len(values) else np.nan,
            }
        )
    frame = pd.DataFrame(rows, columns=QUANTILE_COLUMNS)
    frame["study"] = frame["study"].astype(object)
    return frame


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
