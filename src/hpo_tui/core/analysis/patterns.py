"""Where the good trials are: param-vs-objective slices and top-10 % vs rest distributions.

The top set is the same as PED-ANOVA's (``hpo_tui.core.analysis.importance``): the best
``ceil(10 % of n)`` COMPLETE trials with a finite value, direction-aware (ties broken by trial
number). Single-objective studies only: without one objective there is no single "best".
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.storage.raw import parse_distribution

TOP_FRACTION = 0.1
SLICE_COLUMNS = ["number", "state", "value", "diverged", "diverged_reason", "param_value"]
TOP_REST_COLUMNS = ["param", "kind", "statistic", "top", "rest"]
NUMERIC_STATISTICS = ("min", "q25", "median", "q75", "max")
_QUANTILES = (0.0, 0.25, 0.5, 0.75, 1.0)


def _objective(campaign: Campaign, trials: pd.DataFrame) -> pd.Series:
    """The single objective, or objective 0 of a multi-objective study."""
    if "value" in trials.columns and trials["value"].notna().any():
        return trials["value"].astype(float)
    if "values_0" in trials.columns:
        return trials["values_0"].astype(float)
    return pd.Series(np.nan, index=trials.index, dtype=float)


def _distributions(campaign: Campaign, study_id: int, param: str) -> list[Any]:
    trials = campaign.study_trials(study_id)
    texts = {d[param] for d in campaign.details.loc[trials.index, "distributions"] if param in d}
    return [parse_distribution(t) for t in sorted(texts)]


def param_scale(campaign: Campaign, study_id: int, param: str) -> str:
    """``categorical``, ``log`` or ``linear``, from the param's stored distributions in the
    study (``log`` when any of them samples on a log scale)."""
    from optuna.distributions import CategoricalDistribution

    distributions = _distributions(campaign, study_id, param)
    if any(isinstance(d, CategoricalDistribution) for d in distributions):
        return "categorical"
    return "log" if any(getattr(d, "log", False) for d in distributions) else "linear"


def param_choices(campaign: Campaign, study_id: int, param: str) -> list[Any]:
    """A categorical param's choices in Optuna's order (union over the study's variants)."""
    choices: list[Any] = []
    for distribution in _distributions(campaign, study_id, param):
        for choice in getattr(distribution, "choices", ()):
            if not any(type(c) is type(choice) and c == choice for c in choices):
                choices.append(choice)
    return choices


def choice_label(choice: Any) -> str:
    """A categorical choice as text: strings as they are, other values as JSON (null, true)."""
    return choice if isinstance(choice, str) else json.dumps(choice)


def slice_points(campaign: Campaign, study_id: int, param: str) -> pd.DataFrame:
    """The study's trials that sampled ``param``: COMPLETE ones and diverged ones (of any
    state, often without a value), by trial number.

    Columns: ``number, state, value, diverged, diverged_reason, param_value`` — ``value`` is
    the objective (objective 0 of a multi-objective study), NaN when Optuna stored none.
    """
    trials = campaign.study_trials(study_id)
    details = campaign.details.loc[trials.index, "params"]
    has = details.map(lambda p: param in p).to_numpy(dtype=bool)
    keep = has & ((trials["state"] == "COMPLETE") | trials["diverged"]).to_numpy(dtype=bool)
    chosen = trials[keep]
    frame = pd.DataFrame(
        {
            "number": chosen["number"].to_numpy(dtype=np.int64),
            "state": chosen["state"].to_numpy(dtype=object),
            "value": _objective(campaign, chosen).to_numpy(dtype=float),
            "diverged": chosen["diverged"].to_numpy(dtype=bool),
            "diverged_reason": chosen["diverged_reason"].to_numpy(dtype=object),
            "param_value": pd.Series(
                [details[k][param] for k in chosen.index], dtype=object
            ).to_numpy(),
        }
    )
    return frame.sort_values("number", kind="stable").reset_index(drop=True)[SLICE_COLUMNS]


def top_split(campaign: Campaign, study_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(top, rest): the study's COMPLETE trials with a finite value, the best
    ``ceil(TOP_FRACTION · n)`` first. Both empty for a multi-objective study."""
    study = campaign.studies.set_index("study_id").loc[study_id]
    trials = campaign.study_trials(study_id)
    direction = study["direction"]
    if direction not in ("minimize", "maximize"):
        return trials.iloc[0:0], trials.iloc[0:0]
    complete = trials[(trials["state"] == "COMPLETE") & np.isfinite(trials["value"].astype(float))]
    ordered = complete.sort_values(
        ["value", "number"], ascending=[direction == "minimize", True], kind="stable"
    )
    n_top = math.ceil(TOP_FRACTION * len(ordered))
    return ordered.iloc[:n_top], ordered.iloc[n_top:]


def _numeric(values: list[Any]) -> list[float]:
    return [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]


def top_vs_rest(campaign: Campaign, study_id: int) -> pd.DataFrame:
    """Each param's distribution in the top 10 % of trials and in the rest.

    Columns: ``param, kind, statistic, top, rest``. Numeric params: ``n`` then the
    quantiles ``min, q25, median, q75, max`` (linear interpolation); categorical params: ``n``
    then one row per choice (in Optuna's order) with counts. Empty for multi-objective studies.
    """
    top, rest = top_split(campaign, study_id)
    rows: list[dict[str, Any]] = []
    if top.empty:
        return pd.DataFrame(rows, columns=TOP_REST_COLUMNS)
    params = campaign.details["params"]
    names = sorted({n for p in params.loc[campaign.study_trials(study_id).index] for n in p})
    for name in names:
        scale = param_scale(campaign, study_id, name)
        groups = [
            [params[k][name] for k in part.index if name in params[k]] for part in (top, rest)
        ]
        kind = "categorical" if scale == "categorical" else "numeric"
        rows.append(
            {
                "param": name,
                "kind": kind,
                "statistic": "n",
                "top": len(groups[0]),
                "rest": len(groups[1]),
            }
        )
        if kind == "categorical":
            for choice in param_choices(campaign, study_id, name):
                counts = [
                    sum(1 for v in g if type(v) is type(choice) and v == choice) for g in groups
                ]
                rows.append(
                    {
                        "param": name,
                        "kind": kind,
                        "statistic": choice_label(choice),
                        "top": counts[0],
                        "rest": counts[1],
                    }
                )
            continue
        numbers = [_numeric(g) for g in groups]
        for statistic, q in zip(NUMERIC_STATISTICS, _QUANTILES, strict=True):
            rows.append(
                {
                    "param": name,
                    "kind": kind,
                    "statistic": statistic,
                    "top": float(np.quantile(numbers[0], q)) if numbers[0] else math.nan,
                    "rest": float(np.quantile(numbers[1], q)) if numbers[1] else math.nan,
                }
            )
    return pd.DataFrame(rows, columns=TOP_REST_COLUMNS, dtype=object)
