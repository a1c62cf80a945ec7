"""Optuna's gRPC storage proxy in a subprocess, for tests: ``serve(storage_url)`` gives the
``grpc://127.0.0.1:PORT`` of a proxy over that storage, stopped on exit."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import optuna

_SERVER = (
    "import sys, optuna\n"
    "from optuna.storages import get_storage, run_grpc_proxy_server\n"
    "optuna.logging.set_verbosity(optuna.logging.ERROR)\n"
    "run_grpc_proxy_server(get_storage(sys.argv[1]), host='127.0.0.1', port=int(sys.argv[2]))\n"
)


def free_port() -> int:
    """A TCP port nobody listens on at the moment, on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def proxy_client(spec: str) -> Any:
    """A ``GrpcStorageProxy`` on ``grpc://HOST:PORT`` (what the workers write through)."""
    host, _, port = spec.removeprefix("grpc://").rpartition(":")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.storages.GrpcStorageProxy(host=host, port=int(port))


@contextmanager
def serve(storage_url: str) -> Iterator[str]:
    """Run ``run_grpc_proxy_server`` over ``storage_url`` on a free local port."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVER, storage_url, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    spec = f"grpc://127.0.0.1:{port}"
    try:
        client = proxy_client(spec)
        try:
            client.wait_server_ready(timeout=60)
        except ConnectionError:
            server.kill()
            raise RuntimeError(f"the proxy did not start: {server.communicate()[1]}") from None
        finally:
            client.close()
        yield spec
    finally:
        server.terminate()
        try:
            server.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()
