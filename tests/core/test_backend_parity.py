"""The same campaign gives the same export files from every storage kind.

Each campaign is written once with real Optuna calls, then copied with ``optuna.copy_study``
into a SQLite file, a JournalStorage file, a JournalStorage in Redis, PostgreSQL and MariaDB.
Each copy is exported and every file compared byte for byte with the SQLite copy's, masking
only what names the storage (the ``source`` column/field and the README's provenance lines).
MariaDB keeps whole seconds (Optuna's schema: ``DATETIME`` without fractional seconds), so its
export is compared with the SQLite copy's campaign with datetimes truncated to whole seconds:
that is the only difference.

The module runs in a time zone with daylight saving time whose offset today differs from
July's, as Optuna's journal replay hands datetimes over as naive local time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import optuna
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.storages.journal import JournalFileBackend
from optuna.trial import FrozenTrial, TrialState

from hpo_tui.core import load_campaign
from hpo_tui.core.model.campaign import Campaign
from tests.helpers.export_compare import export_files, first_difference, masked_text
from tests.helpers.golden import GOLDEN_DB
from tests.helpers.timezone import local_time_zone

BACKENDS = ["journal", "redis", "postgresql", "mysql"]
CAMPAIGNS = ["golden", "numeric"]
SOURCE_MASK = "<source>"


@pytest.fixture(scope="module", autouse=True)
def daylight_saving_zone() -> Iterator[None]:
    """Europe/Berlin: UTC+1 in winter, UTC+2 in July (the numeric campaign has both)."""
    with local_time_zone("Europe/Berlin"):
        yield


def _numeric_campaign(storage: str) -> None:
    """Studies whose params and scalar user attrs are all numbers (as in most sweeps): int,
    float and int-valued categorical params, int and float attrs, trials from winter and
    summer, a running and a waiting trial."""
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    space = {
        "batch_size": CategoricalDistribution([32, 64, 128]),
        "n_layers": IntDistribution(1, 8),
        "warmup": IntDistribution(0, 100, step=10),
        "learning_rate": FloatDistribution(1e-5, 1e-1, log=True),
    }
    for name, direction, seed in (("num_20M_h1", "minimize", 5), ("num_200M_h3", "maximize", 6)):
        study = optuna.create_study(
            study_name=name,
            storage=storage,
            direction=direction,
            sampler=optuna.samplers.RandomSampler(seed=seed),
        )
        study.set_user_attr("budget_tokens", 20_000_000)

        def objective(trial: optuna.Trial) -> float:
            params = {
                "batch_size": trial.suggest_categorical("batch_size", [32, 64, 128]),
                "n_layers": trial.suggest_int("n_layers", 1, 8),
                "warmup": trial.suggest_int("warmup", 0, 100, step=10),
                "learning_rate": trial.suggest_float("learning_rate", 1e-5, 1e-1, log=True),
            }
            trial.set_user_attr("n_params", 1_000 * params["n_layers"])
            trial.set_user_attr("tokens_per_step", 4096)
            trial.set_user_attr("throughput", 1234.5)
            losses = [1.0 / (step + params["n_layers"]) for step in range(4)]
            trial.set_user_attr("val_losses", losses)
            for step, loss in enumerate(losses):
                trial.report(loss, step)
            if trial.number == 2:
                raise optuna.TrialPruned()
            return losses[-1] + params["learning_rate"]

        study.optimize(objective, n_trials=5)
        # Trials finished in winter and in summer (another UTC offset in Europe/Berlin).
        for month in (1, 7):
            start = datetime(2026, month, 15, 12, 0, 0, 250_000)
            study.add_trial(
                FrozenTrial(
                    number=0,
                    trial_id=0,
                    state=TrialState.COMPLETE,
                    value=0.5 + month,
                    values=None,
                    datetime_start=start,
                    datetime_complete=start + timedelta(seconds=90, microseconds=600_000),
                    params={"batch_size": 64, "n_layers": 3, "warmup": 20, "learning_rate": 0.01},
                    distributions=space,
                    user_attrs={"n_params": 3_000, "tokens_per_step": 4096},
                    system_attrs={},
                    intermediate_values={0: 1.5, 1: 0.5 + month},
                )
            )
        running = study.ask(space)
        running.report(0.75, 0)
        study.enqueue_trial({"batch_size": 128, "n_layers": 2})


def _reference_url(campaign: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    if campaign == "golden":  # read-only: copying from it must not touch the committed file
        return f"sqlite:///file:{GOLDEN_DB}?mode=ro&uri=true"
    path = tmp_path_factory.mktemp("numeric") / "reference.db"
    _numeric_campaign(f"sqlite:///{path}")
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def copies(
    tmp_path_factory: pytest.TempPathFactory,
    fresh_database: Callable[[str], str],
    request: pytest.FixtureRequest,
) -> Callable[[str, str], str]:
    """``copies(campaign, backend)``: the spec of a storage holding a copy of the campaign
    (made on first use, once per module)."""
    made: dict[tuple[str, str], str] = {}
    references: dict[str, str] = {}

    def get(campaign: str, backend: str) -> str:
        if (campaign, backend) in made:
            return made[campaign, backend]
        if campaign not in references:
            references[campaign] = _reference_url(campaign, tmp_path_factory)
        reference = references[campaign]
        folder = tmp_path_factory.mktemp(f"{campaign}-{backend}")
        storage: Any
        if backend == "sqlite":
            spec = str(folder / f"{campaign}.db")
            storage = f"sqlite:///{spec}"
        elif backend == "journal":
            spec = str(folder / f"{campaign}.log")
            storage = optuna.storages.JournalStorage(JournalFileBackend(spec))
        elif backend == "redis":
            from tests.helpers.redis_server import journal_storage

            spec = request.getfixturevalue("redis_server").fresh_spec()
            storage = journal_storage(spec)
        else:
            spec = storage = fresh_database(backend)
        optuna.logging.set_verbosity(optuna.logging.ERROR)
        for summary in optuna.get_all_study_summaries(reference, include_best_trial=False):
            optuna.copy_study(
                from_study_name=summary.study_name, from_storage=reference, to_storage=storage
            )
        made[campaign, backend] = spec
        return spec

    return get


def _whole_seconds(campaign: Campaign) -> Campaign:
    """The campaign with every datetime truncated to whole seconds, durations recomputed."""
    trials = campaign.trials.copy()
    for column in ("datetime_start", "datetime_complete"):
        trials[column] = trials[column].dt.floor("s")
    trials["duration_s"] = (
        trials["datetime_complete"] - trials["datetime_start"]
    ).dt.total_seconds()
    return dataclasses.replace(campaign, trials=trials)


@pytest.fixture(scope="module")
def reference_exports(
    copies: Callable[[str, str], str], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str, bool], tuple[Campaign, dict[str, bytes]]]:
    cache: dict[tuple[str, bool], tuple[Campaign, dict[str, bytes]]] = {}

    def get(campaign: str, truncated: bool) -> tuple[Campaign, dict[str, bytes]]:
        if (campaign, truncated) not in cache:
            loaded = load_campaign([copies(campaign, "sqlite")])
            if truncated:
                loaded = _whole_seconds(loaded)
            folder = tmp_path_factory.mktemp("reference-export") / "out"
            cache[campaign, truncated] = loaded, export_files(loaded, folder)
        return cache[campaign, truncated]

    return get


@pytest.mark.parametrize("campaign", CAMPAIGNS)
@pytest.mark.parametrize("backend", BACKENDS)
def test_every_storage_gives_the_same_export_files(
    campaign: str,
    backend: str,
    copies: Callable[[str, str], str],
    reference_exports: Callable[[str, bool], tuple[Campaign, dict[str, bytes]]],
    tmp_path: Path,
) -> None:
    whole_seconds = backend == "mysql"  # DATETIME without fractional seconds
    reference, want = reference_exports(campaign, whole_seconds)
    loaded = load_campaign([copies(campaign, backend)])
    got = export_files(loaded, tmp_path / "out")
    assert sorted(got) == sorted(want)
    for name in want:
        got_text, want_text = (
            masked_text(name, got[name], loaded),
            masked_text(name, want[name], reference),
        )
        assert got_text == want_text, f"{name}: {first_difference(got_text, want_text)}"


def test_the_numeric_campaign_spans_two_utc_offsets() -> None:
    """The time-zone check above is only a check if the trials' offsets differ."""
    winter = datetime(2026, 1, 15, 12).astimezone().utcoffset()
    summer = datetime(2026, 7, 15, 12).astimezone().utcoffset()
    assert winter != summer


