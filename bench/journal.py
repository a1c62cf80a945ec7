"""JournalStorage bench: hpo-tui's journal reader against Optuna's replay and the parse floors,
for a journal file and a journal in Redis, in one run.

``python bench/journal.py [--size 12x2000x100] [--no-redis]`` writes (once; cached under
``bench/.cache/``) a journal file of S studies x T trials x N steps through Optuna's own
``study.add_trials`` (``JournalFileBackend``), with the data of :mod:`generate` (states,
params, intermediate values, ``train_losses``/``val_losses`` list attrs), so the file is
exactly what Optuna writes. Then, each in a fresh process, with wall time and peak RSS:

- ``summary``: the whole ``hpo-tui summary FILE --format csv`` process;
- ``load``: ``load_campaign`` in-process (imports apart);
- ``optuna``: ``optuna.load_study(...).get_trials(deepcopy=False)`` for every study;
- ``json`` / ``orjson``: ``loads`` of every line (the floors);
- ``refresh``: a live campaign refreshed with nothing appended, then after one more trial
  (its ops as a worker writes them) is appended to a copy.

Then the same trials in Redis: a ``redis-server`` of the run's own on a free local port (in
memory), written through Optuna's ``add_trials`` with ``JournalRedisBackend`` (every run: the
server keeps nothing), and, each in a fresh process:

- ``redis-mget``: ``MGET`` of every log in batches of 1,000 (redis-py), no parsing; with
  ``json.loads`` / ``orjson.loads`` of every log (``redis-mget-json``, ``redis-mget-orjson``:
  the floors);
- ``redis-optuna``: ``load_study(...).get_trials(deepcopy=False)`` for every study over
  ``JournalRedisBackend`` (Optuna unpickles its snapshot, then replays the logs after it);
- ``redis-load`` / ``redis-summary`` / ``redis-refresh``: as above, on ``redis://``.

One run prints one table (medians of ``--repeat`` runs). Never run from the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import warnings
from datetime import UTC
from pathlib import Path

from common import CACHE_DIR, Size, study_names

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def journal_path(size: Size) -> Path:
    return CACHE_DIR / f"journal-{size.label}.log"


def write_journal(size: Size, path: Path) -> None:
    """The journal file of ``size``, written through Optuna's ``add_trials``."""
    import optuna
    from optuna.storages.journal import JournalFileBackend

    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    write_trials(size, optuna.storages.JournalStorage(JournalFileBackend(str(tmp))))
    tmp.rename(path)


def write_trials(size: Size, storage: object) -> None:
    """The studies and trials of ``size`` written into ``storage`` by Optuna's ``add_trials``."""
    import numpy as np
    import optuna
    from generate import OPTIMIZERS, _distributions, make_study
    from optuna.trial import TrialState, create_trial

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    distributions = _distributions()
    for index, name in enumerate(study_names(size.studies)):
        data = make_study(size, index, name)
        study = optuna.create_study(study_name=name, storage=storage)
        trials = []
        for t in range(size.trials):
            n = int(data.n_steps[t])
            state = TrialState[data.states[t]]
            value = None if state == TrialState.FAIL else float(data.values[t])
            attrs = (
                {
                    "train_losses": data.train[t, :n].tolist(),
                    "val_losses": data.val[t, :n].tolist(),
                }
                if size.list_attrs
                else {}
            )
            trial = create_trial(
                state=state,
                value=value,
                params={
                    "learning_rate": float(data.learning_rate[t]),
                    "n_layers": int(data.n_layers[t]),
                    "optimizer": OPTIMIZERS[int(data.optimizer[t])],
                },
                distributions=distributions,
                user_attrs=attrs,
                intermediate_values={
                    s: float(v) for s, v in enumerate(data.val[t, :n]) if not np.isnan(v)
                }
                | ({n - 1: float("nan")} if np.isnan(data.val[t, n - 1]) else {}),
            )
            trial.datetime_start = data.start[t].replace(tzinfo=UTC)  # naive UTC in generate
            trial.datetime_complete = data.complete[t].replace(tzinfo=UTC)
            trials.append(trial)
        study.add_trials(trials)


