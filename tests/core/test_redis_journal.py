"""Optuna journals in Redis (``redis://HOST:PORT/DB?prefix=NAME``), against a real server.

The journals are written by Optuna's own ``JournalRedisBackend``; Optuna's replay of the same
logs is the oracle. The reader sends only ``MGET`` (the server's command counts and an ACL
user allowed nothing else show it), never reads the pickled snapshot, and a refresh asks for
the logs after the last one read, and for nothing else.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import optuna
import pytest

from hpo_tui.core import SourceError, load_campaign
from hpo_tui.core.model.live import LiveCampaign
from hpo_tui.core.storage.redis_journal import BATCH_LOGS, read_redis_journal
from hpo_tui.core.storage.sources import SourceKind, redis_address, resolve_sources
from tests.helpers.cli_process import one_line_error, run_cli
from tests.helpers.compare import assert_matches, assert_same_frames, from_frozen
from tests.helpers.journal_oracle import (
    campaign_of,
    optuna_replay_tables,
    write_edge_journal,
)
from tests.helpers.redis_server import RedisServer, backend_args, journal_storage


def _logs(server: RedisServer, spec: str) -> list[bytes]:
    """Every log of the journal, as the server holds it (read with the admin client)."""
    prefix = redis_address(spec).prefix
    last = int(server.admin.get(f"{prefix}:log_number"))
    return list(server.admin.mget([f"{prefix}:log:{n}" for n in range(last + 1)]))


def _optuna_view(spec: str) -> dict[str, dict[str, Any]]:
    storage = journal_storage(spec)
    view = {}
    for study in storage.get_all_studies():
        view[study.study_name] = {
            "directions": [d.name for d in study.directions],
            "user_attrs": dict(study.user_attrs),
            "trials": [from_frozen(t) for t in storage.get_all_trials(study._study_id)],
        }
    return view


def _one_study(spec: str, name: str = "r_2M_h1", trials: int = 2) -> optuna.Study:
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(study_name=name, storage=journal_storage(spec))

    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        for step in range(3):
            trial.report(x / (step + 1), step)
        trial.set_user_attr("val_losses", [x, x / 2])
        return x

    study.optimize(objective, n_trials=trials)
    return study


@pytest.fixture(scope="module")
def edge_spec(redis_server: RedisServer) -> str:
    spec = redis_server.fresh_spec()
    write_edge_journal(journal_storage(spec))
    return spec


def test_the_edge_journal_reads_like_optuna(redis_server: RedisServer, edge_spec: str) -> None:
    """Every op code Optuna writes, deleted and re-created studies, WAITING trials,
    constraints, multi-objective studies: the same frames as Optuna's replay of the logs."""
    result = read_redis_journal(resolve_sources([edge_spec])[0])
    assert result.warnings == []
    logs = _logs(redis_server, edge_spec)
    assert result.logs == len(logs)
    expected = optuna_replay_tables([json.loads(log) for log in logs])
    assert_same_frames(
        campaign_of(edge_spec, result.tables), campaign_of(edge_spec, expected), system_attrs=True
    )
    campaign = load_campaign([edge_spec])
    assert sorted(campaign.studies["study"]) == ["edge_20M_h1", "edge_2B_h3", "edge_2M_h1"]
    assert set(campaign.trials["state"]) == {"COMPLETE", "PRUNED", "FAIL", "RUNNING", "WAITING"}
    assert_matches(campaign, _optuna_view(edge_spec))


def test_a_journal_of_more_logs_than_one_batch(redis_server: RedisServer) -> None:
    spec = redis_server.fresh_spec()
    study = _one_study(spec, trials=1)
    storage = study._storage
    trial_id = study.ask()._trial_id
    for step in range(BATCH_LOGS + 10):  # one log per report
        storage.set_trial_intermediate_value(trial_id, step, step / 7)
    assert len(_logs(redis_server, spec)) > BATCH_LOGS + 10
    campaign = load_campaign([spec])
    running = campaign.trials[campaign.trials["state"] == "RUNNING"]
    curve = campaign.trial_curves(running["key"].iloc[0])
    assert curve["value"].tolist() == [step / 7 for step in range(BATCH_LOGS + 10)]
    assert_matches(campaign, _optuna_view(spec))


