"""Optuna's gRPC storage proxy as a source (``grpc://HOST:PORT``), against real proxies.

Each proxy runs ``optuna.storages.run_grpc_proxy_server`` in a subprocess on a free local
port, over a SQLite file or the PostgreSQL test server; the campaign is written through a
second ``GrpcStorageProxy``, as workers do. Read through the proxy, the campaign gives the
same export files as the storage read directly (apart from the source's name); only the
service's read calls are ever made.

The proxy hands times over as naive local time of its own process: the proxies here run in
the same zone as the reader (Europe/Berlin, whose offset differs between winter and summer).
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import optuna
import pytest
from optuna.storages._grpc.auto_generated import api_pb2, api_pb2_grpc

from hpo_tui.core import load_campaign
from hpo_tui.core.errors import SourceError
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.model.live import LiveCampaign
from tests.helpers.cli_process import one_line_error, run_cli
from tests.helpers.compare import assert_same_frames
from tests.helpers.export_compare import export_files, first_difference, masked_text
from tests.helpers.fixture_campaign import populate
from tests.helpers.grpc_proxy import free_port, proxy_client, serve
from tests.helpers.timezone import local_time_zone
from tests.helpers.worker import finish_workers, start_workers

SERVICE = "/optuna.StorageService/"
READ_CALLS = {SERVICE + "GetAllStudies", SERVICE + "GetTrials"}


@pytest.fixture(scope="module", autouse=True)
def daylight_saving_zone() -> Iterator[None]:
    """Proxies and reader in Europe/Berlin (set before any proxy starts)."""
    with local_time_zone("Europe/Berlin"):
        yield


def _storage_url(kind: str, folder: Path, fresh_database: Callable[[str], str]) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'proxied.db'}"
    return fresh_database("postgresql")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def proxied(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    fresh_database: Callable[[str], str],
) -> Iterator[tuple[str, str]]:
    """``(grpc spec, direct spec)`` of a proxy over a storage holding the fixture campaign,
    written through a second proxy."""
    url = _storage_url(request.param, tmp_path_factory.mktemp("proxied"), fresh_database)
    with serve(url) as spec:
        writer = proxy_client(spec)
        populate(writer)
        writer.close()
        yield spec, url.removeprefix("sqlite:///")


class _Recorder(grpc.UnaryUnaryClientInterceptor):
    """Records every call made on a channel: (method, request)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        self.calls.append((details.method, request))
        return continuation(details, request)


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> _Recorder:
    """Every call of Optuna's storage service made from this process while the test runs
    (through any stub: each stub's channel is wrapped in a recording interceptor)."""
    recorder = _Recorder()
    original = api_pb2_grpc.StorageServiceStub.__init__

    def recording_stub(self: Any, channel: grpc.Channel) -> None:
        original(self, grpc.intercept_channel(channel, recorder))

    monkeypatch.setattr(api_pb2_grpc.StorageServiceStub, "__init__", recording_stub)
    return recorder


def test_the_proxy_gives_the_same_export_as_the_storage(
    proxied: tuple[str, str], tmp_path: Path
) -> None:
    spec, direct = proxied
    through_proxy = load_campaign([spec])
    read_directly = load_campaign([direct])
    assert len(through_proxy.trials) == len(read_directly.trials) > 0
    got = export_files(through_proxy, tmp_path / "proxy")
    want = export_files(read_directly, tmp_path / "direct")
    assert sorted(got) == sorted(want)
    for name in want:
        got_text = masked_text(name, got[name], through_proxy)
        want_text = masked_text(name, want[name], read_directly)
        assert got_text == want_text, f"{name}: {first_difference(got_text, want_text)}"


def test_only_read_calls_reach_the_proxy(proxied: tuple[str, str], recorded: _Recorder) -> None:
    spec, _ = proxied
    live = LiveCampaign([spec])
    live.refresh()
    methods = {method for method, _request in recorded.calls}
    assert methods == READ_CALLS, methods


def test_refresh_asks_only_for_unfinished_and_newer_trials(
    tmp_path: Path, recorded: _Recorder
) -> None:
    """Workers write through the proxy while the campaign is open; each refresh asks for the
    unfinished trial ids and the ids above the last finished one, and ends equal to a fresh
    load through the proxy and to the storage read directly."""
    path = tmp_path / "live.db"
    with serve(f"sqlite:///{path}") as spec:
        writer = proxy_client(spec)
        optuna.logging.set_verbosity(optuna.logging.ERROR)
        for name in ("live_2M_h1", "live_2B_h3"):  # the workers' studies, each with trials
            study = optuna.create_study(study_name=name, storage=writer)
            study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
        running = study.ask()
        running.suggest_float("x", 0, 1)
        live = LiveCampaign([spec])
        recorded.calls.clear()

        workers = start_workers(spec, workers=2, trials=3)
        live.refresh()
        finish_workers(workers)
        running.report(0.5, 0)
        study.tell(running, 0.5)
        live.refresh()
        writer.close()

        asked = [request for method, request in recorded.calls if method.endswith("GetTrials")]
        assert asked and all(request.trial_id_greater_than >= 0 for request in asked)
        assert any(request.included_trial_ids for request in asked)  # the running trial
        assert_same_frames(live.campaign, load_campaign([spec]))
        assert_same_frames(_unnamed(live.campaign), _unnamed(load_campaign([str(path)])))
        assert len(live.campaign.trials) == 2 + 2 + 1 + 6


def _unnamed(campaign: Campaign) -> Campaign:
    """The campaign without the column that names its source."""
    frames = {
        name: getattr(campaign, name).drop(columns=["source"], errors="ignore")
        for name in ("trials", "studies")
    }
    return dataclasses.replace(campaign, **frames)