def _child(code: str, *args: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter: what it prints last (its seconds and peak RSS),
    and the whole process's wall time."""
    path = os.pathsep.join(
        filter(None, [str(ROOT / "src"), str(ROOT / "bench"), os.environ.get("PYTHONPATH")])
    )
    env = {**os.environ, "PYTHONPATH": path}
    started = time.perf_counter()
    proc = subprocess.Popen([PY, "-c", code, *args], env=env, stdout=subprocess.PIPE, text=True)
    out, _ = proc.communicate()
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - started
    return result


_PRELUDE = "import json, resource, sys, time\n"
# Peak RSS as VmHWM: ru_maxrss survives fork + exec (a child would report its parent's peak).
_RSS = "int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) / 1024"
_TAIL = f"print(json.dumps({{'seconds': time.perf_counter() - t0, 'rss_mb': {_RSS}}}))\n"
CODES = {
    "summary": _PRELUDE
    + "import contextlib, io\nt0 = time.perf_counter()\nfrom hpo_tui.cli import main\n"
    + "with contextlib.redirect_stdout(io.StringIO()):\n    main(sys.argv[1:])\n"
    + _TAIL,
    "json": _PRELUDE
    + "t0 = time.perf_counter()\n"
    + "with open(sys.argv[1], 'rb') as f:\n    n = sum(1 for line in f if json.loads(line))\n"
    + _TAIL,
    "orjson": _PRELUDE
    + "import orjson\nt0 = time.perf_counter()\n"
    + "def loads(line):\n    try:\n        return orjson.loads(line)\n"
    + "    except orjson.JSONDecodeError:\n        return json.loads(line)\n"
    + "with open(sys.argv[1], 'rb') as f:\n    n = sum(1 for line in f if loads(line))\n"
    + _TAIL,
    "optuna": _PRELUDE
    + "import optuna\nfrom optuna.storages.journal import JournalFileBackend\n"
    + "t0 = time.perf_counter()\n"
    + "s = optuna.storages.JournalStorage(JournalFileBackend(sys.argv[1]))\n"
    + "n = sum(len(optuna.load_study(study_name=x.study_name, storage=s)"
    + ".get_trials(deepcopy=False)) for x in optuna.get_all_study_summaries(s))\n"
    + _TAIL,
    "load": _PRELUDE
    + "from hpo_tui.core import load_campaign\nimport pandas, numpy\n"
    + "t0 = time.perf_counter()\nc = load_campaign([sys.argv[1]])\n"
    + _TAIL,
    "refresh": _PRELUDE
    + "from hpo_tui.core.model.live import LiveCampaign\n"
    + "live = LiveCampaign([sys.argv[1]])\n"
    + "t0 = time.perf_counter(); live.refresh(); idle = time.perf_counter() - t0\n"
    + "with open(sys.argv[1], 'ab') as f, open(sys.argv[2], 'rb') as extra:\n"
    + "    f.write(extra.read())\n"
    + "t0 = time.perf_counter(); s = live.refresh(); one = time.perf_counter() - t0\n"
    + "assert s.new_trials == 1, s.describe()\n"
    + "print(json.dumps({'seconds': one, 'idle_s': idle, "
    + f"'rss_mb': {_RSS}}}))\n",
}


_MGET = (
    "import redis\nr = redis.Redis.from_url(sys.argv[1])\nprefix = sys.argv[2]\n"
    + "t0 = time.perf_counter()\nlast = int(r.get(prefix + ':log_number'))\nn = 0\n"
    + "for begin in range(0, last + 1, 1000):\n"
    + "    keys = [f'{prefix}:log:{i}' for i in range(begin, min(last + 1, begin + 1000))]\n"
    + "    for log in r.mget(keys):\n        n += bool(PARSE(log))\n"
)
REDIS_CODES = {
    "redis-mget": _PRELUDE + _MGET.replace("PARSE(log)", "log") + _TAIL,
    "redis-mget-json": _PRELUDE + _MGET.replace("PARSE", "json.loads") + _TAIL,
    "redis-mget-orjson": _PRELUDE
    + "import orjson\n"
    + "def loads(log):\n    try:\n        return orjson.loads(log)\n"
    + "    except orjson.JSONDecodeError:\n        return json.loads(log)\n"
    + _MGET.replace("PARSE", "loads")
    + _TAIL,
    "redis-optuna": _PRELUDE
    + "import optuna, warnings\nfrom optuna.storages.journal import JournalRedisBackend\n"
    + "warnings.simplefilter('ignore')\nt0 = time.perf_counter()\n"
    + "s = optuna.storages.JournalStorage(JournalRedisBackend(sys.argv[1], prefix=sys.argv[2]))\n"
    + "n = sum(len(optuna.load_study(study_name=x.study_name, storage=s)"
    + ".get_trials(deepcopy=False)) for x in optuna.get_all_study_summaries(s))\n"
    + _TAIL,
    "redis-load": _PRELUDE
    + "from hpo_tui.core import load_campaign\nimport pandas, numpy, redis, orjson\n"
    + "t0 = time.perf_counter()\nc = load_campaign([sys.argv[1]])\n"
    + _TAIL,
    "redis-summary": CODES["summary"],
    "redis-refresh": _PRELUDE
    + "import redis\nfrom hpo_tui.core.model.live import LiveCampaign\n"
    + "spec, url, prefix = sys.argv[1:4]\n"
    + "live = LiveCampaign([spec])\n"
    + "t0 = time.perf_counter(); live.refresh(); idle = time.perf_counter() - t0\n"
    + "r = redis.Redis.from_url(url)\nbefore = int(r.get(prefix + ':log_number'))\n"
    + "with open(sys.argv[4], 'rb') as extra:\n"
    + "    for line in extra.read().splitlines():\n"
    + "        n = r.incr(prefix + ':log_number')\n"
    + "        r.set(f'{prefix}:log:{n}', json.dumps(json.loads(line)))\n"
    + "t0 = time.perf_counter(); s = live.refresh(); one = time.perf_counter() - t0\n"
    + "assert s.new_trials == 1, s.describe()\n"
    + "after = int(r.get(prefix + ':log_number'))\n"
    + "r.delete(*[f'{prefix}:log:{i}' for i in range(before + 1, after + 1)])\n"
    + "r.set(prefix + ':log_number', before)  # the journal as it was, for the next run\n"
    + "print(json.dumps({'seconds': one, 'idle_s': idle, "
    + f"'rss_mb': {_RSS}}}))\n",
}
REDIS_PREFIX = "bench"


class _RedisServer:
    """``redis-server`` on a free local port, in memory only, for one run."""

    def __init__(self) -> None:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(CACHE_DIR),
            ],
            stdout=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"
        import redis

        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        client.close()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def redis_rows(size: Size, extra_path: Path, repeat: int) -> dict[str, list[dict[str, float]]]:
    """The Redis rows: the trials written into a server of this run's own, then measured."""
    import optuna
    from optuna.storages.journal import JournalRedisBackend

    server = _RedisServer()
    try:
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            backend = JournalRedisBackend(server.url, prefix=REDIS_PREFIX)
        write_trials(size, optuna.storages.JournalStorage(backend))
        print(f"wrote Redis journal in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        spec = f"{server.url}?prefix={REDIS_PREFIX}"
        rows: dict[str, list[dict[str, float]]] = {}
        for _ in range(repeat):
            for method, code in REDIS_CODES.items():
                if method.startswith(("redis-mget", "redis-optuna")):
                    args = [server.url, REDIS_PREFIX]
                elif method == "redis-summary":
                    args = ["summary", spec, "--format", "csv"]
                elif method == "redis-refresh":
                    args = [spec, server.url, REDIS_PREFIX, str(extra_path)]
                else:
                    args = [spec]
                rows.setdefault(method, []).append(_child(code, *args))
        return rows
    finally:
        server.stop()


def one_trial_ops(path: Path) -> bytes:
    """The records of one trial run as a worker writes it (create, params, 100 reports,
    two list attrs, finish), appended to a scratch copy of ``path``'s first study."""
    import optuna
    from optuna.storages.journal import JournalFileBackend

    scratch = CACHE_DIR / "journal-one-trial.log"
    shutil.copy2(path, scratch)
    size = scratch.stat().st_size
    storage = optuna.storages.JournalStorage(JournalFileBackend(str(scratch)))
    name = storage.get_all_studies()[0].study_name
    study = optuna.load_study(study_name=name, storage=storage)

    def objective(trial: optuna.Trial) -> float:
        trial.suggest_float("learning_rate", 1e-5, 1e-1, log=True)
        trial.suggest_int("n_layers", 1, 8)
        trial.suggest_categorical("optimizer", ["adam", "sgd", "rmsprop"])
        for step in range(100):
            trial.report(1.0 / (step + 1), step)
        trial.set_user_attr("train_losses", [0.5] * 100)
        trial.set_user_attr("val_losses", [0.6] * 100)
        return 0.6

    study.optimize(objective, n_trials=1)
    extra = scratch.read_bytes()[size:]
    scratch.unlink()
    return extra


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="12x2000x100")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-redis", action="store_true", help="the journal file only")
    args = parser.parse_args()
    size = Size.parse(args.size)
    path = journal_path(size)
    CACHE_DIR.mkdir(exist_ok=True)
    if not path.exists():
        started = time.perf_counter()
        write_journal(size, path)
        print(f"wrote {path.name} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    megabytes = path.stat().st_size / 1e6
    extra_path = CACHE_DIR / "journal-one-trial.ops"
    extra_path.write_bytes(one_trial_ops(path))
    rows: dict[str, list[dict[str, float]]] = {}
    for _ in range(args.repeat):
        for method in ("json", "orjson", "optuna", "load", "summary", "refresh"):
            if method == "summary":
                result = _child(CODES["summary"], "summary", str(path), "--format", "csv")
            elif method == "refresh":
                copy = CACHE_DIR / "journal-refresh.log"
                shutil.copy2(path, copy)
                result = _child(CODES[method], str(copy), str(extra_path))
                copy.unlink()
            else:
                result = _child(CODES[method], str(path))
            rows.setdefault(method, []).append(result)
    if not args.no_redis:
        rows |= redis_rows(size, extra_path, args.repeat)
    extra_lines = extra_path.read_bytes().count(b"\n")
    print(f"journal {size.label}: {megabytes:.0f} MB, {size.n_trials} trials")
    print("| what | wall (s) | process (s) | peak RSS (MB) |")
    print("|---|--:|--:|--:|")
    for method, results in rows.items():
        wall = statistics.median(r.get("seconds", r["process_s"]) for r in results)
        proc = statistics.median(r["process_s"] for r in results)
        rss = statistics.median(r["rss_mb"] for r in results)
        print(f"| {method} | {wall:.2f} | {proc:.2f} | {rss:.0f} |")
    for name in ("refresh", "redis-refresh"):
        if name not in rows:
            continue
        idle = statistics.median(r["idle_s"] for r in rows[name]) * 1000
        one = statistics.median(r["seconds"] for r in rows[name]) * 1000
        print(
            f"{name}: no change {idle:.1f} ms; one finished trial ({extra_lines} records) "
            f"{one:.0f} ms"
        )
    CACHE_DIR.mkdir(exist_ok=True)
    (CACHE_DIR / "journal-last.json").write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