def test_mysql_keeps_whole_seconds_only(
    copies: Callable[[str, str], str],
    reference_exports: Callable[[str, bool], tuple[Campaign, dict[str, bytes]]],
) -> None:
    """The truncation above is needed (the reference has fractions) and is all there is."""
    reference, _ = reference_exports("numeric", False)
    assert (reference.trials["datetime_start"].dt.microsecond != 0).any()
    loaded = load_campaign([copies("numeric", "mysql")])
    assert (loaded.trials["datetime_start"].dropna().dt.microsecond == 0).all()


def test_a_refreshed_journal_equals_its_sqlite_copy(tmp_path: Path) -> None:
    """The live path (appended records replayed, changed trials spliced in) types params and
    attrs as a full RDB read does."""
    from hpo_tui.core.model.live import LiveCampaign

    path = tmp_path / "sweep.log"
    storage = optuna.storages.JournalStorage(JournalFileBackend(str(path)))
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(
        study_name="live_2M_h1", storage=storage, sampler=optuna.samplers.RandomSampler(seed=7)
    )

    def objective(trial: optuna.Trial) -> float:
        width = trial.suggest_categorical("width", [64, 128])
        depth = trial.suggest_int("depth", 1, 4)
        trial.set_user_attr("n_params", width * depth)
        return 1.0 / (width * depth)

    study.optimize(objective, n_trials=2)
    running = study.ask()
    running.suggest_int("depth", 1, 4)
    live = LiveCampaign([str(path)])
    study.tell(running, 0.5)
    study.optimize(objective, n_trials=2)
    assert live.refresh().changed

    copy_spec = str(tmp_path / "copy.db")
    optuna.copy_study(
        from_study_name="live_2M_h1", from_storage=storage, to_storage=f"sqlite:///{copy_spec}"
    )
    copied = load_campaign([copy_spec])
    got = export_files(live.campaign, tmp_path / "live")
    want = export_files(copied, tmp_path / "copy")
    for name in want:
        got_text = masked_text(name, got[name], live.campaign)
        want_text = masked_text(name, want[name], copied)
        assert got_text == want_text, f"{name}: {first_difference(got_text, want_text)}"


@pytest.mark.parametrize("backend", ["sqlite", *BACKENDS])
def test_the_core_says_which_storage_keeps_whole_seconds(
    backend: str, copies: Callable[[str, str], str]
) -> None:
    loaded = load_campaign([copies("numeric", backend)])
    notes = {loaded.time_precision_note(s) for s in loaded.studies["study_id"]}
    assert notes == ({"storage keeps whole seconds"} if backend == "mysql" else {None})
