"""Journals written by real Optuna calls, and Optuna's own replay of them as the oracle."""

from __future__ import annotations

import contextlib
import json
import warnings
from collections.abc import Container
from pathlib import Path
from typing import Any

import optuna
from optuna.storages.journal import JournalFileBackend
from optuna.trial import TrialState, create_trial

from hpo_tui.core.config import Config
from hpo_tui.core.model.campaign import Campaign, build_campaign
from hpo_tui.core.storage.raw import RawTables, raw_from_frozen
from hpo_tui.core.storage.sources import resolve_sources


def optuna_tables(path: Path, skip_lines: Container[int] = ()) -> RawTables:
    """The raw tables of Optuna's own replay of ``path`` (1-based ``skip_lines`` left out)."""
    logs = [
        json.loads(line)
        for number, line in enumerate(path.read_bytes().splitlines(), start=1)
        if line.strip() and number not in skip_lines
    ]
    return optuna_replay_tables(logs)


def optuna_replay_tables(logs: list[dict[str, Any]]) -> RawTables:
    """The raw tables of Optuna's own replay of the journal records ``logs``."""
    from optuna.storages.journal._storage import JournalStorageReplayResult

    replay = JournalStorageReplayResult("oracle-")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        replay.apply_logs(logs)
    studies = replay.get_all_studies()
    trials = {s._study_id: replay.get_all_trials(s._study_id, None) for s in studies}
    return raw_from_frozen(studies, trials)


def campaign_of(path: Path, tables: RawTables) -> Campaign:
    """The campaign built from ``tables`` read from ``path``."""
    return build_campaign([(resolve_sources([str(path)])[0], tables)], Config())


def write_edge_journal(path: Path | Any) -> None:
    """A journal with every op code Optuna writes and the cases its replay skips: deleted
    studies, a re-created name, a duplicate creation, enqueued (WAITING) and running trials,
    constraints, multi-objective studies with metric names, ``add_trials`` templates,
    NaN/inf values, an incompatible param and an update of a finished trial.

    ``path``: the journal file, or a ``JournalStorage`` over another backend (Redis)."""
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    storage = (
        optuna.storages.JournalStorage(JournalFileBackend(str(path)))
        if isinstance(path, Path)
        else path
    )

    single = optuna.create_study(study_name="edge_2M_h1", storage=storage)
    single.set_user_attr("dataset", "toy")
    single.set_user_attr("tags", ["a", float("nan")])

    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", 1e-4, 1.0, log=True)
        width = trial.suggest_categorical("width", [16, 2.5, "wide", None])
        trial.suggest_int("depth", 1, 8, step=1)
        for step in range(3):
            trial.report(x * (3 - step) if trial.number != 2 else float("nan"), step)
        storage.set_trial_intermediate_value(trial._trial_id, 1, x)  # step 1 again: it stands
        trial.set_user_attr("val_losses", [x, x / 2, float("inf")])
        trial.set_user_attr("note", {"width": width})
        storage.set_trial_system_attr(trial._trial_id, "seen", True)
        if trial.number == 3:
            raise optuna.TrialPruned()
        if trial.number == 4:
            raise ValueError("boom")
        return float("inf") if trial.number == 5 else x

    single.optimize(objective, n_trials=7, catch=(ValueError,))
    single.enqueue_trial({"x": 0.5, "width": "wide"})  # WAITING
    single.enqueue_trial({"x": 0.25}, user_attrs={"origin": "manual"})
    popped = single.ask()  # RUNNING, popped from the queue
    popped.report(0.1, 0)
    finished = single.trials[0]._trial_id
    with contextlib.suppress(Exception):  # logged, then refused: the trial has finished
        storage.set_trial_user_attr(finished, "late", 1)
    with contextlib.suppress(Exception):  # logged, then refused: another kind of "x"
        storage.set_trial_param(
            popped._trial_id, "x", 1.0, optuna.distributions.IntDistribution(0, 3)
        )

    def constraints(trial: optuna.trial.FrozenTrial) -> list[float]:
        return [trial.params["a"] - 0.5]

    multi = optuna.create_study(
        study_name="edge_2B_h3",
        storage=storage,
        directions=["minimize", "maximize"],
        sampler=optuna.samplers.NSGAIISampler(constraints_func=constraints, seed=1),
    )
    multi.set_metric_names(["loss", "accuracy"])
    multi.optimize(lambda t: (t.suggest_float("a", 0, 1), t.suggest_float("b", 0, 1)), 5)
    multi.add_trials(
        [
            create_trial(
                state=TrialState.COMPLETE,
                values=[0.1, 0.9],
                params={"a": 0.2, "b": 0.3},
                distributions={
                    "a": optuna.distributions.FloatDistribution(0, 1),
                    "b": optuna.distributions.FloatDistribution(0, 1),
                },
                user_attrs={"curve": [1.0, 0.5]},
                system_attrs={"constraints": [-0.3]},
                intermediate_values={0: 0.5, 3: float("-inf")},
            ),
            create_trial(state=TrialState.FAIL),
            create_trial(state=TrialState.WAITING, params={}, distributions={}),
        ]
    )

    doomed = optuna.create_study(study_name="edge_20M_h1", storage=storage)
    doomed.optimize(lambda t: t.suggest_float("y", 0, 1), n_trials=2)
    optuna.delete_study(study_name="edge_20M_h1", storage=storage)
    again = optuna.create_study(study_name="edge_20M_h1", storage=storage)  # re-created name
    again.optimize(lambda t: t.suggest_int("z", 0, 9), n_trials=2)
    with contextlib.suppress(optuna.exceptions.DuplicatedStudyError):  # logged, refused
        optuna.create_study(study_name="edge_20M_h1", storage=storage)
    gone = optuna.create_study(study_name="edge_gone_2M_h5", storage=storage)
    gone.optimize(lambda t: t.suggest_float("y", 0, 1), n_trials=1)
    optuna.delete_study(study_name="edge_gone_2M_h5", storage=storage)
    single.optimize(objective, n_trials=1)  # trial ids after the deleted studies' trials


def journal_lines(path: Path) -> list[bytes]:
    """The lines of a journal, newline included."""
    return path.read_bytes().splitlines(keepends=True)


def line_number(lines: list[bytes], predicate: Any) -> int:
    """The 1-based number of the first line whose record satisfies ``predicate``."""
    for number, line in enumerate(lines, start=1):
        if predicate(json.loads(line)):
            return number
    raise AssertionError("no such line")
