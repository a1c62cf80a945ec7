"""The ADBC SQLite reader (``hpo-tui[fast]``) and Python's ``sqlite3`` give the same campaign."""

from __future__ import annotations

import math
from pathlib import Path

import optuna
import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.storage.rdb.drivers import adbc_sqlite
from tests.conftest import BuiltStorage
from tests.helpers.compare import assert_same_campaign

pytest.importorskip("adbc_driver_sqlite")


def _load(spec: str, driver: str, monkeypatch: pytest.MonkeyPatch) -> Campaign:
    with monkeypatch.context() as patch:
        patch.setenv("HPO_TUI_SQLITE_DRIVER", driver)
        assert (adbc_sqlite() is None) == (driver == "sqlite3")
        return load_campaign([spec])


def test_adbc_and_sqlite3_read_the_same(
    sqlite_storage: BuiltStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert_same_campaign(
        _load(sqlite_storage.spec, "adbc", monkeypatch),
        _load(sqlite_storage.spec, "sqlite3", monkeypatch),
    )


def test_column_types_that_change_after_the_first_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ADBC infers a column's type from its first rows (1024 by default): more than that
    many NaN (stored as NULL) intermediate values before the first number must still read."""
    path = tmp_path / "nulls_first.db"
    study = optuna.create_study(study_name="nulls_2M_h1", storage=f"sqlite:///{path}")
    optuna.logging.set_verbosity(optuna.logging.ERROR)

    def objective(trial: optuna.Trial) -> float:
        for step in range(1100):
            trial.report(math.nan if trial.number == 0 else 1.0 / (step + 1), step)
        return 0.5

    study.optimize(objective, n_trials=2)
    adbc = _load(str(path), "adbc", monkeypatch)
    assert_same_campaign(adbc, _load(str(path), "sqlite3", monkeypatch))
    first, second = (adbc.trial_curves(k)["value"] for k in adbc.trials["key"])
    assert first.isna().all() and len(first) == 1100
    assert second.iloc[-1] == 1.0 / 1100


def test_a_driver_that_cannot_open_the_file_falls_back_to_sqlite3(
    sqlite_storage: BuiltStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the ADBC driver fails to open (a broken install, a shared library that does not
    load), the file is read through sqlite3 instead of failing."""
    import adbc_driver_sqlite.dbapi

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("cannot load the driver library")

    expected = _load(sqlite_storage.spec, "sqlite3", monkeypatch)
    monkeypatch.setattr(adbc_driver_sqlite.dbapi, "connect", broken)
    assert_same_campaign(_load(sqlite_storage.spec, "adbc", monkeypatch), expected)


@pytest.mark.parametrize("driver", ["adbc", "sqlite3"])
@pytest.mark.parametrize("text", ["[1.0, 2.0", "{not json}", "[1.0, NaN, nope]"])
def test_an_attr_that_is_not_json_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, driver: str, text: str
) -> None:
    """Decoding runs beside the read of the intermediate values; its error still names the
    file and the problem."""
    import sqlite3

    from hpo_tui.core import SourceError

    path = tmp_path / "bad_attr.db"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(study_name="bad_2M_h1", storage=f"sqlite:///{path}")

    def objective(trial: optuna.Trial) -> float:
        trial.set_user_attr("val_losses", [1.0, 0.5])
        trial.report(0.5, 0)
        return 0.5

    study.optimize(objective, n_trials=2)
    with sqlite3.connect(path) as conn:  # the corruption a broken writer could leave
        conn.execute("UPDATE trial_user_attributes SET value_json = ? WHERE trial_id = 1", (text,))
    with pytest.raises(SourceError) as caught:
        _load(str(path), driver, monkeypatch)
    assert "a trial user attribute holds invalid JSON" in str(caught.value)
    assert str(path) in str(caught.value)
