"""The benchmark suite (``make bench``): every measurement of docs/performance.md in one run.

Usage::

    .venv/bin/python bench/suite.py [--quick] [--sizes 12x50x100,12x2000x100,12x5000x100-iv]
        [--backend both] [--repeat 3] [--parts load,cli,export,tui,palette,firstpaint,refresh,views]
        [--tui-sizes 12x50x100,12x5000x100-iv,12x8334x10-iv] [--tui-repeat 5]
        [--refresh-size 12x2000x100] [--views-size 12x2000x100] [--optuna-budget 120]
        [--source REV]
        [--json PATH] [--write-doc]

Parts, each measured in fresh processes (medians of ``--repeat`` runs, min–max, peak RSS):

``load``
    ``bench/load.py``'s side-by-side load: hpo-tui ``load_campaign`` vs Optuna's
    ``get_trials`` for all studies (extrapolated from one study beyond ``--optuna-budget``)
    vs raw DB-API ``fetchall`` vs ADBC/connectorx (when the side venv exists), with the
    campaign frames' memory footprint (``DataFrame.memory_usage(deep=True)``).
``cli``
    ``hpo-tui summary SOURCE --format csv`` and ``hpo-tui export SOURCE --out TMP`` as whole
    processes: wall, CPU and peak RSS of the child (``os.wait4``).
``export``
    issue 22's ratios: ``hpo-tui summary`` and ``hpo-tui export`` as whole processes on the
    same storage, alternating, ``--repeat`` rounds (medians, peak RSS), then one export by
    phase through core calls (``bench/export_phases.py``: load, derive, importance, each
    file), per ``--export-sizes`` and backend.
``tui``
    ``bench/tui.py`` with Pilot: first paint of the grid, of the all-trials table, and every
    keypress on that table (sort, filter, cursor...), per ``--tui-sizes``.
``palette``
    ``bench/palette.py`` with Pilot: the command palette (ctrl+p), a query typed one key at a
    time; keystroke → the typed text repainted, and → the hit list complete, per
    ``--tui-sizes`` (``--tui-repeat`` rounds).
``firstpaint``
    ``hpo-tui SOURCE`` started in a pseudo-terminal, from ``exec`` to the grid's cells
    (``▰`` and `` trials · `` in its output), on the smallest size.
``refresh``
    ``bench/refresh.py``: incremental refresh (nothing changed; one new trial) vs a full reload.
``views``
    ``bench/views.py`` with Pilot: opening the history, EDF and timeline views on
    ``--views-size`` (24k trials), each as a ratio to an existing view (dynamics) opened in
    the same run.

``--source REV`` measures hpo-tui as committed at ``REV`` (``git archive REV src`` into
``bench/.cache/src-<commit>/``, put first on every child's ``PYTHONPATH``) instead of the
working tree, so that uncommitted edits do not end up in the numbers; the measured commit is
recorded either way.

Results go to ``--json`` (default ``bench/.cache/suite-<time>.json``, also copied to
``bench/.cache/suite-last.json``); ``--write-doc`` regenerates the generated sections of
``docs/performance.md`` from it (``bench/report.py`` does the same from any results file).
What was skipped, and why, is printed and recorded.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import BENCH_DIR, CACHE_DIR, Size, archived_source, parse_backends, parse_sizes
from load import ALL_METHODS, _busy_jiffies, _children_cpu, machine_info, pg_available
from load import run as run_load

PARTS = ("load", "cli", "export", "tui", "palette", "firstpaint", "refresh", "views", "study-views")
DEFAULT_SIZES = "12x50x100,12x2000x100,12x5000x100-iv"
DEFAULT_TUI_SIZES = "12x50x100,12x5000x100-iv,12x8334x10-iv"
QUICK = {"sizes": "12x50x100", "tui_sizes": "12x50x100", "repeat": 2, "tui_repeat": 3}
TERMINAL = (200, 50)  # columns, lines: for Pilot and for the pseudo-terminal
ROOT = BENCH_DIR.parent
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[\]P^_].*?(?:\x07|\x1b\\)|\x1b[()][0-9A-B]")


def use_source(rev: str) -> str:
    """Export ``src/`` at ``rev`` and make every child import hpo-tui from it; the commit."""
    commit, src = archived_source(rev)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(src), os.environ.get("PYTHONPATH", "")) if p
    )
    return commit


def measured_source() -> str:
    """Which hpo-tui the children import: the commit, and whether the tree is edited."""
    probe = subprocess.run(
        [sys.executable, "-c", "import hpo_tui, pathlib; print(pathlib.Path(hpo_tui.__file__))"],
        capture_output=True,
        text=True,
        check=False,
    )
    where = Path(probe.stdout.strip() or ".").resolve()
    if CACHE_DIR in where.parents:
        return f"git archive of {where.parents[2].name.removeprefix('src-')}"
    head = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return f"working tree at {head}" + (" with uncommitted changes in src/" if dirty else "")


def log(text: str) -> None:
    """Progress on stderr (stdout is the summary)."""
    print(text, file=sys.stderr, flush=True)


def spec_for(size: Size, backend: str) -> str:
    """What a user gives hpo-tui for this storage."""
    return str(size.sqlite_path) if backend == "sqlite" else size.pg_url


def _others_pct(busy_before: float, wall: float, own_cpu: float) -> float:
    """CPU share the rest of the machine used over ``wall`` seconds, in percent."""
    others = (_busy_jiffies() - busy_before) - own_cpu
    return max(0.0, 100.0 * others / (wall * (os.cpu_count() or 1)))


def _wait(proc: subprocess.Popen[Any], timeout: float) -> tuple[int, Any]:
    """Reap ``proc`` with ``os.wait4`` (its own rusage); kill it after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, usage
        if time.monotonic() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, usage
        time.sleep(0.005)


