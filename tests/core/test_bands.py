"""Param bands of the top k % against all trials, checked against pandas quantiles on
Optuna's own ``trials_dataframe()`` (and counts of the categorical choices)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.bands import (
    param_bands,
    param_position,
    ranked_trials,
    top_count,
    top_trials,
)
from hpo_tui.core.analysis.params import ParamInfo
from hpo_tui.core.errors import HpoTuiError
from hpo_tui.core.model.campaign import Campaign
from tests.core.conftest import Loaded
from tests.helpers.multi_objective import KEYED, LISTED, NSGA, RANDOM
from tests.helpers.patterns_campaign import STRONG, TRAP
from tests.helpers.studies import study_id_of


def _expected_top(
    storage: Any, name: str, percent: float, objective: int
) -> tuple[pd.DataFrame, pd.DataFrame, optuna.Study]:
    """(top, all) rows of Optuna's trials_dataframe: COMPLETE, feasible, ranked by hand."""
    study = optuna.load_study(study_name=name, storage=storage)
    frame = study.trials_dataframe(multi_index=False)
    infeasible = {t.number for t in study.trials if any(v > 0 for v in t.constraints.values())}
    frame = frame[(frame["state"] == "COMPLETE") & ~frame["number"].isin(infeasible)]
    value_columns = [c for c in frame.columns if c == "value" or c.startswith("values_")]
    column = value_columns[objective]
    maximize = study.directions[objective].name == "MAXIMIZE"
    ranked = frame.sort_values([column, "number"], ascending=[not maximize, True])
    n_top = math.ceil(percent / 100 * len(ranked))
    return ranked.iloc[:n_top], ranked, study


Case = tuple[str, float, int]  # study name, top percent, objective
Check = Callable[[Campaign, Any, str, float, int], None]

PATTERN_CASES: list[Case] = [
    (STRONG, 10.0, 0),  # minimize; a log, an int and a categorical param
    (TRAP, 25.0, 0),  # maximize
]
MULTI_CASES: list[Case] = [
    (NSGA, 20.0, 1),  # ranked by accuracy (maximize)
    (RANDOM, 10.0, 2),  # a failed trial, an inf in another objective
    (LISTED, 50.0, 0),  # constrained: the infeasible trials are never top
    (KEYED, 10.0, 1),
]


def _case_id(case: Case) -> str:
    return "-".join(map(str, case))


def _check_bands(
    campaign: Campaign, storage: Any, name: str, percent: float, objective: int
) -> None:
    bands = param_bands(campaign, study_id_of(campaign, name), percent, objective)
    top, every, study = _expected_top(storage, name, percent, objective)
    distributions = {k: v for t in study.trials for k, v in t.distributions.items()}
    assert sorted(bands["param"].unique()) == sorted(distributions)
    for param, distribution in distributions.items():
        rows = bands[bands["param"] == param].set_index("statistic")
        column = f"params_{param}"
        parts = {"top": top[column].dropna(), "all": every[column].dropna()}
        for part, values in parts.items():
            assert rows.loc["n", part] == len(values)
        if isinstance(distribution, optuna.distributions.CategoricalDistribution):
            labels = [c if isinstance(c, str) else json.dumps(c) for c in distribution.choices]
            assert list(rows.index[1:]) == labels
            for choice, label in zip(distribution.choices, labels, strict=True):
                for part, values in parts.items():
                    assert rows.loc[label, part] == int((values == choice).sum())
            continue
        expected_scale = "log" if distribution.log else "linear"
        assert set(rows["scale"]) == {expected_scale}
        for statistic, q in (("min", 0), ("q25", 0.25), ("median", 0.5), ("q75", 0.75)):
            for part, values in parts.items():
                assert rows.loc[statistic, part] == pytest.approx(
                    values.astype(float).quantile(q), rel=1e-12
                )
        for part, values in parts.items():
            assert rows.loc["max", part] == values.astype(float).max()


def _check_top_trials(
    campaign: Campaign, storage: Any, name: str, percent: float, objective: int
) -> None:
    table = top_trials(campaign, study_id_of(campaign, name), percent, objective)
    top, _, study = _expected_top(storage, name, percent, objective)
    assert list(table["number"]) == list(top["number"])
    assert list(table["rank"]) == list(range(1, len(top) + 1))
    by_number = {t.number: t for t in study.trials}
    for row in table.to_dict("records"):
        trial = by_number[row["number"]]
        assert row[table.columns[2]] == trial.values[objective]
        for param, value in trial.params.items():
            assert row[f"param_{param}"] == value and type(row[f"param_{param}"]) is type(value)


