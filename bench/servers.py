"""Storages of larger teams: MySQL/MariaDB and Optuna's gRPC storage proxy, against their floors.

``python bench/servers.py [--parts mysql,grpc] [--mysql-size 12x2000x100]
[--grpc-size 12x200x100] [--repeat 1]``

Every row runs in a fresh interpreter, with its wall time, the whole process's time and
peak RSS (``VmHWM``), methods interleaved when ``--repeat`` > 1. One run prints one table
per part (medians) and writes them to ``bench/.cache/servers-<time>.json``. Never run from the
tests.

``mysql`` (the MariaDB server on 127.0.0.1:3306 and ``generate.py --backend mysql``):

- ``summary``: the whole ``hpo-tui summary URL --format csv`` process;
- ``load``: ``load_campaign`` in-process (imports apart), and the MB of the campaign's
  frames (``memory_usage(deep=True)``): the load's result;
- ``connectorx``: ``connectorx.read_sql(..., return_type="arrow")`` of ``SELECT *`` of every
  table hpo-tui reads (the Arrow floor, imports apart);
- ``pymysql``: PyMySQL ``fetchall`` of the same tables (hpo-tui's path without ``fast``).

``grpc`` (a cached SQLite storage, ``generate.py``): Optuna's ``run_grpc_proxy_server`` in a
subprocess over ``get_storage`` of the file (read-only URI; ``get_storage`` adds Optuna's
trial cache, as Optuna's docs recommend for the proxy), on a free local port, then:

- ``optuna-proxy-first-read``: the first read through the freshly started proxy, whose
  storage cache is empty (what the first reader of a new proxy waits);
- ``load-proxy`` / ``load-direct``: ``load_campaign`` through the proxy / of the file;
- ``summary-proxy`` / ``summary-direct``: the whole ``summary`` process, both ways;
- ``optuna-proxy``: Optuna's own ``GrpcStorageProxy.get_all_trials`` for every study (the
  client hpo-tui reads through: its floor);
- ``refresh-proxy``: a live campaign refreshed through the proxy with nothing changed.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import CACHE_DIR, DATA_TABLES, MY_HOST, MY_PORT, MY_USER, Size
from journal import _PRELUDE, _RSS, _TAIL, _child

_LOAD = (
    _PRELUDE
    + "from hpo_tui.core import load_campaign\nimport pandas, numpy\n"
    + "from measure import frames_footprint\n"
    + "{warm}"
    + "t0 = time.perf_counter()\nc = load_campaign([sys.argv[1]])\n"
    + f"seconds = time.perf_counter() - t0\nrss = {_RSS}\n"
    + "frames = sum(frames_footprint(c).values())\n"
    + "print(json.dumps({'seconds': seconds, 'rss_mb': rss, 'frames_mb': frames, "
    + "'trials': len(c.trials)}))\n"
)
_WARM_MYSQL = (  # the drivers hpo-tui imports on first use, as the raw reads import theirs
    "import pymysql, sqlalchemy, connectorx, pyarrow\n"
)
_WARM_GRPC = "import grpc, optuna\nfrom optuna.storages import GrpcStorageProxy\n"
_SUMMARY = (
    _PRELUDE
    + "import contextlib, io\nt0 = time.perf_counter()\nfrom hpo_tui.cli import main\n"
    + "with contextlib.redirect_stdout(io.StringIO()):\n    main(sys.argv[1:])\n"
    + _TAIL
)
_CONNECTORX = (
    _PRELUDE
    + "import connectorx, pyarrow\nt0 = time.perf_counter()\n"
    + "tables = [connectorx.read_sql(sys.argv[1], 'SELECT * FROM ' + t, return_type='arrow')"
    + " for t in sys.argv[2].split(',')]\n"
    + _TAIL
)
_PYMYSQL = (
    _PRELUDE
    + "import pymysql\nt0 = time.perf_counter()\n"
    + "conn = pymysql.connect(host=sys.argv[1], port=int(sys.argv[2]), user=sys.argv[3], "
    + "password='', database=sys.argv[4])\ncur = conn.cursor()\nkept = []\n"
    + "for t in sys.argv[5].split(','):\n    cur.execute('SELECT * FROM ' + t)\n"
    + "    kept.append(cur.fetchall())\nconn.close()\n"
    + _TAIL
)
_OPTUNA_PROXY = (
    _PRELUDE
    + "import warnings, optuna\nfrom optuna.storages import GrpcStorageProxy\n"
    + "warnings.simplefilter('ignore')\nt0 = time.perf_counter()\n"
    + "host, port = sys.argv[1].removeprefix('grpc://').rsplit(':', 1)\n"
    + "s = GrpcStorageProxy(host=host, port=int(port))\n"
    + "n = sum(len(s.get_all_trials(x._study_id, deepcopy=False)) for x in s.get_all_studies())\n"
    + _TAIL
)
_REFRESH = (
    _PRELUDE
    + "from hpo_tui.core.model.live import LiveCampaign\n"
    + "live = LiveCampaign([sys.argv[1]])\ntimes = []\n"
    + "for _ in range(7):\n    t0 = time.perf_counter(); live.refresh()\n"
    + "    times.append(time.perf_counter() - t0)\n"
    + "times.sort()\n"
    + f"print(json.dumps({{'seconds': times[3], 'rss_mb': {_RSS}}}))\n"
)
_PROXY_SERVER = (  # get_storage, as Optuna's docs say: an RDBStorage with Optuna's cache
    "import sys, optuna\n"
    "from optuna.storages import get_storage, run_grpc_proxy_server\n"
    "optuna.logging.set_verbosity(optuna.logging.ERROR)\n"
    "run_grpc_proxy_server(get_storage(sys.argv[1]), host='127.0.0.1', port=int(sys.argv[2]))\n"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def mysql_methods(size: Size) -> dict[str, tuple[str, list[str]]]:
    """Each MySQL row: (child code, argv)."""
    tables = ",".join(DATA_TABLES)
    cx_url = f"mysql://{MY_USER}@{MY_HOST}:{MY_PORT}/{size.mysql_database}"
    return {
        "connectorx": (_CONNECTORX, [cx_url, tables]),
        "pymysql": (_PYMYSQL, [MY_HOST, str(MY_PORT), MY_USER, size.mysql_database, tables]),
        "load": (_LOAD.replace("{warm}", _WARM_MYSQL), [size.mysql_url]),
        "summary": (_SUMMARY, ["summary", size.mysql_url, "--format", "csv"]),
    }


class _Proxy:
    """``run_grpc_proxy_server`` over ``get_storage`` of a SQLite file (read-only URI), in a
    subprocess."""

    def __init__(self, path: Path) -> None:
        self.port = _free_port()
        url = f"sqlite:///file:{path}?mode=ro&uri=true"
        self.process = subprocess.Popen(
            [sys.executable, "-c", _PROXY_SERVER, url, str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.spec = f"grpc://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("the gRPC proxy did not start") from None
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def grpc_methods(spec: str, path: Path) -> dict[str, tuple[str, list[str]]]:
    """Each gRPC row: (child code, argv)."""
    return {
        # The proxy's storage cache starts empty: its first read is Optuna's ORM read of every
        # trial, on the proxy's side. Every row after it finds the cache warm.
        "optuna-proxy-first-read": (_OPTUNA_PROXY, [spec]),
        "optuna-proxy": (_OPTUNA_PROXY, [spec]),
        "load-proxy": (_LOAD.replace("{warm}", _WARM_GRPC), [spec]),
        "load-direct": (_LOAD.replace("{warm}", ""), [str(path)]),
        "summary-proxy": (_SUMMARY, ["summary", spec, "--format", "csv"]),
        "summary-direct": (_SUMMARY, ["summary", str(path), "--format", "csv"]),
        "refresh-proxy": (_REFRESH, [spec]),
    }


def _run(methods: dict[str, tuple[str, list[str]]], repeat: int) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    for _ in range(repeat):
        for name, (code, argv) in methods.items():
            result = _child(code, *argv)
            rows.setdefault(name, []).append(result)
            print(f"  {name}: {result}", file=sys.stderr)
    return rows


def _table(title: str, rows: dict[str, list[dict[str, Any]]]) -> str:
    lines = [title, "", "| what | work (s) | whole process (s) | peak RSS (MB) | frames (MB) |"]
    lines.append("|---|--:|--:|--:|--:|")
    for name, results in rows.items():
        work = statistics.median(r.get("seconds", r["process_s"]) for r in results)
        proc = statistics.median(r["process_s"] for r in results)
        rss = statistics.median(r["rss_mb"] for r in results)
        frames = [r["frames_mb"] for r in results if "frames_mb" in r]
        shown = f"{statistics.median(frames):.0f}" if frames else ""
        lines.append(f"| {name} | {work:.3f} | {proc:.2f} | {rss:.0f} | {shown} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="mysql,grpc")
    parser.add_argument("--mysql-size", default="12x2000x100")
    parser.add_argument("--grpc-size", default="12x200x100")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    from generate import ensure

    report: dict[str, Any] = {"started": datetime.now(UTC).isoformat(), "parts": {}}
    tables = []
    if "mysql" in parts:
        size = Size.parse(args.mysql_size)
        ensure(size, "mysql")
        rows = _run(mysql_methods(size), args.repeat)
        report["parts"]["mysql"] = {"size": size.label, "rows": rows}
        tables.append(_table(f"MySQL/MariaDB {size.label} ({size.n_trials} trials)", rows))
    if "grpc" in parts:
        size = Size.parse(args.grpc_size)
        path = Path(ensure(size, "sqlite"))
        proxy = _Proxy(path)
        try:
            rows = _run(grpc_methods(proxy.spec, path), args.repeat)
        finally:
            proxy.stop()
        report["parts"]["grpc"] = {"size": size.label, "rows": rows}
        tables.append(_table(f"gRPC proxy over SQLite {size.label} ({size.n_trials} trials)", rows))
    CACHE_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    (CACHE_DIR / f"servers-{stamp}.json").write_text(json.dumps(report, indent=1))
    print("\n\n".join(tables))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