# ---------------------------------------------------------------------------------------------
# cli: whole processes
# ---------------------------------------------------------------------------------------------


def run_process(command: Sequence[str], timeout: float = 1800) -> dict[str, Any]:
    """One whole process: wall, CPU (user + system) and peak RSS from its rusage."""
    busy = _busy_jiffies()
    began = time.perf_counter()
    proc = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=_env()
    )
    code, usage = _wait(proc, timeout)
    wall = time.perf_counter() - began
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if code != 0:
        raise RuntimeError(f"{' '.join(command)} exited {code}: {stderr.strip()[-300:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "seconds": wall,
        "cpu_seconds": cpu,
        "peak_rss_mb": usage.ru_maxrss / 1024.0,
        "others_cpu_pct": _others_pct(busy, wall, cpu),
    }


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.pop("HPO_TUI_STORAGE", None)
    return env


def _summary_and_export(spec: str, repeat: int) -> dict[str, list[dict[str, Any]]]:
    """``hpo-tui summary`` and ``hpo-tui export`` of ``spec`` as whole processes, alternating,
    ``repeat`` rounds; each export into a fresh folder."""
    with tempfile.TemporaryDirectory(prefix="hpo-tui-bench-") as folder:
        target = Path(folder) / "analysis"
        hpo_tui = [sys.executable, "-m", "hpo_tui"]
        commands = {
            "summary": [*hpo_tui, "summary", spec, "--format", "csv"],
            "export": [*hpo_tui, "export", spec, "--out", str(target)],
        }
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in commands}
        for _ in range(repeat):
            for name, command in commands.items():
                runs[name].append(run_process(command))
                shutil.rmtree(target, ignore_errors=True)
    return runs


def measure_cli(
    sizes: Sequence[Size], backends: Sequence[str], repeat: int
) -> list[dict[str, Any]]:
    """``hpo-tui summary`` and ``hpo-tui export`` as whole processes, round-robin."""
    out: list[dict[str, Any]] = []
    for size in sizes:
        for backend in backends:
            runs = _summary_and_export(spec_for(size, backend), repeat)
            for name, command_runs in runs.items():
                out.append(
                    {"size": size.label, "backend": backend, "command": name, "runs": command_runs}
                )
                median = statistics.median(r["seconds"] for r in command_runs)
                log(f"  cli {size.label} {backend:10} {name:8} {median:8.2f} s")
    return out


def measure_export(
    sizes: Sequence[Size], backends: Sequence[str], repeat: int
) -> list[dict[str, Any]]:
    """Per storage: summary and export whole processes alternating, then one export by phase."""
    out: list[dict[str, Any]] = []
    for size in sizes:
        for backend in backends:
            spec = spec_for(size, backend)
            runs = _summary_and_export(spec, repeat)
            phases = _json_child(
                [sys.executable, str(BENCH_DIR / "export_phases.py"), spec, "--gc", "disable"]
            )
            entry = {"size": size.label, "backend": backend, **runs, "phases": phases}
            summary = statistics.median(r["seconds"] for r in runs["summary"])
            export = statistics.median(r["seconds"] for r in runs["export"])
            log(
                f"  export {size.label} {backend:10} summary {summary:6.2f} s, export "
                f"{export:6.2f} s ({export / summary:.2f}x)"
            )
            out.append(entry)
    return out


