"""Slice points and top-10 % vs rest distributions on studies of known structure."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.patterns import param_scale, slice_points, top_split, top_vs_rest
from tests.helpers.golden import GOLDEN_DB
from tests.helpers.patterns_campaign import (
    DIVERGE_ABOVE,
    FEW,
    N_STRONG,
    STRONG,
    TRAP,
)
from tests.helpers.studies import study_id_of


@pytest.fixture(scope="module")
def campaign(patterns_db: Path):
    return load_campaign([str(patterns_db)])


def test_slice_points_keep_diverged_trials_without_value(campaign) -> None:
    points = slice_points(campaign, study_id_of(campaign, STRONG), "learning_rate")
    assert list(points.columns) == [
        "number",
        "state",
        "value",
        "diverged",
        "diverged_reason",
        "param_value",
    ]
    assert len(points) == N_STRONG  # every trial sampled it: COMPLETE or diverged
    diverged = points[points["diverged"]]
    assert len(diverged) >= 1
    assert (diverged["param_value"] > DIVERGE_ABOVE).all()
    assert diverged["value"].isna().all() and (diverged["state"] == "FAIL").all()
    complete = points[~points["diverged"]]
    for lr, value in zip(complete["param_value"], complete["value"], strict=True):
        assert value == pytest.approx((math.log10(lr) + 3) ** 2)
    assert points["number"].is_monotonic_increasing


def test_param_scale_from_the_stored_distribution(campaign) -> None:
    study = study_id_of(campaign, STRONG)
    assert param_scale(campaign, study, "learning_rate") == "log"
    assert param_scale(campaign, study, "dropout") == "linear"
    assert param_scale(campaign, study, "width") == "linear"
    assert param_scale(campaign, study, "activation") == "categorical"


def test_top_split_is_direction_aware(campaign) -> None:
    top, rest = top_split(campaign, study_id_of(campaign, TRAP))
    assert len(top) == 8 and len(rest) == 72  # ceil(10 % of 80)
    assert top["value"].min() >= rest["value"].max()  # maximize: the highest values
    top, rest = top_split(campaign, study_id_of(campaign, STRONG))
    assert top["value"].max() <= rest["value"].min()  # minimize: the lowest


def test_top_vs_rest_numeric_quantiles_and_categorical_counts(campaign) -> None:
    table = top_vs_rest(campaign, study_id_of(campaign, TRAP))
    assert list(table.columns) == ["param", "kind", "statistic", "top", "rest"]
    x = table[table["param"] == "x"].set_index("statistic")
    assert list(x.index) == ["n", "min", "q25", "median", "q75", "max"]
    assert x.loc["n", "top"] == 8 and x.loc["n", "rest"] == 72
    assert x.loc["min", "top"] > -0.2 and x.loc["max", "top"] < 0.2  # the narrow peak
    assert x.loc["min", "rest"] < -0.5 and x.loc["max", "rest"] > 0.5
    assert list(table["param"].unique()) == ["x", "y"]

    strong = top_vs_rest(campaign, study_id_of(campaign, STRONG))
    activation = strong[strong["param"] == "activation"].set_index("statistic")
    assert list(activation["kind"].unique()) == ["categorical"]
    assert list(activation.index) == ["n", "relu", "gelu", "tanh"]  # Optuna's choice order
    counts = activation.drop(index="n")
    assert counts["top"].sum() == activation.loc["n", "top"]
    assert counts["rest"].sum() == activation.loc["n", "rest"]
    assert all(type(v) is int for v in activation["top"])


def test_small_and_multi_objective_studies(campaign, tmp_path: Path) -> None:
    few = top_vs_rest(campaign, study_id_of(campaign, FEW))
    n = few[few["statistic"] == "n"].iloc[0]
    assert (n["top"], n["rest"]) == (1, 7)  # ceil(0.8) = 1: descriptive, shown with its n
    golden = load_campaign([str(GOLDEN_DB)])
    multi = int(golden.studies.set_index("study")["study_id"]["fx_multi_20M_h5"])
    assert top_vs_rest(golden, multi).empty  # no single "best" without one objective
