"""Load benchmark: hpo-tui's bulk reader vs Optuna's API vs a raw bulk read, side by side.

Usage::

    .venv/bin/python bench/load.py [--sizes 12x50x100,12x2000x100] [--repeat 3]
                                   [--backend sqlite|postgresql|both] [--drop]

For every size and backend, the storage is generated once (``bench/generate.py``, cached),
then every method is run ``--repeat`` times, each run in a FRESH subprocess
(``bench/measure.py``), and the median is reported with the peak RSS of that process:

- ``hpo-tui``: ``hpo_tui.core.load_campaign([spec])`` (phases timed too);
- ``optuna``: ``optuna.load_study(...).get_trials(deepcopy=False)`` for all studies. One study
  is measured first; when all studies would take longer than ``--optuna-budget`` seconds the
  full run is skipped and the time is extrapolated from the one study (marked ``~``); otherwise
  the full run is repeated as often as the budget allows (at least once);
- ``raw-star`` / ``raw-cols``: DB-API ``fetchall()`` of ``SELECT *`` / of hpo-tui's own column
  lists, no decoding: the floor;
- ``adbc`` / ``connectorx``: the same ``SELECT *`` into Arrow tables, where the drivers are
  importable by this interpreter or by ``bench/.cache/arrow-venv/bin/python`` (a side venv:
  ``python3 -m venv bench/.cache/arrow-venv && bench/.cache/arrow-venv/bin/pip install
  adbc-driver-sqlite adbc-driver-postgresql connectorx pyarrow``; nothing is installed into
  the project's venv). Skipped with a note otherwise.

Times cover the work only, after the library under test and the drivers it uses are imported
(their import time is reported apart: hpo-tui's lazily imported drivers included, as each raw
method imports its driver first); peak RSS includes the interpreter and the imports.
``CPU s`` is the child's own CPU time over the same work (for PostgreSQL the server's CPU is
not in it); ``others' CPU %`` is the highest share of the machine's CPUs that other
processes used during a run (for PostgreSQL it includes the server): a busy machine shows
there. Methods are run round-robin, one repetition of each in turn, so that background load
hits them alike.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from common import (
    ARROW_VENV_PYTHON,
    CACHE_DIR,
    PG_ADMIN_DB,
    Size,
    parse_backends,
    parse_sizes,
    pg_dsn,
    study_names,
)

MEASURE = Path(__file__).resolve().parent / "measure.py"
RAW_METHODS = ("raw-star", "raw-cols", "adbc", "connectorx")
ALL_METHODS = ("hpo-tui", "optuna", *RAW_METHODS)
TARGET_VS_RAW = 2.0
TARGET_VS_OPTUNA = 20.0


def method_label(method: str, backend: str) -> str:
    """How a method is named in the results table."""
    driver = "sqlite3" if backend == "sqlite" else "psycopg2"
    return {
        "hpo-tui": "hpo-tui load_campaign",
        "optuna": "Optuna load_study().get_trials()",
        "raw-star": f"raw {driver} SELECT * fetchall",
        "raw-cols": f"raw {driver} hpo-tui SELECTs fetchall",
        "adbc": "ADBC SELECT * → Arrow",
        "connectorx": "connectorx SELECT * → Arrow",
    }[method]


@dataclass
class Result:
    """The measurements of one method on one size and backend."""

    size: str
    backend: str
    method: str
    runs: list[dict[str, Any]] = field(default_factory=list)
    extrapolated: bool = False
    skipped: str = ""
    note: str = ""

    @property
    def median(self) -> float:
        """Median seconds (the extrapolated estimate when ``extrapolated``)."""
        if not self.runs:
            return float("nan")
        return float(statistics.median(r["seconds"] for r in self.runs))

    @property
    def cpu(self) -> float:
        """Median CPU seconds of the measured work (this process only)."""
        if not self.runs or self.extrapolated:
            return float("nan")
        return float(statistics.median(r.get("cpu_seconds", float("nan")) for r in self.runs))

    @property
    def others(self) -> float:
        """Highest CPU share the rest of the machine took during a run, in percent."""
        return max((r.get("others_cpu_pct", 0.0) for r in self.runs), default=0.0)

    @property
    def peak_rss(self) -> float:
        """Median peak RSS of the runs, in MB."""
        if not self.runs:
            return float("nan")
        return float(statistics.median(r["peak_rss_mb"] for r in self.runs))


def _busy_jiffies() -> float:
    """CPU time all processes on the machine have used so far (``/proc/stat``), in seconds."""
    try:
        with open("/proc/stat") as stat:
            fields = [float(x) for x in stat.readline().split()[1:]]
    except OSError:
        return float("nan")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0.0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def child(
    python: str, method: str, backend: str, size: Size, study: str | None = None
) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and return its JSON result.

    Adds ``others_cpu_pct``: the CPU the rest of the machine used while the child ran (as a
    share of all cores), i.e. how contended the run was. For PostgreSQL it includes the server.
    """
    command = [python, str(MEASURE), method, backend, size.label]
    if study:
        command += ["--study", study]
    busy, mine, began = _busy_jiffies(), _children_cpu(), time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    wall = time.perf_counter() - began
    others = (_busy_jiffies() - busy) - (_children_cpu() - mine)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"{method} on {backend} {size.label} failed: {' | '.join(tail)}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["others_cpu_pct"] = max(0.0, 100.0 * others / (wall * (os.cpu_count() or 1)))
    return result