# ---------------------------------------------------------------------------------------------
# firstpaint: the whole process in a pseudo-terminal
# ---------------------------------------------------------------------------------------------


def first_paint_once(spec: str, timeout: float = 120) -> dict[str, Any]:
    """Start ``hpo-tui SPEC`` in a pty; time its first output, ``Loading…``, the filled grid.

    The grid counts as painted when the terminal has received its cells: the quality bar
    ``▰`` and the title's `` trials · `` (written only once the campaign is loaded and the
    grid drawn). Then ``q`` quits the app and its rusage gives CPU and peak RSS.
    """
    master, slave = os.openpty()
    columns, lines = TERMINAL
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    env = _env() | {"TERM": "xterm-256color", "COLORTERM": "truecolor"}
    busy = _busy_jiffies()
    began = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hpo_tui", spec, "--no-watch"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    marks: dict[str, float] = {}
    received = bytearray()
    try:
        while time.perf_counter() - began < timeout and "grid_s" not in marks:
            ready, _, _ = select.select([master], [], [], 0.02)
            if not ready:
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            now = time.perf_counter() - began
            received += chunk
            marks.setdefault("first_output_s", now)
            text = ANSI.sub("", received.decode("utf-8", errors="replace"))
            if "Loading" in text:
                marks.setdefault("loading_s", now)
            if "▰" in text and " trials · " in text:
                marks["grid_s"] = now
        if "grid_s" in marks:
            os.write(master, b"q")
        else:
            proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # drain, so the app can write its goodbye
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    if not os.read(master, 1 << 16):
                        break
                except OSError:
                    break
            elif proc.poll() is not None:
                break
    finally:
        code, usage = _wait(proc, 30)
        os.close(master)
    wall = time.perf_counter() - began
    if "grid_s" not in marks:
        tail = ANSI.sub("", received.decode("utf-8", errors="replace"))[-300:]
        raise RuntimeError(f"the grid never appeared (exit {code}); last output: {tail!r}")
    cpu = usage.ru_utime + usage.ru_stime
    return marks | {
        "seconds": marks["grid_s"],
        "cpu_seconds_whole_run": cpu,
        "peak_rss_mb": usage.ru_maxrss / 1024.0,
        "others_cpu_pct": _others_pct(busy, wall, cpu),
    }


def measure_first_paint(size: Size, repeat: int) -> dict[str, Any]:
    """``repeat`` pty runs of ``hpo-tui`` on the SQLite storage of ``size``."""
    runs = [first_paint_once(spec_for(size, "sqlite")) for _ in range(repeat)]
    median = statistics.median(r["seconds"] for r in runs)
    log(f"  firstpaint {size.label} sqlite {median:.2f} s")
    return {"size": size.label, "backend": "sqlite", "terminal": list(TERMINAL), "runs": runs}


# ---------------------------------------------------------------------------------------------
# tui (Pilot) and refresh: child scripts printing one JSON line
# ---------------------------------------------------------------------------------------------


def _json_child(command: Sequence[str], timeout: float = 3600) -> dict[str, Any]:
    busy, mine = _busy_jiffies(), _children_cpu()
    began = time.perf_counter()
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=_env(), text=True
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    wall = time.perf_counter() - began
    if proc.returncode != 0:
        tail = " | ".join(stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"{' '.join(command[1:3])} failed: {tail}")
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    result["others_cpu_pct"] = _others_pct(busy, wall, _children_cpu() - mine)
    return result


def _terminal_bench(script: str, size: Size, repeat: int) -> dict[str, Any]:
    """Run a Pilot-driven bench script on the SQLite storage of ``size`` in the suite's
    terminal size; its JSON result, labelled."""
    command = [
        sys.executable,
        str(BENCH_DIR / script),
        spec_for(size, "sqlite"),
        "--repeat",
        str(repeat),
        "--size",
        f"{TERMINAL[0]}x{TERMINAL[1]}",
    ]
    result = _json_child(command)
    return result | {"size": size.label, "backend": "sqlite", "terminal": list(TERMINAL)}