def test_an_unreachable_proxy_is_one_line() -> None:
    spec = f"grpc://127.0.0.1:{free_port()}"
    line = one_line_error(run_cli("summary", spec))
    assert spec in line and "not reachable" in line


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("grpc://127.0.0.1", "port"),
        ("grpc://127.0.0.1:99999", "port"),
        ("grpc://:13000", "host"),
        ("grpc://127.0.0.1:13000/study", "path"),
        ("grpc://alice:s3cret@127.0.0.1:13000", "user"),
    ],
)
def test_a_malformed_proxy_address_is_one_line(spec: str, problem: str) -> None:
    result = run_cli("summary", spec)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert problem in result.stderr and "s3cret" not in result.stderr + result.stdout


@pytest.fixture
def fake_proxy() -> Iterator[Callable[[dict[str, Callable[[bytes], bytes]]], str]]:
    """``fake_proxy({method: reply_bytes_for_request_bytes})``: a gRPC server in this process
    that answers the named methods of Optuna's service with raw bytes (others: UNIMPLEMENTED)."""
    servers: list[grpc.Server] = []

    def start(handlers: dict[str, Callable[[bytes], bytes]]) -> str:
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        methods = {
            name: grpc.unary_unary_rpc_method_handler(
                lambda request, _context, answer=answer: answer(request)
            )
            for name, answer in handlers.items()
        }
        server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler("optuna.StorageService", methods),)
        )
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        servers.append(server)
        return f"grpc://127.0.0.1:{port}"

    yield start
    for server in servers:
        server.stop(None)


def _unknown_field(number: int) -> bytes:
    """A varint field with a number this Optuna's messages do not declare (value 1)."""
    return bytes([number << 3, 1])


def _one_study() -> api_pb2.Study:
    return api_pb2.Study(study_id=0, study_name="s_2M_h1", directions=[api_pb2.MINIMIZE])


def test_a_proxy_of_a_newer_optuna_is_refused_not_misread(
    fake_proxy: Callable[[dict[str, Callable[[bytes], bytes]]], str],
) -> None:
    """A reply with fields this Optuna does not know (a newer proxy) would lose them
    silently; it is an error naming the proxy instead."""
    reply = api_pb2.GetAllStudiesReply(studies=[_one_study()]).SerializeToString()
    spec = fake_proxy({"GetAllStudies": lambda _request: reply + _unknown_field(15)})
    with pytest.raises(SourceError) as raised:
        load_campaign([spec])
    assert raised.value.source == spec and "newer" in raised.value.problem


def test_an_unknown_trial_state_is_refused_not_misread(
    fake_proxy: Callable[[dict[str, Callable[[bytes], bytes]]], str],
) -> None:
    studies = api_pb2.GetAllStudiesReply(studies=[_one_study()]).SerializeToString()
    trial = api_pb2.Trial(trial_id=1, number=0, state=42)  # no such state in this Optuna
    trials = api_pb2.GetTrialsReply(trials=[trial]).SerializeToString()
    spec = fake_proxy({"GetAllStudies": lambda _r: studies, "GetTrials": lambda _r: trials})
    with pytest.raises(SourceError) as raised:
        load_campaign([spec])
    assert "newer" in raised.value.problem


def test_a_server_without_the_service_is_named(
    fake_proxy: Callable[[dict[str, Callable[[bytes], bytes]]], str],
) -> None:
    spec = fake_proxy({})
    with pytest.raises(SourceError) as raised:
        load_campaign([spec])
    assert "not an Optuna storage proxy" in raised.value.problem


@pytest.fixture
def tcp_server() -> Iterator[Callable[[bytes | None], str]]:
    """``tcp_server(answer)``: a plain TCP server on a free local port that writes ``answer``
    to each connection and closes it, or (``None``) accepts and never says a word."""
    import socket
    import threading

    listeners: list[socket.socket] = []
    held: list[socket.socket] = []

    def start(answer: bytes | None) -> str:
        listener = socket.create_server(("127.0.0.1", 0))
        listeners.append(listener)

        def serve_forever() -> None:
            while True:
                try:
                    connection, _ = listener.accept()
                except OSError:
                    return
                if answer is None:
                    held.append(connection)  # open and silent
                    continue
                with connection:
                    connection.recv(65536)
                    connection.sendall(answer)

        threading.Thread(target=serve_forever, daemon=True).start()
        return f"grpc://127.0.0.1:{listener.getsockname()[1]}"

    yield start
    for sock in listeners + held:
        sock.close()


def test_a_server_that_is_not_grpc_is_named(tcp_server: Callable[[bytes | None], str]) -> None:
    """A web server (HTTP/1.1) at the address: the client fails to read HTTP/2 from it."""
    spec = tcp_server(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    with pytest.raises(SourceError) as raised:
        load_campaign([spec])
    assert raised.value.problem == "not an Optuna storage proxy (the server does not speak gRPC)"


def test_a_silent_address_times_out(
    tcp_server: Callable[[bytes | None], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hpo_tui.core.storage import grpc_proxy

    monkeypatch.setattr(grpc_proxy, "_FIRST_CALL_TIMEOUT_S", 0.5)  # 10 s in use
    spec = tcp_server(None)
    with pytest.raises(SourceError) as raised:
        load_campaign([spec])
    assert raised.value.problem == "proxy not reachable (timed out)"


def test_without_grpcio_the_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "grpc", None)  # import grpc raises ImportError
    spec = f"grpc://127.0.0.1:{free_port()}"
    with pytest.raises(SourceError) as raised:
        load_campaign([spec])
    assert raised.value.problem == "gRPC support missing: pip install 'hpo-tui[grpc]'"