def test_prefixes_and_databases_keep_journals_apart(redis_server: RedisServer) -> None:
    base = redis_server.base
    specs = {
        "default_2M_h1": f"{base}/0",  # Optuna's default prefix, ""
        "named_2M_h1": f"{base}/0?prefix=sweep%20a",  # "sweep a"
        "other_db_2M_h1": f"{base}/2?prefix=sweep%20a",
    }
    for name, spec in specs.items():
        _one_study(spec, name=name)
    assert redis_server.admin.exists(":log_number", "sweep a:log_number") == 2
    for name, spec in specs.items():
        assert load_campaign([spec]).studies["study"].tolist() == [name]
    both = load_campaign([specs["default_2M_h1"], specs["named_2M_h1"]])
    assert sorted(both.studies["study"]) == ["default_2M_h1", "named_2M_h1"]


def test_only_mget_reaches_the_server_and_the_snapshot_is_never_read(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    spec = redis_server.fresh_spec()
    study = _one_study(spec)
    prefix = redis_address(spec).prefix
    marker = tmp_path / "unpickled"
    # A snapshot that runs code when unpickled: it must stay untouched.
    trap = pickle.dumps(_Trap(str(marker)))
    redis_server.admin.set(f"{prefix}:snapshot", trap)

    before = redis_server.command_calls()
    load_campaign([spec])
    live = LiveCampaign([spec])
    live.refresh()
    after_reads = redis_server.command_calls()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)  # Optuna writes
    written = redis_server.command_calls()
    assert live.refresh().new_trials == 1
    after_refresh = redis_server.command_calls()

    def sent(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
        return {name: b[name] - a.get(name, 0) for name in b if b[name] != a.get(name, 0)}

    reads = sent(before, after_reads)
    assert set(reads) == {"mget", "info"}, reads  # info: this test's own command counts
    assert reads["mget"] >= 3
    refresh = sent(written, after_refresh)
    assert set(refresh) == {"mget", "info"}, refresh
    assert not marker.exists()
    assert redis_server.admin.get(f"{prefix}:snapshot") == trap


class _Trap:
    """Unpickling it creates a file (``path``): proof that a snapshot was unpickled."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (Path(self.path),))


@pytest.fixture
def read_only_user(redis_server: RedisServer) -> Iterator[tuple[str, str]]:
    """``(spec, prefix)`` of a journal and a user that may only ``MGET`` its log keys
    (``%R~PREFIX:log*``: read access to the counter and the logs, not to the snapshot)."""
    spec = redis_server.fresh_spec()
    prefix = redis_address(spec).prefix
    redis_server.admin.execute_command(
        "ACL", "SETUSER", "reader", "reset", "on", ">s3cret", f"%R~{prefix}:log*", "+mget"
    )
    yield spec, prefix
    redis_server.admin.execute_command("ACL", "DELUSER", "reader")


def test_a_user_allowed_only_to_read_the_logs_is_enough(
    redis_server: RedisServer, read_only_user: tuple[str, str]
) -> None:
    spec, _prefix = read_only_user
    study = _one_study(spec)
    as_reader = spec.replace("redis://", "redis://reader:s3cret@")
    assert len(load_campaign([as_reader]).trials) == 2
    assert_same_frames(
        campaign_of(spec, _tables(as_reader)), campaign_of(spec, _tables(spec)), system_attrs=True
    )
    live = LiveCampaign([as_reader])
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert live.refresh().new_trials == 1
    assert len(live.campaign.trials) == 3
    assert "s3cret" not in repr(live.sources) + " ".join(s.display for s in live.sources)


def _tables(spec: str) -> Any:
    return read_redis_journal(resolve_sources([spec])[0]).tables


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Every command a Redis client of this process sends while the test runs."""
    import redis

    calls: list[tuple[Any, ...]] = []
    original = redis.Redis.execute_command

    def recording(self: Any, *args: Any, **options: Any) -> Any:
        calls.append(args)
        return original(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", recording)
    return calls


def test_a_refresh_asks_for_the_logs_after_the_last_one_read(
    redis_server: RedisServer, recorded: list[tuple[Any, ...]]
) -> None:
    spec = redis_server.fresh_spec()
    study = _one_study(spec)
    prefix = redis_address(spec).prefix
    counter, first = f"{prefix}:log_number", f"{prefix}:log:0"
    live = LiveCampaign([spec])
    read = len(_logs(redis_server, spec))
    recorded.clear()
    assert not live.refresh().changed
    assert recorded == [("MGET", counter, first)]  # nothing new: one round trip

    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    now = len(_logs(redis_server, spec))
    recorded.clear()
    assert live.refresh().new_trials == 1
    wanted = tuple(f"{prefix}:log:{n}" for n in range(read, now))
    assert recorded == [("MGET", counter, first), ("MGET", *wanted)]
    assert_same_frames(live.campaign, load_campaign([spec]), system_attrs=True)


def test_a_missing_log_ends_the_read_and_the_next_refresh_retries_it(
    redis_server: RedisServer,
) -> None:
    """As in Redis Cluster mode, where Optuna increments the counter before it writes the
    log: a log missing inside the range ends the read there, with nothing lost."""
    spec = redis_server.fresh_spec()
    _one_study(spec, trials=3)
    prefix = redis_address(spec).prefix
    logs = _logs(redis_server, spec)
    hole = len(logs) // 2
    redis_server.admin.delete(f"{prefix}:log:{hole}")  # announced, not written yet

    live = LiveCampaign([spec])
    expected = optuna_replay_tables([json.loads(log) for log in logs[:hole]])
    assert_same_frames(live.campaign, campaign_of(spec, expected), system_attrs=True)
    (note,) = live.campaign.warnings
    assert f"log {hole} is missing" in note and f"{len(logs) - hole} logs" in note
    summary = live.refresh()  # still missing: said once more, since it did not move
    assert [w for w in summary.warnings if f"log {hole} is still missing" in w]
    assert not live.refresh().warnings

    redis_server.admin.set(f"{prefix}:log:{hole}", logs[hole])  # the writer's second step
    summary = live.refresh()
    assert summary.changed
    assert_same_frames(live.campaign, load_campaign([spec]), system_attrs=True)
    assert_matches(live.campaign, _optuna_view(spec))


def test_a_log_missing_for_good_is_reported_once_by_the_refreshes(
    redis_server: RedisServer,
) -> None:
    spec = redis_server.fresh_spec()
    study = _one_study(spec, trials=1)
    live = LiveCampaign([spec])
    prefix = redis_address(spec).prefix
    next_log = len(_logs(redis_server, spec))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    redis_server.admin.delete(f"{prefix}:log:{next_log}")  # the writer died between its steps
    first = live.refresh()
    assert not first.changed and first.warnings == []  # a writer may be between its steps
    second = live.refresh()
    assert [w for w in second.warnings if f"log {next_log} is still missing" in w]
    third = live.refresh()
    assert not third.warnings


def test_a_journal_deleted_and_written_again_is_read_afresh(redis_server: RedisServer) -> None:
    spec = redis_server.fresh_spec()
    _one_study(spec, name="first_2M_h1", trials=3)
    live = LiveCampaign([spec])
    prefix = redis_address(spec).prefix
    redis_server.admin.delete(*redis_server.admin.keys(f"{prefix}:*"))
    _one_study(spec, name="second_2M_h1", trials=3)  # as many logs as before, or more
    assert live.refresh().changed
    assert live.campaign.studies["study"].tolist() == ["second_2M_h1"]
    assert_same_frames(live.campaign, load_campaign([spec]), system_attrs=True)

    redis_server.admin.delete(*redis_server.admin.keys(f"{prefix}:*"))
    with pytest.raises(SourceError, match="the journal is gone"):
        live.refresh()


def test_damaged_logs_and_unknown_op_codes_are_read_around(redis_server: RedisServer) -> None:
    spec = redis_server.fresh_spec()
    _one_study(spec, trials=3)
    prefix = redis_address(spec).prefix
    logs = _logs(redis_server, spec)
    target = next(
        n
        for n, log in enumerate(logs)
        if json.loads(log)["op_code"] == 6 and json.loads(log)["state"] == 1
    )
    redis_server.admin.set(f"{prefix}:log:{target}", logs[target][:40] + b"\x00garbage")
    discard = {"op_code": 10, "worker_id": "rust", "study_id": 0, "trial_ids": [0]}
    last = redis_server.admin.incr(f"{prefix}:log_number")
    redis_server.admin.set(f"{prefix}:log:{last}", json.dumps(discard))

    campaign = load_campaign([spec])
    damaged, unknown = campaign.warnings
    assert f"log {target} is damaged" in damaged and "state update lost" in damaged
    assert "op code 10" in unknown and f"1 log from log {last}" in unknown
    kept = [json.loads(log) for n, log in enumerate(logs) if n != target]
    assert_same_frames(campaign, campaign_of(spec, optuna_replay_tables(kept)), system_attrs=True)


def test_a_redis_url_is_a_source_of_its_own_kind() -> None:
    (source,) = resolve_sources(["rediss://alice:pw@cache.lab:6380/3?prefix=exp1"])
    assert source.kind is SourceKind.REDIS
    assert source.display == "rediss://alice:***@cache.lab:6380/3?prefix=exp1"
    address = redis_address(source.location)
    assert (address.db, address.prefix) == (3, "exp1")
    assert address.url == "rediss://alice:pw@cache.lab:6380/3"
    assert address.counter_key == "exp1:log_number" and address.log_key(7) == "exp1:log:7"
    assert redis_address("redis://h").prefix == "" and redis_address("redis://h").db == 0
    assert backend_args("redis://h:1/0?prefix=a%2Fb") == ("redis://h:1/0", "a/b")


# ------------------------------------------------------------------------- the command line


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The command's one-line error, which never shows the password."""
    assert "hunter2" not in result.stderr + result.stdout
    return one_line_error(result)


@pytest.fixture
def redis_package() -> None:
    """The tests of the client's own errors need the redis package, not a server."""
    from tests.conftest import _unavailable

    try:
        import redis  # noqa: F401
    except ImportError:
        _unavailable("the redis package is not installed (pip install '.[redis]')")


@pytest.mark.usefixtures("redis_package")
def test_an_unreachable_server_is_one_line() -> None:
    from tests.helpers.grpc_proxy import free_port

    spec = f"redis://:hunter2@127.0.0.1:{free_port()}/0?prefix=x"
    line = _one_line_error(run_cli("summary", spec))
    assert "redis://:***@127.0.0.1" in line and "not reachable (connection refused)" in line


def test_a_wrong_password_is_one_line(redis_server: RedisServer) -> None:
    redis_server.admin.execute_command("ACL", "SETUSER", "alice", "on", ">right", "+mget", "~*")
    try:
        spec = f"redis://alice:hunter2@127.0.0.1:{redis_server.port}/0"
        line = _one_line_error(run_cli("summary", spec))
        assert "redis://alice:***@" in line and "authentication failed" in line
    finally:
        redis_server.admin.execute_command("ACL", "DELUSER", "alice")


def test_a_prefix_without_a_journal_names_those_that_exist(redis_server: RedisServer) -> None:
    spec = redis_server.fresh_spec(db=3)
    _one_study(spec)
    prefix = redis_address(spec).prefix
    line = _one_line_error(run_cli("summary", f"{redis_server.base}/3?prefix=nothing"))
    assert "no Optuna journal with prefix 'nothing' in database 3" in line
    assert repr(prefix) in line


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("redis://127.0.0.1:99999/0", "port"),
        ("redis://127.0.0.1:6379/zero", "database must be a number"),
        ("redis://:hunter2@/0", "host"),
        ("redis://h:1/0?prefix=a&prefix=b", "more than once"),
        ("redis://127.0.0.1:1/0?prefix=a&colour=red", "unknown option 'colour'"),
    ],
)
@pytest.mark.usefixtures("redis_package")
def test_a_malformed_redis_address_is_one_line(spec: str, problem: str) -> None:
    assert problem in _one_line_error(run_cli("summary", spec))


def test_tls_to_a_plain_server_is_one_line(redis_server: RedisServer) -> None:
    """The server waits for a command that never comes; the client's timeout ends it (the
    URL's own option, shorter than hpo-tui's 10 s)."""
    spec = f"rediss://:hunter2@127.0.0.1:{redis_server.port}/0?socket_timeout=1"
    line = _one_line_error(run_cli("summary", spec))
    assert line.startswith("hpo-tui: error: rediss://:***@127.0.0.1")
    assert "does it speak TLS" in line


def test_without_the_redis_package_the_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # import redis raises ImportError
    with pytest.raises(SourceError) as raised:
        load_campaign(["redis://:hunter2@127.0.0.1:1/0"])
    assert raised.value.source == "redis://:***@127.0.0.1:1/0"
    assert "pip install 'hpo-tui[redis]'" in raised.value.problem
