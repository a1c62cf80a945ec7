"""Edge cases found in review: each once crashed or gave a wrong result."""

from __future__ import annotations

import json
from pathlib import Path

import optuna
import pytest

from hpo_tui.core import ConfigError, load_campaign
from hpo_tui.core.config import config_from_mapping
from hpo_tui.core.export.writer import render_export
from hpo_tui.core.storage.sources import mask_url


@pytest.fixture
def odd_storage(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'odd.db'}"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    optuna.create_study(study_name="empty_2M_h1", storage=url)  # a study with 0 trials
    study = optuna.create_study(study_name="odd_2B_h3", storage=url)
    trial = study.ask()
    trial.suggest_float("x", 0, 1)
    trial.set_user_attr("seed", 2**70)  # beyond int64
    trial.set_user_attr("diverged", True)
    trial.set_user_attr("diverged_step", 10**30)  # beyond any step
    trial.set_user_attr("mixed", [1.0, True, 2.0])  # not a curve: holds a bool
    study.tell(trial, 1.0)
    return url


def test_odd_values_load(odd_storage: str) -> None:
    campaign = load_campaign([odd_storage])
    trial = campaign.trials.iloc[0]
    assert trial["user_attr_seed"] == 2**70
    assert trial["diverged"] and trial["diverged_reason"] == "user_attr"
    assert trial["diverged_step"] is campaign.trials["diverged_step"].dtype.na_value
    assert len(campaign.curves) == 0  # [1.0, True, 2.0] is no curve
    assert trial["curve"] is None  # no curve: None, not NaN
    row = campaign.studies.set_index("study").loc["empty_2M_h1"]
    assert row["n_trials"] == 0


def test_export_writes_null_not_nan_for_a_missing_curve_name(odd_storage: str) -> None:
    from datetime import UTC, datetime

    campaign = load_campaign([odd_storage])
    document = json.loads(
        render_export(campaign, datetime(2026, 1, 1, tzinfo=UTC))["hpo_full.json"]
    )
    trial = next(s for s in document["studies"] if s["trials"])["trials"][0]
    assert trial["curve_stats"]["curve"] is None
    assert trial["user_attrs"]["seed"] == 2**70


@pytest.mark.parametrize("name", ["study", "value", "source", "param_x", "n_layers", "curve"])
def test_axis_names_cannot_shadow_columns(name: str) -> None:
    with pytest.raises(ConfigError, match="column name"):
        config_from_mapping({"axes": {"pattern": f"(?P<{name}>x)"}})


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://alice:s3cr/et@db.example:5432/optuna",
        "postgresql://alice@db.example:5432/optuna?password=s3cr/et",
        "mysql+pymysql://alice:s3cr%2Fet@db.example/optuna",
        "postgresql://alice:s3cr/et@[::1/bad",
    ],
)
def test_passwords_are_masked_everywhere_in_the_url(url: str) -> None:
    shown = mask_url(url)
    assert "s3cr" not in shown
    assert shown.startswith(url.split("://")[0] + "://")


def test_rows_of_a_trial_missing_from_trials_are_ignored(tmp_path: Path) -> None:
    """A trial row removed (by hand, or between two reads of a non-transactional copy) leaves
    its values, params, attrs and intermediate values behind: they are dropped, and the
    other trials keep all of theirs."""
    import sqlite3

    path = tmp_path / "orphans.db"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(study_name="orphans_2M_h1", storage=f"sqlite:///{path}")

    def objective(trial: optuna.Trial) -> float:
        trial.suggest_float("x", 0, 1)
        trial.set_user_attr("val_losses", [1.0, 0.5, 0.25])
        for step in range(4):
            trial.report(1.0 / (step + 1), step)
        return 0.25

    study.optimize(objective, n_trials=3)
    before = load_campaign([str(path)])
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("DELETE FROM trials WHERE number = 1")
    after = load_campaign([str(path)])
    assert sorted(after.trials["number"]) == [0, 2]
    kept = before.curves[before.curves["number"] != 1].reset_index(drop=True)
    assert after.curves.reset_index(drop=True).equals(kept)
    assert after.details["params"].map(len).tolist() == [1, 1]


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://alice:s3cret@db.example:5432/optuna",
        "postgresql+psycopg2://alice:s3cret@db.example/optuna?sslmode=require",
        "postgresql://alice@db.example:5432/optuna?password=s3cret&sslmode=require",
        "mysql+pymysql://alice:s3cr%2Fet@db.example/optuna",
        "postgresql://alice:p%40ss@[::1]:5432/optuna",
        "postgresql://db.example/optuna",
    ],
)
def test_masked_urls_read_as_sqlalchemy_renders_them(url: str) -> None:
    """``mask_url`` does without SQLAlchemy (a 0.2 s import); for well-formed URLs it shows
    what SQLAlchemy's own renderer shows with the password replaced."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.password is not None:
        parsed = parsed.set(password="***")
    query = {k: ("***" if k == "password" else v) for k, v in parsed.query.items()}
    expected = parsed.set(query=query).render_as_string(hide_password=False)
    assert mask_url(url) == expected.replace("%2A%2A%2A", "***")


def test_a_url_without_a_password_is_shown_as_typed() -> None:
    url = "postgresql:///optuna?host=/var/run/postgresql&application_name=a%20b"
    assert mask_url(url) == url
