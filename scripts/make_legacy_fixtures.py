#!/usr/bin/env python3
"""Build small storages written by OLD Optuna versions, for hpo-tui's tests.

For every requested Optuna version this script creates a throwaway venv in a
temporary directory, installs that Optuna release (plus the pins it needs on
Python 3.11) from PyPI, and runs the embedded generator with that venv's
python.  The generator writes, into ``tests/fixtures/legacy/``:

* ``optuna-<version>.db``                    SQLite RDB storage
* ``optuna-<version>.expected.json``         what that Optuna reports for it
* ``optuna-<version>.journal.log``           JournalStorage file (>= 3.1 only)
* ``optuna-<version>.journal.expected.json`` what that Optuna reports for it

The expected JSON files are produced by reading the storages back with the
OLD version's own public API (``optuna.load_study`` /
``study.get_trials(deepcopy=False)``) in a fresh storage object.

Stdlib only.  Usage::

    python3.11 scripts/make_legacy_fixtures.py                 # all versions
    python3.11 scripts/make_legacy_fixtures.py --versions 2.10.1 4.0.0

Never open the produced files with a newer Optuna: it may stamp/upgrade them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "tests" / "fixtures" / "legacy"

# Exact requirement sets (full `pip freeze` of the venvs) verified to install
# and run on CPython 3.11.  Everything is pinned so that a rebuild resolves the
# same packages.
PINS: dict[str, list[str]] = {
    # SQLAlchemy must stay 1.4.x: with 2.x, 2.10.1's RDBStorage dies on
    # `assert version is not None` (alembic_version never stamped).  The
    # known-good bound is <1.4.46 (1.4.54 also worked for this generator).
    # alembic < 1.9.  numpy 1.x (scipy 1.10.1 is built against numpy 1.x).
    # cliff and its deps are 2.10.1 install requirements (CLI only).
    "2.10.1": [
        "optuna==2.10.1",
        "SQLAlchemy==1.4.45",
        "alembic==1.8.1",
        "numpy==1.23.5",
        "scipy==1.10.1",
        "cliff==4.3.0",
        "cmaes==0.10.0",
        "colorlog==6.7.0",
        "tqdm==4.66.1",
        "PyYAML==6.0.1",
        "packaging==23.2",
        "autopage==0.6.0",
        "cmd2==4.3.1",
        "greenlet==3.5.6",
        "importlib_metadata==10.2.0",
        "lazy-importer==0.1.0",
        "Mako==1.4.3",
        "markdown-it-py==4.3.0",
        "MarkupSafe==3.0.4",
        "mdurl==0.1.2",
        "prettytable==3.18.0",
        "prompt_toolkit==3.0.53",
        "Pygments==2.21.0",
        "pyperclip==1.11.0",
        "rich==15.0.0",
        "rich-argparse==1.8.0",
        "stevedore==5.10.0",
        "wcwidth==0.9.4",
        "zipp==4.1.2",
    ],
    # Optuna 3.0.x does not install on Python 3.11; 3.1.1 does.
    "3.1.1": [
        "optuna==3.1.1",
        "SQLAlchemy==1.4.52",
        "alembic==1.13.1",
        "numpy==1.26.4",
        "cmaes==0.10.0",
        "colorlog==6.8.2",
        "tqdm==4.66.4",
        "PyYAML==6.0.1",
        "packaging==24.0",
        "greenlet==3.5.6",
        "Mako==1.4.3",
        "MarkupSafe==3.0.4",
        "typing_extensions==4.16.0",
    ],
    "4.0.0": [
        "optuna==4.0.0",
        "SQLAlchemy==2.0.30",
        "alembic==1.13.1",
        "numpy==1.26.4",
        "colorlog==6.8.2",
        "tqdm==4.66.4",
        "PyYAML==6.0.1",
        "packaging==24.0",
        "greenlet==3.5.6",
        "Mako==1.4.3",
        "MarkupSafe==3.0.4",
        "typing_extensions==4.16.0",
    ],
}

DEFAULT_VERSIONS = tuple(PINS)

# The generator runs inside the old venv.  argv: <optuna version> <out dir>.
GENERATOR = r'''
import datetime
import hashlib
import json
import math
import os
import shutil
import sqlite3
import sys
import tempfile
import warnings

warnings.simplefilter("ignore")

import optuna
from optuna.distributions import distribution_to_json

VERSION = sys.argv[1]
OUT_DIR = sys.argv[2]
assert optuna.__version__ == VERSION, (optuna.__version__, VERSION)
MAJOR_MINOR = tuple(int(p) for p in VERSION.split(".")[:2])

optuna.logging.set_verbosity(optuna.logging.WARNING)

# Mixed-type categorical choices (str, None, bool, int).
ACTIVATIONS = ("relu", "gelu", None, True, 3)


def _losses(base, n):
    return [round(base / (1.0 + e) + 0.01 * e, 6) for e in range(n)]


def objective_h1(trial):
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    dropout = trial.suggest_float("dropout", 0.0, 0.5)
    layers = trial.suggest_int("n_layers", 1, 4)
    act = trial.suggest_categorical("activation", ACTIVATIONS)
    n = trial.number
    base = 1.0 + lr * 10 + dropout + 0.1 * layers
    train = _losses(base, 4)
    val = _losses(base * 1.1, 4)
    trial.set_user_attr("train_losses", train)
    trial.set_user_attr("val_losses", val)
    trial.set_user_attr("arch", "mlp-%d" % layers)
    for epoch, v in enumerate(val):
        step = epoch * 2  # non-contiguous steps 0, 2, 4, 6
        if n == 3 and epoch == 1:
            # Optuna < 3.0 cannot store a NaN intermediate value in SQLite
            # (NOT NULL column, sqlite3 binds NaN as NULL -> IntegrityError;
            # see probe_nan_intermediate()).  Use -inf there instead.
            v = float("nan") if MAJOR_MINOR >= (3, 0) else float("-inf")
        elif n == 3 and epoch == 2:
            v = float("inf")
        elif n == 3 and epoch == 3:
            v = float("-inf")
        trial.report(v, step)
        if n == 4 and epoch == 1:
            raise optuna.TrialPruned()
    if n == 5:
        raise ValueError("synthetic failure in trial 5")
    if n == 6:
        return float("nan")
    if n == 7:
        return float("inf")
    return val[-1]


def objective_h3(trial):
    x = trial.suggest_float("x", -3.0, 3.0)
    k = trial.suggest_int("k", 1, 8, log=True)
    opt = trial.suggest_categorical("optimizer", ("adam", "sgd"))
    trial.set_user_attr("note", "h3-%d" % trial.number)
    for s in range(3):
        trial.report(-(x ** 2) + k * 0.1 + s, s * 5)
    return -(x ** 2) + k * 0.1 + (0.5 if opt == "adam" else 0.0)


def objective_mo(trial):
    a = trial.suggest_float("a", 0.0, 1.0)
    b = trial.suggest_int("b", 0, 10, step=2)
    if trial.number == 3:
        return float("-inf"), (1.0 - a) * 2.0  # a -inf objective value
    return a + b * 0.01, (1.0 - a) * 2.0


def build(storage):
    # --- legacy_2M_h1 -------------------------------------------------------
    study = optuna.create_study(
        storage=storage,
        study_name="legacy_2M_h1",
        direction="minimize",
        sampler=optuna.samplers.TPESampler(seed=42),
    )
    study.set_user_attr("dataset", "toy-2M")
    study.set_user_attr("tags", ["legacy", "h1"])
    # Study system attr through the storage API (Study.set_system_attr is
    # deprecated/removed in later versions).
    study._storage.set_study_system_attr(study._study_id, "fixture_kind", "legacy-h1")
    # Trial 0 is enqueued so that the mixed-type categorical takes the value
    # None (the other params are sampled); it keeps fixed_params in its
    # system attrs.
    study.enqueue_trial({"activation": None, "n_layers": 2})
    study.optimize(objective_h1, n_trials=8, catch=(ValueError,))
    # One RUNNING trial, left open (never told).
    running = study.ask()
    running.suggest_float("lr", 1e-5, 1e-1, log=True)
    running.report(0.75, 0)
    running.set_user_attr("train_losses", [0.9, 0.8])
    # One WAITING trial (enqueued after the ask above, so nothing pops it).
    study.enqueue_trial({"lr": 1e-3, "dropout": 0.25, "n_layers": 2, "activation": "gelu"})

    # --- legacy_20M_h3 ------------------------------------------------------
    study = optuna.create_study(
        storage=storage,
        study_name="legacy_20M_h3",
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=7),
    )
    study.set_user_attr("dataset", "toy-20M")
    study.optimize(objective_h3, n_trials=5)

    # --- legacy_mo ----------------------------------------------------------
    study = optuna.create_study(
        storage=storage,
        study_name="legacy_mo",
        directions=["minimize", "maximize"],
        sampler=optuna.samplers.RandomSampler(seed=3),
    )
    study.optimize(objective_mo, n_trials=4)


def _dt(d):
    return None if d is None else d.isoformat()


def _check_json(obj):
    json.dumps(obj)  # raises on anything non-serialisable
    return obj


def describe(storage, storage_kind, schema_head):
    names = sorted(["legacy_2M_h1", "legacy_20M_h3", "legacy_mo"])
    try:
        listed = sorted(s.study_name for s in optuna.get_all_study_summaries(storage))
        assert listed == names, listed
    except AttributeError:
        pass
    studies = []
    for name in names:
        study = optuna.load_study(study_name=name, storage=storage)
        sys_attrs = study._storage.get_study_system_attrs(study._study_id)
        trials = []
        for t in sorted(study.get_trials(deepcopy=False), key=lambda t: t.number):
            trials.append(
                {
                    "number": t.number,
                    "state": t.state.name,
                    "values": None if t.values is None else [float(v) for v in t.values],
                    "params": _check_json(dict(t.params)),
                    "distributions": {
                        k: distribution_to_json(d) for k, d in t.distributions.items()
                    },
                    "user_attrs": _check_json(dict(t.user_attrs)),
                    "system_attrs": _check_json(dict(t.system_attrs)),
                    "intermediate_values": {
                        str(k): v for k, v in sorted(t.intermediate_values.items())
                    },
                    "datetime_start": _dt(t.datetime_start),
                    "datetime_complete": _dt(t.datetime_complete),
                }
            )
        studies.append(
            {
                "study_name": name,
                "directions": [d.name for d in study.directions],
                "user_attrs": _check_json(dict(study.user_attrs)),
                "system_attrs": _check_json(dict(sys_attrs)),
                "trials": trials,
            }
        )
    return {
        "optuna_version": VERSION,
        "storage": storage_kind,
        "schema_head": schema_head,
        "studies": studies,
    }


def journal_storage(path):
    if MAJOR_MINOR >= (4, 0):
        from optuna.storages.journal import JournalFileBackend

        return optuna.storages.JournalStorage(JournalFileBackend(path))
    return optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(path))


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_json(obj, path):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=False)
        f.write("\n")


def probe_nan_intermediate(work):
    """Print whether this version can store a NaN intermediate value in SQLite."""
    url = "sqlite:///" + os.path.join(work, "probe.db")
    study = optuna.create_study(storage=url, study_name="probe")
    trial = study.ask()
    try:
        trial.report(float("nan"), 0)
        got = study.get_trials(deepcopy=False)[0].intermediate_values
        print("PROBE NaN intermediate in SQLite: accepted, reads back as %r" % (got,))
    except Exception as e:  # noqa: BLE001
        print("PROBE NaN intermediate in SQLite: rejected: %s" % str(e).splitlines()[0])


def main():
    work = tempfile.mkdtemp(prefix="legacy-gen-")
    written = []
    try:
        probe_nan_intermediate(work)
        # RDB -----------------------------------------------------------------
        db = os.path.join(work, "optuna-%s.db" % VERSION)
        url = "sqlite:///" + db
        build(optuna.storages.RDBStorage(url))
        con = sqlite3.connect(db)
        head = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        con.close()
        # Read back through a brand-new storage object (no in-memory cache),
        # and prove that reading back does not modify the file.
        before = sha256(db)
        expected = describe(optuna.storages.RDBStorage(url), "rdb", head)
        assert sha256(db) == before, "read-back modified the RDB file"
        final_db = os.path.join(OUT_DIR, "optuna-%s.db" % VERSION)
        shutil.copyfile(db, final_db)
        write_json(expected, os.path.join(OUT_DIR, "optuna-%s.expected.json" % VERSION))
        written += [final_db, os.path.join(OUT_DIR, "optuna-%s.expected.json" % VERSION)]

        # Journal (>= 3.1) ----------------------------------------------------
        if MAJOR_MINOR >= (3, 1):
            log = os.path.join(work, "optuna-%s.journal.log" % VERSION)
            build(journal_storage(log))
            before = sha256(log)
            expected = describe(journal_storage(log), "journal", None)
            assert sha256(log) == before, "read-back modified the journal file"
            final_log = os.path.join(OUT_DIR, "optuna-%s.journal.log" % VERSION)
            shutil.copyfile(log, final_log)
            ej = os.path.join(OUT_DIR, "optuna-%s.journal.expected.json" % VERSION)
            write_json(expected, ej)
            written += [final_log, ej]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for p in written:
        print("WROTE %s" % p)


main()
'''


def _run(cmd: list[str], env: dict[str, str] | None = None) -> None:
    print("+ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, env=env)


def build_version(version: str, out_dir: Path, keep_venv: bool) -> list[Path]:
    if version not in PINS:
        raise SystemExit(f"no pins known for Optuna {version}; known: {', '.join(PINS)}")
    tmp = Path(tempfile.mkdtemp(prefix=f"optuna-{version}-venv-"))
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(tmp / "venv")
        py = str(tmp / "venv" / "bin" / "python")
        _run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PINS[version]])
        gen = tmp / "generate.py"
        gen.write_text(GENERATOR)
        # Remove stale outputs for this version so the set is exactly fresh.
        for old in out_dir.glob(f"optuna-{version}.*"):
            old.unlink()
        env = dict(os.environ)
        env["TZ"] = "UTC"  # Optuna stores naive local datetime.now(); make it UTC.
        env["PYTHONHASHSEED"] = "0"
        env.pop("PYTHONPATH", None)
        _run([py, str(gen), version, str(out_dir)], env=env)
        return sorted(out_dir.glob(f"optuna-{version}.*"))
    finally:
        if keep_venv:
            print(f"kept venv: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--versions",
        nargs="+",
        default=list(DEFAULT_VERSIONS),
        help=f"Optuna versions to build (default: {' '.join(DEFAULT_VERSIONS)})",
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    ap.add_argument("--keep-venv", action="store_true", help="do not delete the venvs")
    args = ap.parse_args(argv)
    args.out = args.out.resolve()
    if sys.version_info[:2] != (3, 11):
        print(
            f"warning: pins were verified on Python 3.11, running {sys.version.split()[0]}",
            file=sys.stderr,
        )
    args.out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for version in args.versions:
        written += build_version(version, args.out, args.keep_venv)
    print("\nwritten files:")
    for p in written:
        print(
            f"  {p.relative_to(REPO_ROOT) if p.is_relative_to(REPO_ROOT) else p}"
            f"  {p.stat().st_size} bytes"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
