"""Search space and methodology tables, from stored distributions only."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.space import (
    SPACE_COLUMNS,
    describe_distribution,
    merged_space,
    study_space,
)
from hpo_tui.core.export.methods import methods_document, render_space, space_table
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.model.details import DetailTables
from tests.helpers.golden import GOLDEN_SPEC


@pytest.fixture(scope="module")
def spaces(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Spaces differ by budget; one study's space changed mid-way; hostile names."""
    path = tmp_path_factory.mktemp("space") / "space.db"
    url = f"sqlite:///{path}"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    for budget, ceiling, widths in (("2M", 0.1, [8, 16]), ("2B", 0.01, [64, 128])):
        for horizon in ("h1", "h3"):
            study = optuna.create_study(
                study_name=f"sp_{budget}_{horizon}",
                storage=url,
                sampler=optuna.samplers.RandomSampler(0),
            )

            def objective(trial: optuna.Trial, ceiling: float = ceiling, widths=widths) -> float:
                trial.suggest_float("learning_rate", 1e-5, ceiling, log=True)
                trial.suggest_categorical("width", widths)
                trial.suggest_categorical("act_[x]&%", ["relu|gelu", "a_b", "$\\{}"])
                return 1.0

            study.optimize(objective, n_trials=3)
    edited = optuna.load_study(study_name="sp_2B_h3", storage=url)
    edited.optimize(lambda t: t.suggest_int("n_layers", 1, 4) + 0.0, n_trials=2)
    edited.optimize(lambda t: t.suggest_int("n_layers", 1, 8) + 0.0, n_trials=3)  # widened
    return str(path)


def test_space_shows_budget_differences_and_mid_way_changes(spaces: str) -> None:
    campaign = load_campaign([spaces])
    merged = merged_space(campaign)
    lr = merged[merged["param"] == "learning_rate"].set_index("used_by")
    assert lr.loc["budget 2M", "high"] == 0.1 and lr.loc["budget 2B", "high"] == 0.01
    assert bool(lr.loc["budget 2M", "log"]) is True
    layers = merged[merged["param"] == "n_layers"]
    assert sorted(layers["high"]) == [4, 8]
    assert all(type(v) is int for v in layers["high"])  # int bounds stay ints
    assert set(layers["changed_within"]) == {"sp_2B_h3"}
    assert sorted(layers["n_trials"]) == [2, 3]
    per_study = study_space(campaign)
    edited = per_study[(per_study["study"] == "sp_2B_h3") & (per_study["param"] == "n_layers")]
    assert list(edited["variants"]) == [2, 2]
    assert list(edited["first_trial"]) == [3, 5] and list(edited["last_trial"]) == [4, 7]
    act = merged[merged["param"] == "act_[x]&%"]
    assert list(act["used_by"]) == ["all studies"]


@pytest.mark.parametrize("fmt", ["markdown", "latex"])
def test_space_and_methods_golden(
    spaces: str, fmt: str, golden, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(Path(spaces).parent)
    campaign = load_campaign(["space.db"])
    space = render_space(campaign, fmt)
    assert golden(f"space/space.{fmt}") == space
    document = methods_document(campaign, fmt)
    # datetimes differ per build: compare everything but the timing columns
    assert "Not recorded in the storage" in document
    assert space in document


def test_escaping_per_format(spaces: str) -> None:
    campaign = load_campaign([spaces])
    latex = render_space(campaign, "latex")
    assert r"act\_[x]\&\%" in latex
    assert r"\$\textbackslash{}\textbackslash{}\{\}" in latex  # JSON's "\\" escaped for TeX
    markdown = render_space(campaign, "markdown")
    assert r"act\_\[x\]&%" in markdown
    assert r"relu\|gelu" in markdown  # a pipe would split the table cell


def test_space_table_keeps_exact_bounds(spaces: str) -> None:
    table = space_table(load_campaign([spaces]))
    assert "[1e-05, 0.1]" in table["Range / choices"].tolist()


def _space_from_details(campaign: Campaign) -> pd.DataFrame:
    """The reference: ``study_space`` counted trial by trial from each trial's details (how
    it was computed before it read the long params table)."""
    trials = campaign.trials
    counts: dict[tuple[int, str, str], list[int]] = {}
    for study_id, number, distributions in zip(
        trials["study_id"], trials["number"], campaign.details["distributions"], strict=True
    ):
        for name, text in distributions.items():
            counts.setdefault((int(study_id), str(name), str(text)), []).append(int(number))
    studies = campaign.studies.set_index("study_id")
    rows = [
        {
            "study_id": study_id,
            "study": studies.loc[study_id, "study"],
            **{axis: studies.loc[study_id, axis] for axis in campaign.axis_names},
            "param": name,
            **describe_distribution(text),
            "n_trials": len(numbers),
            "first_trial": min(numbers),
            "last_trial": max(numbers),
        }
        for (study_id, name, text), numbers in counts.items()
    ]
    columns = ["study_id", "study", *campaign.axis_names, *SPACE_COLUMNS]
    columns += ["n_trials", "first_trial", "last_trial"]
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    for column in ("study_id", "n_trials", "first_trial", "last_trial"):
        frame[column] = frame[column].astype(np.int64)
    frame["variants"] = frame.groupby(["study_id", "param"])["param"].transform("size")
    return frame.sort_values(["param", "study_id", "first_trial"], kind="stable").reset_index(
        drop=True
    )


def _shuffled(campaign: Campaign, seed: int) -> Campaign:
    """The same campaign with its params rows in another order, one row repeated with an
    edited distribution (a trial's last row is the one its details keep) and one row of a
    trial the campaign does not hold."""
    params = campaign.detail_tables.params
    rng = np.random.default_rng(seed)
    shuffled = params.iloc[rng.permutation(len(params))].reset_index(drop=True)
    repeated = shuffled.iloc[[0]].assign(
        distribution_json='{"name": "IntDistribution", '
        '"attributes": {"log": false, "step": 1, "low": 0, "high": 99}}'
    )
    stranger = shuffled.iloc[[1]].assign(key=int(campaign.trials["key"].max()) + 1)
    tables = DetailTables(
        pd.concat([shuffled, repeated, stranger], ignore_index=True),
        campaign.detail_tables.user_attrs,
        campaign.detail_tables.system_attrs,
    )
    return dataclasses.replace(campaign, detail_tables=tables, _details=None)


@pytest.mark.parametrize("which", ["spaces", "golden", "patterns", "shuffled"])
def test_study_space_counts_the_trials_details_do(
    which: str, spaces: str, patterns_db: Path
) -> None:
    spec = {"spaces": spaces, "golden": GOLDEN_SPEC, "patterns": str(patterns_db)}
    campaign = load_campaign([spec.get(which, spaces)])
    if which == "shuffled":
        campaign = _shuffled(campaign, seed=3)
    pd.testing.assert_frame_equal(study_space(campaign), _space_from_details(campaign))