# Each check against Optuna's trials_dataframe, on each study of PATTERN_CASES / MULTI_CASES.
CHECKS = pytest.mark.parametrize(
    "check", [_check_bands, _check_top_trials], ids=["bands", "top_trials"]
)


@CHECKS
@pytest.mark.parametrize("case", PATTERN_CASES, ids=_case_id)
def test_single_objective_studies(patterns_loaded: Loaded, case: Case, check: Check) -> None:
    check(*patterns_loaded, *case)


@CHECKS
@pytest.mark.parametrize("case", MULTI_CASES, ids=_case_id)
def test_multi_objective_studies(multi_loaded: Loaded, case: Case, check: Check) -> None:
    check(*multi_loaded, *case)


def test_objective_named_by_the_metric_names(multi_loaded: Loaded) -> None:
    campaign, _ = multi_loaded
    assert top_trials(campaign, study_id_of(campaign, NSGA), objective=1).columns[2] == "accuracy"
    assert top_trials(campaign, study_id_of(campaign, RANDOM)).columns[2] == "values_0"
    with pytest.raises(HpoTuiError, match="objective 3 does not exist"):
        param_bands(campaign, study_id_of(campaign, RANDOM), objective=3)
    with pytest.raises(HpoTuiError, match="above 0 and at most 100"):
        param_bands(campaign, study_id_of(campaign, RANDOM), top_percent=0)


def test_top_count() -> None:
    assert top_count(0, 10) == 0
    assert top_count(5, 10) == 1  # ceil(0.5)
    assert top_count(53, 10) == 6  # ceil(5.3)
    assert top_count(50, 10) == 5  # not 6: 10 % of 50 is 5, whatever the float rounding
    assert top_count(30, 10) == 3
    assert top_count(7, 100) == 7


def test_ranked_trials_leave_failed_and_infeasible_out(multi_loaded: Loaded) -> None:
    campaign, storage = multi_loaded
    ranked = ranked_trials(campaign, study_id_of(campaign, LISTED))
    study = optuna.load_study(study_name=LISTED, storage=storage)
    feasible = [
        t.number
        for t in study.trials
        if t.state.name == "COMPLETE" and all(v <= 0 for v in t.constraints.values())
    ]
    assert sorted(ranked["number"]) == sorted(feasible)
    assert 0 not in set(ranked["number"])  # the infeasible trial that dominates the rest


def test_param_position() -> None:
    log = ParamInfo("lr", "log", low=1e-4, high=1e-1)
    assert param_position(1e-4, log) == 0.0 and param_position(1e-1, log) == 1.0
    assert param_position(1e-2, log) == pytest.approx(2 / 3)  # 2 of 3 decades
    linear = ParamInfo("x", "linear", low=0.0, high=4.0)
    assert param_position(1, linear) == 0.25 and math.isnan(param_position(None, linear))
    choices = ParamInfo("act", "categorical", choices=["relu", "gelu", True, 1])
    assert param_position("gelu", choices) == pytest.approx(1 / 3)
    assert param_position(1, choices) == 1.0 and param_position(True, choices) == pytest.approx(
        2 / 3
    )
    assert math.isnan(param_position("selu", choices))


def test_constant_param_sits_in_the_middle(tmp_path: Path) -> None:
    path = tmp_path / "one.db"
    study = optuna.create_study(study_name="one_2M_h1", storage=f"sqlite:///{path}")
    study.optimize(lambda t: t.suggest_float("x", 0.0, 1.0) + t.suggest_int("k", 3, 3), n_trials=3)
    campaign = load_campaign([str(path)])
    bands = param_bands(campaign, study_id_of(campaign, "one_2M_h1"), 50.0)
    k = bands[bands["param"] == "k"].set_index("statistic")
    assert list(k["top"]) == [2, 3, 3, 3, 3, 3] and list(k["all"]) == [3, 3, 3, 3, 3, 3]
    assert np.isclose(param_position(3, ParamInfo("k", "linear", low=3, high=3)), 0.5)
