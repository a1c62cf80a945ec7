"""JournalStorage bench: hpo-tui's journal reader against Optuna's replay and the parse floors.

``python bench/journal.py [--size 12x2000x100]`` writes (once; cached under ``bench/.cache/``)
a journal file of S studies x T trials x N steps through Optuna's own ``study.add_trials``
(``JournalFileBackend``), with the data of :mod:`generate` (states, params, intermediate
values, ``train_losses``/``val_losses`` list attrs), so the file is exactly what Optuna
writes. Then, each in a fresh process, with wall time and peak RSS:

- ``summary``: the whole ``hpo-tui summary FILE --format csv`` process;
- ``load``: ``load_campaign`` in-process (imports apart);
- ``optuna``: ``optuna.load_study(...).get_trials(deepcopy=False)`` for every study;
- ``json`` / ``orjson``: ``loads`` of every line (the floors);
- ``refresh``: a live campaign refreshed with nothing appended, then after one more trial
  (its ops as a worker writes them) is appended to a copy.

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
from datetime import UTC
from pathlib import Path

from common import CACHE_DIR, Size, study_names

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def journal_path(size: Size) -> Path:
    return CACHE_DIR / f"journal-{size.label}.log"


def write_journal(size: Size, path: Path) -> None:
    """The journal of ``size``, written through Optuna's ``add_trials``."""
    import numpy as np
    import optuna
    from generate import OPTIMIZERS, _distributions, make_study
    from optuna.storages.journal import JournalFileBackend
    from optuna.trial import TrialState, create_trial

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    storage = optuna.storages.JournalStorage(JournalFileBackend(str(tmp)))
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
    tmp.rename(path)


def _child(code: str, *args: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter: what it prints last (its seconds and peak RSS),
    and the whole process's wall time."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT / 'bench'}"}
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
    extra_lines = extra_path.read_bytes().count(b"\n")
    print(f"journal {size.label}: {megabytes:.0f} MB, {size.n_trials} trials")
    print("| what | wall (s) | process (s) | peak RSS (MB) |")
    print("|---|--:|--:|--:|")
    for method, results in rows.items():
        wall = statistics.median(r.get("seconds", r["process_s"]) for r in results)
        proc = statistics.median(r["process_s"] for r in results)
        rss = statistics.median(r["rss_mb"] for r in results)
        print(f"| {method} | {wall:.2f} | {proc:.2f} | {rss:.0f} |")
    refresh = rows["refresh"]
    idle = statistics.median(r["idle_s"] for r in refresh) * 1000
    one = statistics.median(r["seconds"] for r in refresh) * 1000
    print(
        f"refresh: no change {idle:.1f} ms; one finished trial ({extra_lines} records) {one:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