def measure_tui(sizes: Sequence[Size], repeat: int) -> list[dict[str, Any]]:
    """``bench/tui.py`` on the SQLite storage of every size."""
    out = []
    for size in sizes:
        result = _terminal_bench("tui.py", size, repeat)
        worst = max(k["median_wall_s"] for k in result["keys"].values())
        log(
            f"  tui {size.label}: grid {result['grid_s']:.2f} s, all trials "
            f"{result['all_trials_s']:.2f} s, slowest key {worst * 1000:.0f} ms"
        )
        out.append(result)
    return out


def measure_palette(sizes: Sequence[Size], repeat: int) -> list[dict[str, Any]]:
    """``bench/palette.py`` on the SQLite storage of every size."""
    out = []
    for size in sizes:
        result = _terminal_bench("palette.py", size, repeat)
        log(
            f"  palette {size.label}: typed text on screen {result['max_echo_s'] * 1000:.0f} ms "
            f"at worst, hit list {result['median_hits_s'] * 1000:.0f} ms (median)"
        )
        out.append(result)
    return out


def measure_study_views(size: Size, repeat: int) -> dict[str, Any]:
    """``bench/views_pareto.py`` on the SQLite storage of ``size``."""
    result = _terminal_bench("views_pareto.py", size, repeat)
    views = result["views"]
    log(
        f"  views {size.label}: "
        + ", ".join(
            f"{name} {v['median_wall_s'] * 1000:.0f} ms ({v['ratio_to_dynamics']:.2f}× dynamics)"
            for name, v in views.items()
        )
    )
    return result


def measure_refresh(size: Size, repeat: int) -> dict[str, Any]:
    """``bench/refresh.py --json`` on a copy of the SQLite storage of ``size``."""
    command = [
        sys.executable,
        str(BENCH_DIR / "refresh.py"),
        "--size",
        size.label,
        "--repeat",
        str(repeat),
        "--json",
    ]
    result = _json_child(command)
    log(
        f"  refresh {size.label}: idle {statistics.median(result['idle_refresh_s']) * 1000:.0f} ms,"
        f" one trial {result['one_trial_refresh_s']:.2f} s, full {result['full_reload_s']:.1f} s"
    )
    return result


def measure_views(size: Size, repeat: int) -> dict[str, Any]:
    """``bench/views.py`` on the SQLite storage of ``size``."""
    result = _terminal_bench("views.py", size, repeat)
    for name, view in result["views"].items():
        log(
            f"  views {size.label} {name:20} {view['median_wall_s'] * 1000:6.0f} ms "
            f"(x{view['ratio']:.2f} of {result['baseline']})"
        )
    return result


# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smallest size, fewer repeats")
    parser.add_argument("--sizes", default=None, help=f"load/cli sizes (default {DEFAULT_SIZES})")
    parser.add_argument("--backend", default="both", choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--repeat", type=int, default=None, help="runs per measurement (3)")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"subset of {','.join(PARTS)}")
    parser.add_argument("--methods", default=",".join(ALL_METHODS), help="load methods")
    parser.add_argument("--cli-sizes", default=None, help="sizes for the cli part (= --sizes)")
    parser.add_argument(
        "--export-sizes", default=None, help="sizes for the export part (= --cli-sizes)"
    )
    parser.add_argument("--tui-sizes", default=None, help=f"default {DEFAULT_TUI_SIZES}")
    parser.add_argument("--tui-repeat", type=int, default=None, help="presses per key (5)")
    parser.add_argument("--firstpaint-size", default="12x50x100")
    parser.add_argument("--refresh-size", default="12x2000x100")
    parser.add_argument("--views-size", default="12x2000x100")
    parser.add_argument("--optuna-budget", type=float, default=120.0)
    parser.add_argument("--source", default=None, help="measure src/ as committed at REV")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--write-doc", action="store_true", help="regenerate docs/performance.md")
    args = parser.parse_args(argv)
    quick = QUICK if args.quick else {}
    sizes = parse_sizes(args.sizes or quick.get("sizes", DEFAULT_SIZES))
    cli_sizes = parse_sizes(args.cli_sizes) if args.cli_sizes else sizes
    export_sizes = parse_sizes(args.export_sizes) if args.export_sizes else cli_sizes
    tui_sizes = parse_sizes(args.tui_sizes or quick.get("tui_sizes", DEFAULT_TUI_SIZES))
    repeat = args.repeat or int(quick.get("repeat", 3))
    tui_repeat = args.tui_repeat or int(quick.get("tui_repeat", 5))
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    if set(parts) - set(PARTS):
        parser.error(f"unknown part(s): {', '.join(sorted(set(parts) - set(PARTS)))}")
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    backends = parse_backends(args.backend)
    skipped: list[str] = []
    if "postgresql" in backends:
        why = pg_available()
        if why:
            skipped.append(f"PostgreSQL: {why}")
            backends = [b for b in backends if b != "postgresql"]
    if args.quick and args.refresh_size == "12x2000x100":
        args.refresh_size = "12x50x100"

    if args.source:
        use_source(args.source)
    import generate

    def ensure(sizes: Sequence[Size], on: Sequence[str] = ("sqlite",)) -> None:
        """Generate the storages a part reads (cached: nothing to do once they exist)."""
        for size in sizes:
            for backend in on:
                generate.ensure(size, backend)

    began = time.perf_counter()
    stamp = datetime.now(UTC)
    command = "bench/suite.py " + " ".join(argv if argv is not None else sys.argv[1:])
    data: dict[str, Any] = {
        "command": command.strip(),
        "started_utc": stamp.isoformat(timespec="seconds"),
        "machine": machine_info() | {"hpo-tui measured": measured_source()},
        "loadavg_before": os.getloadavg(),
        "parts": parts,
        "sizes": [s.label for s in sizes],
        "backends": backends,
        "repeat": repeat,
        "tui_repeat": tui_repeat,
        "skipped": skipped,
    }
    if "load" in parts:
        log("load: hpo-tui vs Optuna vs raw reads")
        results = run_load(sizes, backends, methods, repeat, args.optuna_budget)
        data["load"] = [asdict(r) for r in results]
        data["skipped"] += [
            f"load {r.size} {r.backend} {r.method}: {r.skipped}" for r in results if r.skipped
        ]
    if "cli" in parts:
        log("cli: hpo-tui summary / export as whole processes")
        ensure(cli_sizes, backends)
        data["cli"] = measure_cli(cli_sizes, backends, repeat)
    if "export" in parts:
        log("export: summary vs export, whole processes alternating; one export by phase")
        ensure(export_sizes, backends)
        data["export"] = measure_export(export_sizes, backends, repeat)
    if "tui" in parts:
        log("tui: Pilot timings")
        ensure(tui_sizes)
        data["tui"] = measure_tui(tui_sizes, tui_repeat)
    if "palette" in parts:
        log("palette: Pilot timings of the command palette")
        ensure(tui_sizes)
        data["palette"] = measure_palette(tui_sizes, tui_repeat)
    if "firstpaint" in parts:
        log("firstpaint: hpo-tui in a pseudo-terminal")
        size = Size.parse(args.firstpaint_size)
        ensure([size])
        data["firstpaint"] = measure_first_paint(size, max(repeat, 5))
    if "refresh" in parts:
        log("refresh: incremental refresh vs full reload")
        size = Size.parse(args.refresh_size)
        ensure([size])
        data["refresh"] = measure_refresh(size, 7)
    if "views" in parts:
        log("views: opening history / EDF / timeline vs an existing view")
        size = Size.parse("12x50x100" if args.quick else args.views_size)
        ensure([size])
        data["views"] = measure_views(size, tui_repeat)
    if "study-views" in parts:
        log("study-views: Pilot timings of opening the Pareto, bands and contour views")
        size = Size.parse("12x50x100" if args.quick else args.views_size)
        ensure([size])
        data["study_views"] = measure_study_views(size, tui_repeat)
    data["wall_seconds"] = time.perf_counter() - began
    data["loadavg_after"] = os.getloadavg()
    for part in PARTS:
        if part not in parts:
            data["skipped"].append(f"part {part}: not selected (--parts)")

    path = args.json or CACHE_DIR / f"suite-{stamp.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1))
    with contextlib.suppress(OSError):
        shutil.copyfile(path, CACHE_DIR / "suite-last.json")

    import report

    print(report.render_all(data))
    for line in data["skipped"]:
        log(f"skipped: {line}")
    log(f"results: {path} ({data['wall_seconds']:.0f} s)")
    if args.write_doc:
        report.write_doc(data, ROOT / "docs" / "performance.md")
        log("docs/performance.md: generated sections rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
