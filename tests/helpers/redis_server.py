"""A real Redis server for tests: Debian's ``redis-server`` on a free local port, in memory
only (no RDB snapshot, no append-only file), stopped at the end.

Also what the tests need around it: the Optuna storage a worker writes through
(``JournalRedisBackend``), and the server's per-command call counts (``INFO commandstats``)
to show which commands a reader sent.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from tests.helpers.grpc_proxy import free_port

REDIS_SERVER = "/usr/bin/redis-server"


@dataclass(frozen=True)
class RedisServer:
    """A running server: its port and an admin client (the default user, every right)."""

    port: int
    admin: Any

    @property
    def base(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def fresh_spec(self, db: int = 0) -> str:
        """A ``redis://`` source with a prefix nobody used yet (one journal per test)."""
        return f"{self.base}/{db}?prefix=t{uuid.uuid4().hex[:10]}"

    def command_calls(self) -> dict[str, int]:
        """Calls per command since the server started (``INFO commandstats``), lower case;
        subcommands as ``client|setinfo``."""
        stats = self.admin.info("commandstats")
        return {name.removeprefix("cmdstat_"): int(s["calls"]) for name, s in stats.items()}


def redis_server_missing() -> str | None:
    """Why the tests cannot run a server (``None`` when they can)."""
    if shutil.which(REDIS_SERVER) is None:
        return f"{REDIS_SERVER} not found (Debian package redis-server)"
    try:
        import redis  # noqa: F401
    except ImportError:
        return "the redis package is not installed (pip install '.[redis]')"
    return None


@contextmanager
def run_redis_server(folder: Path) -> Iterator[RedisServer]:
    """``redis-server`` on a free port of 127.0.0.1, its working folder ``folder``."""
    import redis

    port = free_port()
    server = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
            "--databases",
            "4",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    admin = redis.Redis(host="127.0.0.1", port=port)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                admin.ping()
                break
            except redis.ConnectionError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"redis-server did not start: {server.communicate()[1]}"
                    ) from None
                time.sleep(0.05)
        yield RedisServer(port, admin)
    finally:
        admin.close()
        server.kill()
        server.wait(timeout=10)


def backend_args(spec: str) -> tuple[str, str]:
    """The ``(url, prefix)`` Optuna's ``JournalRedisBackend`` takes for a hpo-tui source."""
    parts = urlsplit(spec)
    prefix = parse_qs(parts.query, keep_blank_values=True).get("prefix", [""])[0]
    return urlunsplit(parts._replace(query="")), prefix


def journal_storage(spec: str, use_cluster: bool = False) -> Any:
    """An Optuna ``JournalStorage`` writing the journal that ``spec`` names."""
    import warnings

    import optuna
    from optuna.storages.journal import JournalRedisBackend

    url, prefix = backend_args(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        backend = JournalRedisBackend(url, use_cluster=use_cluster, prefix=prefix)
        return optuna.storages.JournalStorage(backend)
