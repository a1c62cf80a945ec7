"""Markdown tables of docs/performance.md from a results file of ``bench/suite.py``.

Usage::

    .venv/bin/python bench/report.py [RESULTS.json ...] [--write docs/performance.md]
                                     [--sections NAME,...]

Without ``--write`` the tables are printed. With it, every block between
``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->`` in the document is replaced by
the section ``NAME`` rendered from the results (a section the results do not hold says so);
the hand-written prose around the blocks is left as it is; ``--sections palette,tui`` rewrites
only the blocks named. ``RESULTS.json`` defaults to
``bench/.cache/suite-last.json``, the last suite run. Several files are merged, later ones
replacing the parts they hold (e.g. ``--parts load,cli`` in one run, ``--parts tui`` after a
TUI change in another); the run section lists every command.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from common import CACHE_DIR, Size
from load import Result, phases_table, results_table

TARGET_VS_RAW = 2.0
TARGET_VS_OPTUNA = 20.0
TARGET_BIG_LOAD_S = 10.0
TARGET_BIG_RSS_MB = 2048.0
TARGET_BIG_TRIALS = 60_000
TARGET_KEY_S = 0.100
TARGET_KEY_ROWS = 100_000
TARGET_FIRST_PAINT_S = 1.5
TARGET_PALETTE_ECHO_S = 0.100
TARGET_EXPORT_VS_SUMMARY = 2.0
TARGET_EXPORT_RSS_VS_SUMMARY = 1.2

KEY_LABELS = {
    "noop": "(harness: a key bound to nothing)",
    "down": "cursor down",
    "pagedown": "page down",
    "end": "end",
    "sort_value": "sort by value (`s`)",
    "sort_study": "sort by study name (`s`)",
    "state_filter": "state filter (`f`)",
    "filter": "filter `value < 0.5` (Enter)",
    "filter_clear": "clear the filter (Enter)",
    "mark": "mark (`space`)",
    "open_trial": "open the trial (Enter)",
    "back": "back to the table (Esc)",
}


def key_latency(keys: dict[str, Any], name: str) -> float:
    """Keypress → last repaint done (median); older results: wall minus the harness's."""
    key = keys[name]
    if "median_paint_s" in key:
        return float(key["median_paint_s"])
    harness = keys.get("noop", {}).get("median_wall_s", 0.0)
    return float(key["median_wall_s"] - (0.0 if name == "noop" else harness))


def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def _s(value: float) -> str:
    if value != value:
        return "-"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _spread(values: Sequence[float]) -> str:
    if len(values) < 2:
        return ""
    return f"{_s(min(values))}–{_s(max(values))}"


def _mark(ok: bool) -> str:
    return "**MET**" if ok else "**MISSED**"


def load_results(data: dict[str, Any]) -> list[Result]:
    """The load part as :class:`load.Result` objects."""
    return [Result(**r) for r in data.get("load", [])]


def _group(results: Sequence[Result]) -> dict[tuple[str, str], dict[str, Result]]:
    groups: dict[tuple[str, str], dict[str, Result]] = {}
    for r in results:
        groups.setdefault((r.size, r.backend), {})[r.method] = r
    return groups


def _fastest_raw(group: dict[str, Result]) -> Result | None:
    raws = [
        r for m, r in group.items() if m not in ("hpo-tui", "optuna") and r.runs and not r.skipped
    ]
    return min(raws, key=lambda r: r.median) if raws else None


# ---------------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------------


PARTS = ("load", "cli", "export", "tui", "palette", "firstpaint", "refresh", "views", "study-views")


