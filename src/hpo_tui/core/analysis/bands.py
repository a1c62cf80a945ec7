"""Parallel coordinates, terminal-style: where the top k % of a study's trials sit in each
param, against all its trials.

The trials ranked are the study's COMPLETE trials with the objective stored, except the
infeasible ones of a constrained study (never among the best, as in Optuna); ``all`` means
all of them. The top k % are the best ``ceil(k % · n)``, direction-aware, ties broken by
trial number (the same rule as the top 10 % of the slice view and PED-ANOVA). In a
multi-objective study the trials are ranked by one objective (objective 0 unless asked).

Quantiles interpolate linearly (pandas' and numpy's default).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.analysis.defaults import DEFAULT_TOP_PERCENT
from hpo_tui.core.analysis.params import ParamInfo, numeric, param_infos, study_param_values
from hpo_tui.core.analysis.patterns import choice_label
from hpo_tui.core.errors import HpoTuiError
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.model.constraints import infeasible_mask
from hpo_tui.core.model.objectives import StudyObjectives, objective_values, study_objectives

TOP_PERCENT_CHOICES = (5.0, 10.0, 20.0, 25.0, 50.0)  # what the TUI's k key cycles through
BAND_COLUMNS = ["param", "scale", "statistic", "top", "all"]
NUMERIC_STATISTICS = ("n", "min", "q25", "median", "q75", "max")
_QUANTILES = {"min": 0.0, "q25": 0.25, "median": 0.5, "q75": 0.75, "max": 1.0}


def check_top_percent(percent: float) -> float:
    """``percent`` when it is in (0, 100].

    Raises:
        HpoTuiError: otherwise.
    """
    if not (0.0 < percent <= 100.0) or math.isnan(percent):
        raise HpoTuiError(f"top {percent:g} %: the share must be above 0 and at most 100")
    return percent


def _objectives(campaign: Campaign, study_id: int) -> StudyObjectives:
    return study_objectives(campaign.studies.set_index("study_id").loc[study_id])


def check_objective(campaign: Campaign, study_id: int, objective: int) -> StudyObjectives:
    """The study's objectives, when ``objective`` is one of them.

    Raises:
        HpoTuiError: an index the study does not have.
    """
    info = _objectives(campaign, study_id)
    if not 0 <= objective < len(info):
        raise HpoTuiError(
            f"objective {objective} does not exist: the study has {len(info)} "
            f"(0 to {len(info) - 1}: {', '.join(info.names)})"
        )
    return info


def ranked_trials(campaign: Campaign, study_id: int, objective: int = 0) -> pd.DataFrame:
    """The trials ranked (see the module docstring), best first; a ``rank`` column from 1."""
    info = check_objective(campaign, study_id, objective)
    column, direction = info.columns[objective], info.directions[objective]
    trials = campaign.study_trials(study_id)
    values = objective_values(trials, [column])[:, 0]
    keep = (trials["state"].to_numpy(dtype=object) == "COMPLETE") & ~np.isnan(values)
    keep &= ~infeasible_mask(trials)
    ranked = (
        trials[keep]
        .assign(**{column: values[keep]})
        .sort_values([column, "number"], ascending=[direction != "maximize", True], kind="stable")
    )
    return ranked.assign(rank=np.arange(1, len(ranked) + 1, dtype=np.int64))


def top_count(n_ranked: int, percent: float) -> int:
    """How many trials the top ``percent`` % of ``n_ranked`` holds: ``ceil``, at least one
    when there is any (a rounding error of the percentage does not add a trial)."""
    if n_ranked == 0:
        return 0
    return max(1, math.ceil(round(percent / 100.0 * n_ranked, 9)))


def _values_by_param(
    campaign: Campaign, study_id: int
) -> tuple[pd.DataFrame, dict[str, ParamInfo]]:
    values = study_param_values(campaign, study_id)
    return values, param_infos(values)


def param_bands(
    campaign: Campaign,
    study_id: int,
    top_percent: float = DEFAULT_TOP_PERCENT,
    objective: int = 0,
) -> pd.DataFrame:
    """Each param of the study in its top ``top_percent`` % and in all ranked trials.

    Columns: ``param, scale, statistic, top, all``. ``scale`` is ``linear``, ``log`` or
    ``categorical``. A numeric param has the rows ``n, min, q25, median, q75, max``; a
    categorical one ``n`` then one row per choice, in Optuna's order (the choice as text:
    strings as they are, other values as JSON), holding counts. ``n`` counts the trials
    that sampled the param.
    """
    check_top_percent(top_percent)
    ranked = ranked_trials(campaign, study_id, objective)
    n_top = top_count(len(ranked), top_percent)
    top_keys = ranked["key"].to_numpy(dtype=np.int64)[:n_top]
    all_keys = ranked["key"].to_numpy(dtype=np.int64)
    values, infos = _values_by_param(campaign, study_id)
    keys = values["key"].to_numpy(dtype=np.int64)
    rows: list[dict[str, Any]] = []
    for name, info in infos.items():
        mine = values[values["param_name"].to_numpy(dtype=object) == name]
        mine_keys = keys[values["param_name"].to_numpy(dtype=object) == name]
        groups = [mine["value"][np.isin(mine_keys, k)] for k in (top_keys, all_keys)]
        rows.append(_row(name, info.scale, "n", len(groups[0]), len(groups[1])))
        if info.categorical:
            for choice in info.choices:
                counts = [
                    sum(1 for v in g.tolist() if type(v) is type(choice) and v == choice)
                    for g in groups
                ]
                rows.append(_row(name, info.scale, choice_label(choice), *counts))
            continue
        numbers = [numeric(g) for g in groups]
        numbers = [n[~np.isnan(n)] for n in numbers]
        for statistic, q in _QUANTILES.items():
            top, every = (float(np.quantile(n, q)) if len(n) else math.nan for n in numbers)
            rows.append(_row(name, info.scale, statistic, top, every))
    return pd.DataFrame(rows, columns=BAND_COLUMNS, dtype=object)


def _row(param: str, scale: str, statistic: str, top: Any, every: Any) -> dict[str, Any]:
    return {"param": param, "scale": scale, "statistic": statistic, "top": top, "all": every}


def top_trials(
    campaign: Campaign,
    study_id: int,
    top_percent: float = DEFAULT_TOP_PERCENT,
    objective: int = 0,
) -> pd.DataFrame:
    """The top ``top_percent`` % trials, best first: what the param strip draws.

    Columns: ``rank, number``, the objective ranked by (named by the study's
    ``metric_names`` when stored, else ``value`` / ``values_<i>``), then one ``param_<name>``
    column per param of the study (the value as Optuna returns it; empty where the trial
    did not sample it).
    """
    check_top_percent(top_percent)
    ranked = ranked_trials(campaign, study_id, objective)
    top = ranked.iloc[: top_count(len(ranked), top_percent)]
    values, infos = _values_by_param(campaign, study_id)
    params = [f"param_{name}" for name in infos]
    info = study_objectives(
        campaign.studies.set_index("study_id").loc[study_id], ("rank", "number", *params)
    )
    table: dict[str, Any] = {
        "rank": top["rank"].to_numpy(dtype=np.int64),
        "number": top["number"].to_numpy(dtype=np.int64),
        info.names[objective]: top[info.columns[objective]].to_numpy(dtype=float),
    }
    wide = values.pivot(index="key", columns="param_name", values="value")
    keys = top["key"].to_numpy(dtype=np.int64)
    for name in infos:
        column = wide[name].reindex(keys) if name in wide.columns else pd.Series(index=keys)
        series = pd.Series(column.to_numpy(dtype=object))
        table[f"param_{name}"] = series.where(series.notna(), None).to_numpy(dtype=object)
    return pd.DataFrame(table)


def param_position(value: Any, info: ParamInfo) -> float:
    """Where ``value`` sits in the param's search space, from 0 (``low``, the first choice)
    to 1 (``high``, the last choice), on a log scale for log params; NaN when unknown."""
    if info.categorical:
        index = info.choice_index(value)
        if index is None:
            return math.nan
        return 0.5 if len(info.choices) == 1 else index / (len(info.choices) - 1)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return math.nan
    low, high, x = info.low, info.high, float(value)
    if info.scale == "log":
        if low <= 0 or x <= 0:
            return math.nan
        low, high, x = math.log10(low), math.log10(high), math.log10(x)
    if not high > low:
        return 0.5
    return min(1.0, max(0.0, (x - low) / (high - low)))


def study_param_infos(campaign: Campaign, study_id: int) -> dict[str, ParamInfo]:
    """Each param's scale, bounds and choices in the study (see :mod:`.params`)."""
    return param_infos(study_param_values(campaign, study_id))
