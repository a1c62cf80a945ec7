"""Objective names: Optuna's stored metric names, else the value columns."""

from __future__ import annotations

from pathlib import Path

import optuna
import pandas as pd

from hpo_tui.core import load_campaign
from hpo_tui.core.model.objectives import (
    header_names,
    objective_columns,
    objective_headers,
    objective_names,
    study_objectives,
)


def test_names_fall_back_to_the_value_columns() -> None:
    assert objective_names({}, 1) == ["value"]
    assert objective_names(None, 2) == ["values_0", "values_1"]
    assert objective_columns(3) == ["values_0", "values_1", "values_2"]
    # A stored list of the wrong length is not trusted to name the objectives.
    assert objective_names({"study:metric_names": ["a"]}, 2) == ["values_0", "values_1"]


def _named_study(folder: Path, metric_names: list[str]) -> pd.Series:
    """The studies row of a minimize/maximize study whose metric names Optuna stored."""
    path = folder / "named.db"
    study = optuna.create_study(storage=f"sqlite:///{path}", directions=["minimize", "maximize"])
    study.set_metric_names(metric_names)
    study.optimize(lambda trial: (trial.suggest_float("x", 0, 1), 0.5), n_trials=1)
    return load_campaign([str(path)]).studies.iloc[0]


def test_names_stored_by_optuna_are_read(tmp_path: Path) -> None:
    row = _named_study(tmp_path, ["val_loss", "accuracy"])
    assert objective_names(row["system_attrs"], int(row["n_objectives"])) == [
        "val_loss",
        "accuracy",
    ]


def test_header_names_fall_back_where_a_name_cannot_be_a_header() -> None:
    columns = ["values_0", "values_1", "values_2"]
    assert header_names(["loss", "acc", "time"], columns, ()) == ["loss", "acc", "time"]
    # Beside a "number" column, repeated, or empty: the column name instead.
    assert header_names(["number", "acc", "acc"], columns, {"number"}) == columns
    assert header_names(["", "acc", "time"], columns, ()) == ["values_0", "acc", "time"]


def test_study_objectives(tmp_path: Path) -> None:
    row = _named_study(tmp_path, ["val_loss", "number"])
    objectives = study_objectives(row, taken=("number",))
    assert objectives.columns == ["values_0", "values_1"]
    assert objectives.names == ["val_loss", "values_1"]
    assert objectives.directions == ["minimize", "maximize"]
    assert objectives.label(0) == "val_loss (minimize)"


def test_objective_headers_need_every_study_to_agree(tmp_path: Path) -> None:
    path = tmp_path / "three.db"
    url = f"sqlite:///{path}"
    for name, names in (("a", ["val_loss", "accuracy"]), ("b", ["val_loss", "acc"]), ("c", None)):
        study = optuna.create_study(
            study_name=name, storage=url, directions=["minimize", "maximize"]
        )
        if names:
            study.set_metric_names(names)
        study.optimize(lambda t: (t.suggest_float("x", 0, 1), 0.5), n_trials=1)
    single = optuna.create_study(study_name="d", storage=url)
    single.set_metric_names(["loss"])
    single.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    studies = load_campaign([str(path)]).studies.set_index("study")
    taken = ["number", "state"]
    assert objective_headers(studies.loc[["a"]], taken) == {
        "values_0": "val_loss",
        "values_1": "accuracy",
    }
    # b calls objective 1 otherwise: that column keeps its name.
    assert objective_headers(studies.loc[["a", "b"]], taken) == {"values_0": "val_loss"}
    # c stored no names: none is shared.
    assert objective_headers(studies.loc[["a", "c"]], taken) == {}
    assert objective_headers(studies.loc[["a", "d"]], taken) == {
        "values_0": "val_loss",
        "values_1": "accuracy",
        "value": "loss",
    }
    assert objective_headers(studies.loc[["a"]], ["val_loss"]) == {"values_1": "accuracy"}


def test_export_names_the_objectives(tmp_path: Path) -> None:
    import json
    from datetime import UTC, datetime

    from hpo_tui.core.export.writer import FULL_JSON, README, render_export

    path = tmp_path / "named.db"
    study = optuna.create_study(
        study_name="named_2M_h1", storage=f"sqlite:///{path}", directions=["minimize", "maximize"]
    )
    study.set_metric_names(["val_loss", "accuracy"])
    study.optimize(lambda trial: (trial.suggest_float("x", 0, 1), 0.5), n_trials=1)
    files = render_export(load_campaign([str(path)]), datetime(2026, 1, 1, tzinfo=UTC))
    readme = str(files[README])
    assert (
        "| `named_2M_h1` | `values_0` = val_loss (minimize), `values_1` = accuracy (maximize) |"
        in readme
    )
    document = json.loads(str(files[FULL_JSON]))
    assert document["studies"][0]["objectives"] == [
        {"column": "values_0", "name": "val_loss", "direction": "minimize"},
        {"column": "values_1", "name": "accuracy", "direction": "maximize"},
    ]