def merge(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One results dict from several suite runs; a later run's parts replace earlier ones."""
    data = dict(runs[0])
    data["runs"] = [_run_line(r) for r in runs]
    for later in runs[1:]:
        for part in PARTS:
            if part == "export" and part in later and part in data:
                # By storage: a later run replaces the sizes/backends it measured again.
                again = {(e["size"], e["backend"]) for e in later[part]}
                kept = [e for e in data[part] if (e["size"], e["backend"]) not in again]
                data[part] = kept + later[part]
            elif part in later:
                data[part] = later[part]
                if part == "tui":
                    data["tui_repeat"] = later.get("tui_repeat")
        data["machine"] = later["machine"]
    present = [p for p in PARTS if p in data]
    data["skipped"] = list(
        dict.fromkeys(
            s
            for r in runs
            for s in r.get("skipped", [])
            if not any(s.startswith(f"part {p}:") for p in present)
        )
    )
    return data


def _run_line(data: dict[str, Any]) -> str:
    after = data.get("loadavg_after", [float("nan")] * 3)
    measured = re.sub(r" \(/.*\)$", "", data["machine"].get("hpo-tui measured", "?"))
    return (
        f"`{data['command']}` ({', '.join(p for p in PARTS if p in data)}; hpo-tui: "
        f"{measured}) — started "
        f"{data['started_utc']}, {data.get('wall_seconds', float('nan')) / 60:.0f} min wall; "
        f"load average {' / '.join(f'{x:.1f}' for x in data['loadavg_before'])} before, "
        f"{' / '.join(f'{x:.1f}' for x in after)} after (1/5/15 min)."
    )


def section_run(data: dict[str, Any]) -> str:
    """Command, date, machine, load on the machine, what was skipped."""
    lines = [f"- {line}" for line in data.get("runs", [_run_line(data)])]
    lines += [
        "",
        "| machine | |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v} |" for k, v in data["machine"].items() if k != "hpo-tui measured"]
    if data.get("skipped"):
        lines += ["", "Skipped in this run:", ""]
        lines += [f"- {s}" for s in data["skipped"]]
    return "\n".join(lines)


def section_targets(data: dict[str, Any]) -> str:
    """Every target of the issue, MET or MISSED, from this run's numbers."""
    rows: list[str] = []
    groups = _group(load_results(data))
    for (size, backend), group in groups.items():
        hpo = group.get("hpo-tui")
        if hpo is None or not hpo.runs:
            continue
        floor = _fastest_raw(group)
        if floor:
            ratio = hpo.median / floor.median
            rows.append(
                f"| full load ≤ {TARGET_VS_RAW:g}× the fastest raw read | {size} {backend} "
                f"| {ratio:.1f}× ({_s(hpo.median)} s vs {floor.method} {_s(floor.median)} s) "
                f"| {_mark(ratio <= TARGET_VS_RAW)} |"
            )
        optuna = group.get("optuna")
        if optuna and optuna.runs:
            ratio = optuna.median / hpo.median
            approx = "~" if optuna.extrapolated else ""
            rows.append(
                f"| ≥ {TARGET_VS_OPTUNA:g}× faster than Optuna's API | {size} {backend} "
                f"| {approx}{ratio:.1f}× ({approx}{_s(optuna.median)} s vs {_s(hpo.median)} s) "
                f"| {_mark(ratio >= TARGET_VS_OPTUNA)} |"
            )
        parsed = Size.parse(size)
        if parsed.n_trials >= TARGET_BIG_TRIALS:
            points = _median([r.get("curve_points", 0) for r in hpo.runs])
            rows.append(
                f"| {parsed.n_trials // 1000}k trials / {points / 1e6:.1f} M points "
                f"loaded < {TARGET_BIG_LOAD_S:g} s | {size} {backend} | {_s(hpo.median)} s "
                f"| {_mark(hpo.median < TARGET_BIG_LOAD_S)} |"
            )
            rows.append(
                f"| … with < {TARGET_BIG_RSS_MB / 1024:g} GB peak RSS | {size} {backend} "
                f"| {hpo.peak_rss:.0f} MB | {_mark(hpo.peak_rss < TARGET_BIG_RSS_MB)} |"
            )
    for tui in data.get("tui", []):
        if tui.get("rows_on_screen", 0) < TARGET_KEY_ROWS:
            continue
        keys = tui["keys"]
        worst_name, worst = max(
            ((n, key_latency(keys, n)) for n in keys if n != "noop"), key=lambda item: item[1]
        )
        cpu = keys[worst_name]["median_cpu_s"]
        rows.append(
            f"| every keypress < {TARGET_KEY_S * 1000:.0f} ms with "
            f"{tui['rows_on_screen'] // 1000}k rows on screen | {tui['size']} sqlite "
            f"| slowest: {KEY_LABELS.get(worst_name, worst_name)} {worst * 1000:.0f} ms "
            f"(CPU {cpu * 1000:.0f} ms) | {_mark(worst < TARGET_KEY_S)} |"
        )
    for palette in data.get("palette", []):
        rows.append(
            f"| palette: typed text on screen < {TARGET_PALETTE_ECHO_S * 1000:.0f} ms "
            f"({palette['trials']:,} trials) | {palette['size']} sqlite "
            f"| slowest keystroke {palette['max_echo_s'] * 1000:.0f} ms "
            f"| {_mark(palette['max_echo_s'] < TARGET_PALETTE_ECHO_S)} |"
        )
    paint = data.get("firstpaint")
    if paint:
        median = _median([r["seconds"] for r in paint["runs"]])
        rows.append(
            f"| first paint of the {paint['size']} campaign < {TARGET_FIRST_PAINT_S:g} s, "
            f"whole process | {paint['size']} sqlite | {_s(median)} s "
            f"| {_mark(median < TARGET_FIRST_PAINT_S)} |"
        )
    if not rows:
        return "_No target measured in this run._"
    header = ["| target | storage | measured (median) | |", "|---|---|---|---|"]
    return "\n".join(header + rows)


def section_load(data: dict[str, Any]) -> str:
    """Side-by-side load table (``bench/load.py``'s)."""
    results = load_results(data)
    if not results:
        return "_The load part was not run._"
    return results_table(results)


def section_phases(data: dict[str, Any]) -> str:
    """hpo-tui's load by phase."""
    table = phases_table(load_results(data))
    return table or "_The load part was not run._"


def section_memory(data: dict[str, Any]) -> str:
    """Campaign frames' footprint, per million curve points."""
    rows = []
    for r in load_results(data):
        if r.method != "hpo-tui" or not r.runs or "frames_mb" not in r.runs[0]:
            continue
        run = r.runs[0]
        points = run.get("curve_points", 0)
        frames = run["frames_mb"]
        total = sum(frames.values())
        millions = points / 1e6 if points else float("nan")

        def per_m(mb: float, millions: float = millions) -> float:
            return mb / millions

        rows.append(
            f"| {r.size} | {r.backend} | {run.get('rows', 0):,} | {points:,} "
            f"| {frames['trials']:.0f} | {frames['curves']:.0f} | {frames['details']:.0f} "
            f"| {total:.0f} | {per_m(frames['curves']):.1f} | {per_m(total):.1f} "
            f"| {per_m(r.peak_rss):.0f} |"
        )
    if not rows:
        return "_The load part was not run._"
    header = [
        "| size | backend | trials | curve points | trials MB | curves MB | details MB "
        "| all frames MB | curves MB per M points | frames MB per M points "
        "| peak RSS MB per M points |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    return "\n".join(header + rows)


def section_cli(data: dict[str, Any]) -> str:
    """Whole-process ``hpo-tui summary`` / ``export``."""
    if not data.get("cli"):
        return "_The cli part was not run._"
    lines = [
        "| size | backend | command | runs | median s | min–max s | CPU s | peak RSS MB "
        "| others' CPU % |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for entry in data["cli"]:
        runs = entry["runs"]
        secs = [r["seconds"] for r in runs]
        label = {
            "summary": "`hpo-tui summary SOURCE --format csv`",
            "export": "`hpo-tui export SOURCE --out DIR`",
        }.get(entry["command"], entry["command"])
        lines.append(
            f"| {entry['size']} | {entry['backend']} | {label} | {len(runs)} | {_s(_median(secs))} "
            f"| {_spread(secs)} | {_s(_median([r['cpu_seconds'] for r in runs]))} "
            f"| {_median([r['peak_rss_mb'] for r in runs]):.0f} "
            f"| {max(r['others_cpu_pct'] for r in runs):.0f} |"
        )
    return "\n".join(lines)


def _export_ratios(entry: dict[str, Any]) -> tuple[float, float, float, float, float, float]:
    """(summary s, export s, time ratio, summary MB, export MB, RSS ratio): medians."""
    summary = _median([r["seconds"] for r in entry["summary"]])
    export = _median([r["seconds"] for r in entry["export"]])
    summary_mb = _median([r["peak_rss_mb"] for r in entry["summary"]])
    export_mb = _median([r["peak_rss_mb"] for r in entry["export"]])
    return summary, export, export / summary, summary_mb, export_mb, export_mb / summary_mb


def section_export(data: dict[str, Any]) -> str:
    """Issue 22: export vs summary of the same storage (whole processes), then by phase."""
    entries = data.get("export", [])
    if not entries:
        return "_The export part was not run._"
    lines = [
        "| size | backend | rounds | `summary` s (min–max) | `export` s (min–max) "
        f"| export ÷ summary (target ≤ {TARGET_EXPORT_VS_SUMMARY:g}) | `summary` MB "
        f"| `export` MB | RSS ratio (target ≤ {TARGET_EXPORT_RSS_VS_SUMMARY:g}) "
        "| others' CPU % |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for entry in entries:
        summary, export, ratio, summary_mb, export_mb, rss_ratio = _export_ratios(entry)
        others = max(r["others_cpu_pct"] for r in entry["summary"] + entry["export"])
        lines.append(
            f"| {entry['size']} | {entry['backend']} | {len(entry['summary'])} "
            f"| {_s(summary)} ({_spread([r['seconds'] for r in entry['summary']])}) "
            f"| {_s(export)} ({_spread([r['seconds'] for r in entry['export']])}) "
            f"| {ratio:.2f}× {_mark(ratio <= TARGET_EXPORT_VS_SUMMARY)} "
            f"| {summary_mb:.0f} | {export_mb:.0f} "
            f"| {rss_ratio:.2f}× {_mark(rss_ratio <= TARGET_EXPORT_RSS_VS_SUMMARY)} "
            f"| {others:.0f} |"
        )
    names = list(dict.fromkeys(n for e in entries for n in e["phases"]["phases"]))
    lines += [
        "",
        "One export by phase (`bench/export_phases.py`, core calls, the collector off as in "
        "`hpo-tui export`; exclusive seconds: a phase nested in another counts in the inner "
        "one only; MB: the process's peak RSS while that file was written):",
        "",
        "| phase | " + " | ".join(f"{e['size']} {e['backend']} s | MB" for e in entries) + " |",
        "|---|" + "--:|--:|" * len(entries),
    ]
    for name in names:
        cells = []
        for entry in entries:
            seconds = entry["phases"]["phases"].get(name)
            peak = entry["phases"].get("file_peak_rss_mb", {}).get(name.removeprefix("file: "))
            cells.append("" if seconds is None else f"{seconds:.2f}")
            cells.append("" if peak is None else f"{peak:.0f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append(
        "| **export (all but load)** | "
        + " | ".join(
            f"{e['phases']['export_s']:.2f} | {e['phases']['peak_rss_mb']:.0f}" for e in entries
        )
        + " |"
    )
    return "\n".join(lines)


def section_tui(data: dict[str, Any]) -> str:
    """Pilot timings: first paints, then every keypress (wall − harness, and CPU)."""
    tuis = data.get("tui", [])
    if not tuis:
        return "_The tui part was not run._"
    lines = [
        "| size | trials | curve points | app to grid painted s (CPU s) "
        "| `a`: all-trials table painted s (CPU s) | peak RSS MB | others' CPU % |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for t in tuis:
        lines.append(
            f"| {t['size']} | {t['trials']:,} | {t['curve_points']:,} "
            f"| {_s(t['grid_s'])} ({_s(t['grid_cpu_s'])}) "
            f"| {_s(t['all_trials_s'])} ({_s(t['all_trials_cpu_s'])}) "
            f"| {t['peak_rss_mb']:.0f} | {t.get('others_cpu_pct', 0):.0f} |"
        )
    lines += [
        "",
        "Keypress on the all-trials table → the last repaint it caused is done, ms, median of "
        f"{data.get('tui_repeat', '?')} presses; the process's CPU ms in brackets.",
        "",
        "| key | " + " | ".join(f"{t['size']} ({t['rows_on_screen']:,} rows)" for t in tuis) + " |",
        "|---|" + "--:|" * len(tuis),
    ]
    names = list(dict.fromkeys(n for t in tuis for n in t["keys"]))
    for name in names:
        cells = []
        for t in tuis:
            key = t["keys"].get(name)
            if key is None:
                cells.append("-")
                continue
            latency = key_latency(t["keys"], name)
            cells.append(f"{latency * 1000:.0f} ({key['median_cpu_s'] * 1000:.0f})")
        lines.append(f"| {KEY_LABELS.get(name, name)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def section_palette(data: dict[str, Any]) -> str:
    """The command palette: keystroke → typed text repainted, and → hit list complete."""
    palettes = data.get("palette", [])
    if not palettes:
        return "_The palette part was not run._"
    lines = [f"- {line}" for line in data.get("runs", [_run_line(data)]) if "palette" in line] or [
        f"- {_run_line(data)}"
    ]
    lines += [
        "",
        "A query typed into the palette (ctrl+p), every keystroke of "
        f"{data.get('tui_repeat', '?')} rounds, ms. _Typed text_: keys sent by a thread "
        "through the driver (as a terminal's input thread does) one every "
        f"{palettes[0].get('interval_s', 0.1) * 1000:.0f} ms, keystroke → the first repaint "
        "showing it; _hit list_: one key at a time, keystroke → the search done and the list "
        "repainted (wall, and the process's CPU).",
        "",
        "| size | trials | query | typed text median (slowest) | hit list median "
        "| hit list CPU median | hits at the end | others' CPU % |",
        "|---|--:|---|--:|--:|--:|--:|--:|",
    ]
    for p in palettes:
        lines.append(
            f"| {p['size']} | {p['trials']:,} | `{p['query']}` "
            f"| {p['median_echo_s'] * 1000:.0f} ({p['max_echo_s'] * 1000:.0f}) "
            f"| {p['median_hits_s'] * 1000:.0f} | {p['median_hits_cpu_s'] * 1000:.0f} "
            f"| {p['final_hits']} | {p.get('others_cpu_pct', 0):.0f} |"
        )
    return "\n".join(lines)


VIEW_LABELS = {
    "study": "study table (existing)",
    "dynamics": "training dynamics (existing)",
    "bands": "param bands",
    "contour": "contour",
    "pareto": "Pareto front",
    "hypervolume": "hypervolume history (from the Pareto view)",
}


def section_study_views(data: dict[str, Any]) -> str:
    """Opening the views of one study, each against the existing views in the same run."""
    views = data.get("study_views")
    if not views:
        return "_The study-views part was not run._"
    lines = [
        f"- {line}" for line in data.get("runs", [_run_line(data)]) if "study-views" in line
    ] or [f"- {_run_line(data)}"]
    lines += [
        "",
        f"{views['size']} SQLite plus one two-objective study of {views['multi_trials']:,} "
        f"trials ({views['trials']:,} trials in the campaign); each view of a "
        f"{views['study_trials']:,}-trial study opened {len(views['views']['study']['wall_s'])} "
        "times, round-robin, from the call to the screen idle and repainted (ms, median). The "
        f"ratios divide by the existing views' median in the same run; others' CPU up to "
        f"{views.get('others_cpu_pct', 0):.0f} %.",
        "",
        "| view | wall | CPU | ÷ training dynamics | ÷ study table |",
        "|---|--:|--:|--:|--:|",
    ]
    for name, view in views["views"].items():
        lines.append(
            f"| {VIEW_LABELS.get(name, name)} | {view['median_wall_s'] * 1000:.0f} "
            f"| {view['median_cpu_s'] * 1000:.0f} | {view['ratio_to_dynamics']:.2f} "
            f"| {view['ratio_to_study']:.2f} |"
        )
    return "\n".join(lines)


def section_firstpaint(data: dict[str, Any]) -> str:
    """``hpo-tui SOURCE`` in a pseudo-terminal."""
    paint = data.get("firstpaint")
    if not paint:
        return "_The firstpaint part was not run._"
    runs = paint["runs"]
    rows = [
        ("first byte written to the terminal", "first_output_s"),
        ("`Loading…` on screen", "loading_s"),
        ("grid cells on screen (campaign loaded)", "grid_s"),
    ]
    lines = [
        f"`hpo-tui {paint['size']}.db --no-watch` in a {paint['terminal'][0]}×"
        f"{paint['terminal'][1]} pseudo-terminal, {len(runs)} runs, from `exec` to:",
        "",
        "| event | median s | min–max s |",
        "|---|--:|--:|",
    ]
    for label, key in rows:
        values = [r[key] for r in runs if key in r]
        lines.append(f"| {label} | {_s(_median(values))} | {_spread(values)} |")
    lines.append("")
    cpu = _median([r["cpu_seconds_whole_run"] for r in runs])
    lines.append(
        f"Whole run (until `q` ends it): CPU {_s(cpu)}"
        f" s, peak RSS {_median([r['peak_rss_mb'] for r in runs]):.0f} MB, others' CPU up to "
        f"{max(r['others_cpu_pct'] for r in runs):.0f} %."
    )
    return "\n".join(lines)


def section_refresh(data: dict[str, Any]) -> str:
    """Incremental refresh vs a full reload."""
    r = data.get("refresh")
    if not r:
        return "_The refresh part was not run._"
    idle = r["idle_refresh_s"]
    full = r["full_reload_s"]
    return "\n".join(
        [
            f"{r['size']} SQLite ({r['trials']:,} trials, {r['curve_points']:,} curve points); "
            f"others' CPU up to {r.get('others_cpu_pct', 0):.0f} %.",
            "",
            "| what | time | ÷ full reload |",
            "|---|--:|--:|",
            f"| first load | {_s(r['first_load_s'])} s | |",
            f"| refresh, nothing changed (median of {len(idle)}) | {_median(idle) * 1000:.1f} ms "
            f"(min {min(idle) * 1000:.1f}) | {_median(idle) / full:.4f} |",
            f"| refresh, one new finished trial ({r['one_trial_summary']}) "
            f"| {_s(r['one_trial_refresh_s'])} s | {r['one_trial_refresh_s'] / full:.2f} |",
            f"| full reload | {_s(full)} s | 1 |",
        ]
    )


def section_views(data: dict[str, Any]) -> str:
    """Opening the history, EDF and timeline views, as ratios to an existing view."""
    views = data.get("views")
    if not views:
        return "_The views part was not run._"
    base = views["baseline"]
    lines = [
        f"{views['size']} ({views['trials']:,} trials; the cursor's study has "
        f"{views['study_trials']:,}), {len(views['views'][base]['wall_s'])} rounds: key → the "
        "view's worker done and the screen idle and repainted, ms (the process's CPU ms), "
        f"and the median as a multiple of `{base}`'s in the same run.",
        "",
        "| view | key | ms (CPU ms) | × " + base + " |",
        "|---|---|--:|--:|",
    ]
    for view in views["views"].values():
        lines.append(
            f"| {view['label']} | `{view['key']}` "
            f"| {view['median_wall_s'] * 1000:.0f} ({view['median_cpu_s'] * 1000:.0f}) "
            f"| {view['ratio']:.2f} |"
        )
    return "\n".join(lines)


SECTIONS: dict[str, Callable[[dict[str, Any]], str]] = {
    "run": section_run,
    "targets": section_targets,
    "load": section_load,
    "phases": section_phases,
    "memory": section_memory,
    "cli": section_cli,
    "export": section_export,
    "tui": section_tui,
    "palette": section_palette,
    "firstpaint": section_firstpaint,
    "refresh": section_refresh,
    "views": section_views,
    "study-views": section_study_views,
}


def render_all(data: dict[str, Any]) -> str:
    """Every section, headed by its name (what the suite prints)."""
    return "\n\n".join(f"## {name}\n\n{render(data)}" for name, render in SECTIONS.items())


def write_doc(data: dict[str, Any], path: Path, only: Sequence[str] | None = None) -> list[str]:
    """Replace every generated block of ``path`` (or those named in ``only``); returns the
    names of the blocks replaced."""
    text = path.read_text(encoding="utf-8")
    replaced = []
    for name, render in SECTIONS.items():
        if only is not None and name not in only:
            continue
        pattern = re.compile(
            rf"(<!-- generated:{name} -->\n).*?(<!-- /generated:{name} -->)", re.DOTALL
        )
        if pattern.search(text):
            body = render(data)
            text = pattern.sub(lambda m, body=body: m.group(1) + body + "\n" + m.group(2), text)
            replaced.append(name)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return replaced


def main(argv: Sequence[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    import json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="*", type=Path, default=[CACHE_DIR / "suite-last.json"])
    parser.add_argument("--write", type=Path, default=None, help="document to update in place")
    parser.add_argument(
        "--sections", default=None, help=f"with --write: only these blocks ({','.join(SECTIONS)})"
    )
    args = parser.parse_args(argv)
    data = merge([json.loads(path.read_text()) for path in args.results])
    if args.write:
        only = args.sections.split(",") if args.sections else None
        names = write_doc(data, args.write, only)
        print(f"{args.write}: regenerated {', '.join(names) or 'nothing (no markers)'}")
    else:
        print(render_all(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