def arrow_python(module: str) -> str | None:
    """An interpreter that can import ``module``: this one, else the side venv's, else None."""
    if importlib.util.find_spec(module) is not None:
        return sys.executable
    if ARROW_VENV_PYTHON.exists():
        probe = subprocess.run(
            [str(ARROW_VENV_PYTHON), "-c", f"import {module}, pyarrow"],
            capture_output=True,
            check=False,
        )
        if probe.returncode == 0:
            return str(ARROW_VENV_PYTHON)
    return None


def python_for(method: str, backend: str) -> tuple[str | None, str]:
    """(interpreter to use, reason when there is none) for ``method``."""
    if method == "adbc":
        module = "adbc_driver_sqlite" if backend == "sqlite" else "adbc_driver_postgresql"
    elif method == "connectorx":
        module = "connectorx"
    else:
        return sys.executable, ""
    python = arrow_python(module)
    return python, "" if python else f"{module} not installed (see bench/load.py docstring)"


def measure_repeated(
    python: str, method: str, backend: str, size: Size, repeat: int
) -> list[dict[str, Any]]:
    """``repeat`` fresh-process runs of one method."""
    return [child(python, method, backend, size) for _ in range(repeat)]


def measure_optuna(size: Size, backend: str, repeat: int, budget: float) -> Result:
    """Optuna's API: probe one study, then run all studies or extrapolate (see module doc)."""
    result = Result(size.label, backend, "optuna")
    first = study_names(size.studies)[0]
    probe = child(sys.executable, "optuna", backend, size, study=first)
    estimate = probe["seconds"] * size.studies
    if estimate > budget and size.studies > 1:
        result.runs = [dict(probe, seconds=estimate)]
        result.extrapolated = True
        result.note = (
            f"extrapolated: 1 study took {probe['seconds']:.1f} s, x {size.studies} studies "
            f"= {estimate:.0f} s > budget {budget:.0f} s; RSS is the 1-study run's"
        )
        return result
    runs = min(repeat, max(1, int(budget // max(estimate, 1e-9))))
    if size.studies == 1:  # the probe was a full run
        result.runs = [probe, *measure_repeated(sys.executable, "optuna", backend, size, runs - 1)]
    else:
        result.runs = measure_repeated(sys.executable, "optuna", backend, size, runs)
    if runs < repeat:
        result.note = f"{runs} run(s) only: estimated {estimate:.0f} s each, budget {budget:.0f} s"
    return result


def pg_available() -> str:
    """Empty when the local PostgreSQL server answers, else why not."""
    try:
        import psycopg2
    except ImportError:
        return "psycopg2 not installed"
    try:
        psycopg2.connect(pg_dsn(PG_ADMIN_DB)).close()
    except psycopg2.Error as exc:
        return f"PostgreSQL not reachable ({str(exc).strip().splitlines()[0]})"
    return ""


# ---------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def machine_info() -> dict[str, str]:
    """Cores, RAM, OS, Python and package versions of this run."""
    mem_gib = "?"
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    mem_gib = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(
                (
                    line.split(":", 1)[1].strip()
                    for line in cpuinfo
                    if line.startswith("model name")
                ),
                "?",
            )
    except OSError:
        pass
    info = {
        "cores (os.cpu_count)": str(os.cpu_count()),
        "cpu": cpu,
        "RAM": mem_gib,
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite library": sqlite3.sqlite_version,
    }
    for package in (
        "hpo-tui",
        "optuna",
        "pandas",
        "numpy",
        "pyarrow",
        "sqlalchemy",
        "psycopg2-binary",
        "adbc-driver-sqlite",  # hpo-tui[fast]: its SQLite reads go through ADBC when installed
        "adbc-driver-postgresql",  # hpo-tui[fast]: PostgreSQL's large tables, likewise
    ):
        info[package] = _version(package)
    if not pg_available():
        import psycopg2

        with psycopg2.connect(pg_dsn(PG_ADMIN_DB)) as conn, conn.cursor() as cur:
            cur.execute("SHOW server_version")
            info["postgresql server"] = str(cur.fetchone()[0])
    if ARROW_VENV_PYTHON.exists():
        probe = subprocess.run(
            [
                str(ARROW_VENV_PYTHON),
                "-c",
                "import importlib.metadata as m\n"
                "for p in ('adbc-driver-sqlite','adbc-driver-postgresql','connectorx','pyarrow'):\n"
                "    try: print(p, m.version(p))\n"
                "    except Exception: pass",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        for line in probe.stdout.splitlines():
            name, _, version = line.partition(" ")
            info[f"{name} (side venv)"] = version
    return info


def _fmt_seconds(result: Result) -> str:
    if not result.runs:
        return "-"
    prefix = "~" if result.extrapolated else ""
    value = result.median
    return f"{prefix}{value:.3f}" if value < 10 else f"{prefix}{value:.1f}"


def _spread(result: Result) -> str:
    if len(result.runs) < 2:
        return ""
    times = [r["seconds"] for r in result.runs]
    return (
        f"{min(times):.3f}–{max(times):.3f}"
        if max(times) < 10
        else f"{min(times):.1f}–{max(times):.1f}"
    )


def fastest_raw(group: Sequence[Result]) -> Result | None:
    """The raw read with the lowest median in one size/backend group."""
    raws = [r for r in group if r.method in RAW_METHODS and r.runs]
    return min(raws, key=lambda r: r.median) if raws else None


def results_table(results: Sequence[Result]) -> str:
    """The side-by-side markdown table of every measurement."""
    lines = [
        "| size | backend | method | runs | median s | min–max s | CPU s | peak RSS MB "
        "| × fastest raw | hpo-tui speed-up vs Optuna | others' CPU % |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for key in dict.fromkeys((r.size, r.backend) for r in results):
        group = [r for r in results if (r.size, r.backend) == key]
        floor = fastest_raw(group)
        optuna = next((r for r in group if r.method == "optuna" and r.runs), None)
        for r in group:
            label = method_label(r.method, r.backend)
            if r.skipped:
                lines.append(
                    f"| {r.size} | {r.backend} | {label} | 0 | skipped: {r.skipped} |||||||"
                )
                continue
            ratio = f"{r.median / floor.median:.1f}×" if floor else "-"
            speedup = ""
            if r.method == "hpo-tui" and optuna:
                speedup = f"{'~' if optuna.extrapolated else ''}{optuna.median / r.median:.1f}×"
            runs = "1 study" if r.extrapolated else str(len(r.runs))
            cpu = "" if r.cpu != r.cpu else f"{r.cpu:.3f}" if r.cpu < 10 else f"{r.cpu:.1f}"
            lines.append(
                f"| {r.size} | {r.backend} | {label} | {runs} | {_fmt_seconds(r)} | {_spread(r)} "
                f"| {cpu} | {r.peak_rss:.0f} | {ratio} | {speedup} | {r.others:.0f} |"
            )
    return "\n".join(lines)


def targets_table(results: Sequence[Result]) -> str:
    """hpo-tui against the project's two targets, per size and backend."""
    lines = [
        f"| size | backend | hpo-tui s | fastest raw | hpo-tui ÷ raw (target ≤ {TARGET_VS_RAW:g}) "
        f"| Optuna ÷ hpo-tui (target ≥ {TARGET_VS_OPTUNA:g}) |",
        "|---|---|--:|---|--:|--:|",
    ]
    for key in dict.fromkeys((r.size, r.backend) for r in results):
        group = [r for r in results if (r.size, r.backend) == key]
        hpo = next((r for r in group if r.method == "hpo-tui" and r.runs), None)
        floor = fastest_raw(group)
        optuna = next((r for r in group if r.method == "optuna" and r.runs), None)
        if hpo is None:
            continue
        vs_raw = "-"
        floor_text = "-"
        if floor:
            ratio = hpo.median / floor.median
            vs_raw = f"{ratio:.1f}× {'met' if ratio <= TARGET_VS_RAW else 'MISSED'}"
            floor_text = f"{method_label(floor.method, floor.backend)} {floor.median:.3f} s"
        vs_optuna = "-"
        if optuna:
            ratio = optuna.median / hpo.median
            approx = "~" if optuna.extrapolated else ""
            vs_optuna = f"{approx}{ratio:.1f}× {'met' if ratio >= TARGET_VS_OPTUNA else 'MISSED'}"
        lines.append(
            f"| {key[0]} | {key[1]} | {hpo.median:.3f} | {floor_text} | {vs_raw} | {vs_optuna} |"
        )
    return "\n".join(lines)


def phases_table(results: Sequence[Result]) -> str:
    """hpo-tui's load split by phase (medians over the runs, exclusive times)."""
    hpo = [r for r in results if r.method == "hpo-tui" and r.runs]
    if not hpo:
        return ""
    names: list[str] = []
    for r in hpo:
        for run in r.runs:
            names.extend(n for n in run.get("phases", {}) if n not in names)
    names.sort(key=lambda n: (not n.startswith("read"), n.endswith(")") and "other" in n, n))
    header = "| phase | " + " | ".join(f"{r.size} {r.backend}" for r in hpo) + " |"
    lines = [header, "|---|" + "--:|" * len(hpo)]
    for name in names:
        cells = []
        for r in hpo:
            value = statistics.median(run.get("phases", {}).get(name, 0.0) for run in r.runs)
            cells.append(f"{value:.3f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    totals = [f"**{r.median:.3f}**" for r in hpo]
    lines.append("| **load_campaign total** | " + " | ".join(totals) + " |")
    imports = [f"{statistics.median(run['import_seconds'] for run in r.runs):.3f}" for r in hpo]
    lines.append(
        "| (not in total) `import hpo_tui.core` and its drivers | " + " | ".join(imports) + " |"
    )
    return "\n".join(lines)


CONTENDED_PCT = 20.0


def notes(results: Sequence[Result]) -> list[str]:
    """The notes attached to results (extrapolations, skips, contended runs)."""
    out = []
    for r in results:
        text = r.note or (f"skipped: {r.skipped}" if r.skipped else "")
        if text:
            out.append(f"{r.size} {r.backend} {method_label(r.method, r.backend)}: {text}")
    contended = [r for r in results if r.backend == "sqlite" and r.others > CONTENDED_PCT]
    if contended:
        out.append(
            f"other processes used > {CONTENDED_PCT:.0f}% of the CPUs during "
            f"{len(contended)} SQLite measurement(s): compare CPU s rather than wall s there"
        )
    return out


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def run(
    sizes: Sequence[Size],
    backends: Sequence[str],
    methods: Sequence[str],
    repeat: int,
    optuna_budget: float,
) -> list[Result]:
    """Generate what is missing, then measure every method on every size and backend."""
    import generate

    results: list[Result] = []
    for size in sizes:
        for backend in backends:
            generate.ensure(size, backend)
            group: dict[str, Result] = {}
            pythons: dict[str, str] = {}
            for method in methods:
                group[method] = Result(size.label, backend, method)
                if method == "optuna":
                    continue
                python, why = python_for(method, backend)
                if python is None:
                    group[method].skipped = why
                    continue
                pythons[method] = python
                if python != sys.executable:
                    group[method].note = "run by the side venv's interpreter (arrow-venv)"
            began = time.perf_counter()
            for _ in range(repeat):  # round-robin, so that background load hits all methods
                for method, python in pythons.items():
                    group[method].runs.append(child(python, method, backend, size))
            for method in pythons:
                _progress(group[method], began)
            if "optuna" in group:
                began = time.perf_counter()
                group["optuna"] = measure_optuna(size, backend, repeat, optuna_budget)
                _progress(group["optuna"], began)
            results.extend(group[m] for m in methods)
    return results


def _progress(result: Result, began: float) -> None:
    print(
        f"  {result.size} {result.backend:10} {result.method:10} {_fmt_seconds(result):>8} s "
        f"(cumulative {time.perf_counter() - began:.0f} s wall)",
        file=sys.stderr,
        flush=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="12x50x100,12x2000x100")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backend", default="both", choices=["sqlite", "postgresql", "both"])
    parser.add_argument(
        "--methods", default=",".join(ALL_METHODS), help=f"subset of {','.join(ALL_METHODS)}"
    )
    parser.add_argument(
        "--optuna-budget",
        type=float,
        default=120.0,
        help="seconds: extrapolate Optuna from one study when all would take longer",
    )
    parser.add_argument("--json", type=Path, default=CACHE_DIR / "last-run.json")
    parser.add_argument(
        "--drop", action="store_true", help="drop the PostgreSQL databases afterwards"
    )
    args = parser.parse_args(argv)
    sizes = parse_sizes(args.sizes)
    backends = parse_backends(args.backend)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = set(methods) - set(ALL_METHODS)
    if unknown:
        parser.error(f"unknown method(s): {', '.join(sorted(unknown))}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if "postgresql" in backends:
        why = pg_available()
        if why:
            print(f"note: skipping PostgreSQL: {why}", file=sys.stderr)
            backends = [b for b in backends if b != "postgresql"]

    began = time.perf_counter()
    info = machine_info()
    results = run(sizes, backends, methods, args.repeat, args.optuna_budget)
    wall = time.perf_counter() - began

    print("## Machine\n")
    for key, value in info.items():
        print(f"- {key}: {value}")
    print(f"\n## Results (median of {args.repeat} fresh-process runs; wall {wall:.0f} s)\n")
    print(results_table(results))
    print("\n## Targets\n")
    print(targets_table(results))
    table = phases_table(results)
    if table:
        print("\n## hpo-tui load by phase (median seconds, exclusive)\n")
        print(table)
    for line in notes(results):
        print(f"- {line}")

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {"machine": info, "wall_seconds": wall, "results": [asdict(r) for r in results]},
            indent=1,
        )
    )
    if args.drop and "postgresql" in backends:
        import generate

        for size in sizes:
            generate.drop_postgresql(size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
