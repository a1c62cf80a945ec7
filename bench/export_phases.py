"""One ``hpo-tui export`` by phase, through core calls, in this (fresh) process.

Usage::

    .venv/bin/python bench/export_phases.py SPEC [--out DIR] [--profile PATH.prof]

Imports hpo-tui, then times ``load_campaign([SPEC])`` (``load``) and ``write_export`` of that
campaign into a temporary folder, its phases timed by wrappers around the core functions it
calls (exclusive: the time of a phase nested in another is counted in the inner one only, so
the phases add up to the export):

- ``details``: the per-trial dicts of params, distributions and attrs (every call of
  ``details_frame``: the whole frame, some trials or one);
- ``derive``: the other frames the files are made of — the summary and diverged frames, the
  merged search space, the pruning audit;
- ``importance``: ``campaign_importance`` (PED-ANOVA on the campaign's columns);
- ``file: NAME``: formatting and writing each file, what its own derivations leave.

Prints ONE line of JSON: ``phases`` (seconds), ``load_s``, ``export_s``, ``cpu_s``,
``peak_rss_mb`` (of the whole process), ``rss_after_load_mb``, ``rss_after_export_mb`` (what
the campaign's process still holds once the export is written), and per file
``file_peak_rss_mb`` (the process's peak while that file was written: what is alive at the
export's peak) and ``file_rss_after_mb`` (what stays after it). ``bench/suite.py``'s
``export`` part runs it alongside the whole-process ``summary``/``export``.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from measure import PhaseTimer, cpu_seconds, current_rss_mb, peak_rss_mb

DERIVE = "derive"
DETAILS = "details"
IMPORTANCE = "importance"


class FilePeaks:
    """Peak and final RSS of the process while each file is written.

    Linux keeps the process's peak RSS (``VmHWM``) and resets it when ``5`` is written to
    ``/proc/self/clear_refs``: reset before a file, read after it, it is that file's peak
    (what its frames and the campaign's held together). A reset also lowers what
    ``getrusage`` reports afterwards, so the overall peak is the highest seen. Where the
    reset is refused (not Linux), only the RSS after each file is recorded.
    """

    def __init__(self) -> None:
        self.peaks: dict[str, float] = {}
        self.after: dict[str, float] = {}
        self._highest = 0.0
        self._resets = True

    @contextmanager
    def measure(self, name: str) -> Iterator[None]:
        """Record the peak and final RSS of the block under ``name``."""
        if self._resets:
            self._highest = max(self._highest, _high_water_mb())
            try:
                Path("/proc/self/clear_refs").write_text("5")
            except OSError:  # not Linux, or not allowed: peaks unknown, RSS after kept
                self._resets = False
        try:
            yield
        finally:
            if self._resets:
                self.peaks[name] = _high_water_mb()
            self.after[name] = current_rss_mb()

    def overall_peak_mb(self) -> float:
        """The highest RSS of the process so far."""
        if not self._resets:
            return peak_rss_mb()
        return max(self._highest, _high_water_mb())


def _high_water_mb() -> float:
    """``VmHWM`` (peak RSS since start or the last reset), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return peak_rss_mb()


def run(spec: str, out: Path, profile: Path | None, gc_mode: str = "default") -> dict[str, Any]:
    """Load ``spec`` and export it into ``out``, timing each phase."""
    began = time.perf_counter()
    import hpo_tui.core.export.writer as writer
    import hpo_tui.core.model.details as details
    from hpo_tui.core.config import Config
    from hpo_tui.core.model.campaign import load_campaign

    imported = time.perf_counter() - began
    timer = PhaseTimer()
    # write_export looks these up in its module: wrapping the module's names times them.
    for name in ("summary_frame", "diverged_trials", "merged_space", "pruning_audit"):
        timer.wrap(writer, name, DERIVE)
    timer.wrap(writer, "campaign_importance", IMPORTANCE)
    # Every way to the per-trial details (the whole frame, some trials, one trial) ends here.
    timer.wrap(details, "details_frame", DETAILS)
    memory = FilePeaks()
    write_file: Callable[[Path, Any], None] = writer._write_file

    def timed_write(path: Path, file_writer: Any) -> None:
        with timer.phase(f"file: {path.name}"), memory.measure(path.name):
            write_file(path, file_writer)

    writer._write_file = timed_write  # type: ignore[attr-defined]

    cpu_began = cpu_seconds()
    began = time.perf_counter()
    campaign = load_campaign([spec], Config())
    load_s = time.perf_counter() - began
    rss_after_load = current_rss_mb()
    if gc_mode == "freeze":
        gc.freeze()
    elif gc_mode == "disable":
        gc.disable()
    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    began = time.perf_counter()
    writer.write_export(campaign, out)
    export_s = time.perf_counter() - began
    rss_after_export = current_rss_mb()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(profile))
    cpu = cpu_seconds() - cpu_began
    phases = {"load": load_s, **timer.seconds}
    phases["other"] = export_s - sum(timer.seconds.values())
    return {
        "phases": phases,
        "load_s": load_s,
        "export_s": export_s,
        "cpu_s": cpu,
        "import_s": imported,
        "rss_after_load_mb": rss_after_load,
        "rss_after_export_mb": rss_after_export,
        "peak_rss_mb": memory.overall_peak_mb(),
        "file_peak_rss_mb": memory.peaks,
        "file_rss_after_mb": memory.after,
        "trials": len(campaign.trials),
        "gc": gc_mode,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command line (see the module docstring); prints one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec")
    parser.add_argument("--out", type=Path, default=None, help="export folder (a temporary one)")
    parser.add_argument("--profile", type=Path, default=None, help="cProfile the export into")
    parser.add_argument(
        "--gc",
        choices=["default", "freeze", "disable"],
        default="default",
        help="after the load: gc.freeze() or gc.disable() (to compare with the CLI's choice)",
    )
    args = parser.parse_args(argv)
    if args.out is not None:
        result = run(args.spec, args.out, args.profile, args.gc)
    else:
        with tempfile.TemporaryDirectory(prefix="hpo-tui-bench-") as folder:
            result = run(args.spec, Path(folder) / "analysis", args.profile, args.gc)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
