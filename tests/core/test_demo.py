"""Tests of the demo-campaign builder (real Optuna runs of a tiny numpy model)."""

from __future__ import annotations

import ast
import math
import pathlib
from typing import Any

import optuna
import pytest

from hpo_tui import demo
from hpo_tui.demo import (
    DEMO_STUDY_NAMES,
    build_demo_storage,
    demo_storage_path,
    ensure_demo_storage,
    pool,
    studies,
    writer,
)

N_TRIALS = 6
N_EPOCHS = 8
TrialState = optuna.trial.TrialState


def _storage(path: pathlib.Path) -> optuna.storages.RDBStorage:
    return optuna.storages.RDBStorage(f"sqlite:///{path}")


def _key(value: Any) -> Any:
    """Make NaN comparable (NaN != NaN) while keeping everything else exact."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, list):
        return [_key(item) for item in value]
    if isinstance(value, dict):
        return {key: _key(item) for key, item in value.items()}
    return value


def _snapshot(path: pathlib.Path) -> dict[str, list[tuple[Any, ...]]]:
    """Everything a build must reproduce exactly (datetimes excluded)."""
    snapshot = {}
    storage = _storage(path)
    for name in optuna.get_all_study_names(storage):
        study = optuna.load_study(study_name=name, storage=storage)
        snapshot[name] = [
            (
                trial.number,
                trial.state,
                _key(trial.value),
                trial.params,
                _key(trial.intermediate_values),
                _key(trial.user_attrs),
            )
            for trial in study.trials
        ]
    return snapshot


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[pathlib.Path, list[tuple[int, int]]]:
    """One small demo build (nested, not yet existing directory) and its progress calls."""
    calls: list[tuple[int, int]] = []
    path = tmp_path_factory.mktemp("demo") / "nested" / "demo.db"
    result = build_demo_storage(
        path,
        n_trials=N_TRIALS,
        n_epochs=N_EPOCHS,
        seed=0,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert result == path.resolve()
    return path, calls


@pytest.fixture(scope="module")
def trials(built: tuple[pathlib.Path, Any]) -> dict[str, list[optuna.trial.FrozenTrial]]:
    path, _ = built
    storage = _storage(path)
    return {
        name: optuna.load_study(study_name=name, storage=storage).trials
        for name in DEMO_STUDY_NAMES
    }


def test_study_names_are_budget_major() -> None:
    expected = tuple(
        f"demo_{budget}_h{horizon}"
        for budget in ("2M", "20M", "200M", "2B")
        for horizon in (1, 3, 5)
    )
    assert expected == DEMO_STUDY_NAMES


def test_twelve_studies_with_attrs(built: tuple[pathlib.Path, Any]) -> None:
    path, _ = built
    storage = _storage(path)
    assert sorted(optuna.get_all_study_names(storage)) == sorted(DEMO_STUDY_NAMES)
    for name in DEMO_STUDY_NAMES:
        study = optuna.load_study(study_name=name, storage=storage)
        budget, horizon = name.removeprefix("demo_").split("_h")
        assert study.user_attrs == {
            "budget": budget,
            "horizon": int(horizon),
            "dataset": "synthetic-prices-v1",
        }
        assert study.direction == optuna.study.StudyDirection.MINIMIZE
        assert len(study.trials) == N_TRIALS


def test_only_the_final_file_is_left(built: tuple[pathlib.Path, Any]) -> None:
    path, _ = built
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_progress_counts_every_trial(built: tuple[pathlib.Path, Any]) -> None:
    _, calls = built
    total = N_TRIALS * len(DEMO_STUDY_NAMES)
    assert calls == [(done, total) for done in range(1, total + 1)]


def test_curves_are_per_epoch(trials: dict[str, list[optuna.trial.FrozenTrial]]) -> None:
    for study_trials in trials.values():
        for trial in study_trials:
            train = trial.user_attrs["train_losses"]
            val = trial.user_attrs["val_losses"]
            assert 1 <= len(train) == len(val) == len(trial.intermediate_values) <= N_EPOCHS
            assert sorted(trial.intermediate_values) == list(range(len(val)))
            assert _key([trial.intermediate_values[step] for step in range(len(val))]) == _key(val)
            assert all(type(v) is float for v in train + val)
            assert isinstance(trial.user_attrs["n_params"], int)
            assert trial.user_attrs["n_params"] > 0
            assert set(trial.params) == {
                "learning_rate",
                "optimizer",
                "hidden_units",
                "n_layers",
                "dropout",
                "batch_size",
                "use_layernorm",
            }


def test_values_and_states_match_curves(
    trials: dict[str, list[optuna.trial.FrozenTrial]],
) -> None:
    for study_trials in trials.values():
        for trial in study_trials:
            train = trial.user_attrs["train_losses"]
            val = trial.user_attrs["val_losses"]
            finite = all(math.isfinite(v) for v in train + val)
            if trial.user_attrs.get("diverged"):
                assert trial.state == TrialState.FAIL
            if trial.state == TrialState.COMPLETE and finite:
                assert len(val) == N_EPOCHS
                assert trial.value == min(val)
            elif trial.state == TrialState.COMPLETE:  # untagged divergence returning inf
                assert trial.value == math.inf
                assert "diverged" not in trial.user_attrs
            elif trial.state == TrialState.FAIL:  # diverged: NaN return or FloatingPointError
                assert not finite
                assert trial.value is None
            else:
                assert trial.state == TrialState.PRUNED
                assert finite
                # Nothing is pruned during the warm-up epochs.
                assert len(val) > 5
            # Training stops at the first non-finite loss.
            for t, v in list(zip(train, val, strict=True))[:-1]:
                assert math.isfinite(t) and math.isfinite(v)


def test_some_trials_diverge(trials: dict[str, list[optuna.trial.FrozenTrial]]) -> None:
    """The divergence checks above are not vacuous: tagged and untagged divergence occur."""
    diverged = [
        trial
        for study_trials in trials.values()
        for trial in study_trials
        if not all(math.isfinite(v) for v in trial.user_attrs["val_losses"])
        or not all(math.isfinite(v) for v in trial.user_attrs["train_losses"])
    ]
    assert any(trial.user_attrs.get("diverged") for trial in diverged)
    assert any("diverged" not in trial.user_attrs for trial in diverged)


def test_capacity_grows_with_budget(trials: dict[str, list[optuna.trial.FrozenTrial]]) -> None:
    largest = {
        name: max(trial.user_attrs["n_params"] for trial in study_trials)
        for name, study_trials in trials.items()
    }
    assert largest["demo_2M_h1"] < largest["demo_2B_h1"]


def test_same_seed_same_campaign(built: tuple[pathlib.Path, Any], tmp_path: pathlib.Path) -> None:
    path, _ = built
    again = build_demo_storage(tmp_path / "again.db", n_trials=N_TRIALS, n_epochs=N_EPOCHS, seed=0)
    assert _snapshot(again) == _snapshot(path)


def test_failing_build_leaves_no_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "demo.db"

    def explode(done: int, total: int) -> None:
        if done == 3:
            raise KeyboardInterrupt  # what a Ctrl+C during the build looks like

    with pytest.raises(KeyboardInterrupt):
        build_demo_storage(path, n_trials=2, n_epochs=2, progress=explode)
    assert list(tmp_path.iterdir()) == []


def test_failing_build_keeps_previous_file(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool, "n_workers", lambda: 1)  # the in-process path, this time
    path = tmp_path / "demo.db"
    path.write_bytes(b"previous")

    def explode(done: int, total: int) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        build_demo_storage(path, n_trials=2, n_epochs=2, progress=explode)
    assert path.read_bytes() == b"previous"
    assert list(tmp_path.iterdir()) == [path]


def test_crash_while_writing_leaves_no_file(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "demo.db"

    def half_write(results: Any, target: pathlib.Path) -> None:
        target.write_bytes(b"SQLite format 3\x00 half")
        raise OSError("disk full")

    monkeypatch.setattr(pool, "run_campaign", lambda **kwargs: [])
    monkeypatch.setattr(writer, "write_sqlite", half_write)
    with pytest.raises(OSError, match="disk full"):
        build_demo_storage(path, n_trials=1, n_epochs=1)
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments(tmp_path: pathlib.Path) -> None:
    for n_trials, n_epochs, seed in ((0, 1, 0), (1, 0, 0), (1, 1, -1)):
        with pytest.raises(ValueError):
            build_demo_storage(tmp_path / "x.db", n_trials=n_trials, n_epochs=n_epochs, seed=seed)
    assert list(tmp_path.iterdir()) == []


def test_ensure_does_not_rebuild(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "demo.db"
    path.write_bytes(b"cached")
    assert ensure_demo_storage(path) == path
    assert path.read_bytes() == b"cached"


def test_default_path_is_versioned_cache_file() -> None:
    path = demo_storage_path()
    assert path.name == "demo-v2.db"
    assert "hpo-tui" in path.parts


def test_bulk_writer_matches_storage_api(tmp_path: pathlib.Path) -> None:
    """The fast writer (private Optuna ORM models) stores what the public API would."""
    results = [studies.optimize_study(index, 4, 3, 0) for index in (0, 11)]
    fast, slow = tmp_path / "fast.db", tmp_path / "slow.db"
    writer.write_sqlite_bulk(results, fast)
    writer.write_sqlite_api(results, slow)
    assert _snapshot(fast) == _snapshot(slow)
    fast_storage, slow_storage = _storage(fast), _storage(slow)
    for name in (DEMO_STUDY_NAMES[0], DEMO_STUDY_NAMES[11]):
        fast_trials = optuna.load_study(study_name=name, storage=fast_storage).trials
        slow_trials = optuna.load_study(study_name=name, storage=slow_storage).trials
        assert [(t.datetime_start, t.datetime_complete, t.distributions) for t in fast_trials] == [
            (t.datetime_start, t.datetime_complete, t.distributions) for t in slow_trials
        ]


def test_without_optunas_private_models_the_public_api_writes(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A future Optuna without ``optuna.storages._rdb.models``: the build still works."""
    import sys

    import optuna.storages._rdb as rdb_package

    results = [studies.optimize_study(0, 3, 2, 0)]
    writer.write_sqlite_bulk(results, tmp_path / "reference.db")
    # Importing the private models fails; the bulk module is imported afresh.
    monkeypatch.delattr(rdb_package, "models")
    monkeypatch.setitem(sys.modules, "optuna.storages._rdb.models", None)
    monkeypatch.delattr(demo, "bulk")
    monkeypatch.delitem(sys.modules, "hpo_tui.demo.bulk")
    with pytest.raises(ImportError):
        writer.write_sqlite_bulk(results, tmp_path / "failed.db")
    writer.write_sqlite(results, tmp_path / "demo.db")
    assert _snapshot(tmp_path / "demo.db") == _snapshot(tmp_path / "reference.db")


def _imports(module: pathlib.Path) -> set[str]:
    """The modules named by the import statements of ``module`` (``a.b`` for ``from a.b
    import c``)."""
    imported: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    return imported


DEMO_MODULES = sorted(pathlib.Path(demo.__file__).parent.glob("*.py"))


def test_no_demo_module_imports_the_ui() -> None:
    assert len(DEMO_MODULES) > 1  # the package's modules, not only its __init__
    for module in DEMO_MODULES:
        roots = {name.split(".")[0] for name in _imports(module)}
        assert not roots & {"textual", "rich"}, module.name


def test_only_the_bulk_writer_touches_optunas_private_models() -> None:
    private = [
        module.name
        for module in DEMO_MODULES
        if any(name.startswith("optuna.storages._") for name in _imports(module))
    ]
    assert private == ["bulk.py"]
