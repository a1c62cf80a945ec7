"""One ``hpo-tui export`` by phase, through core calls, in this (fresh) process.

Usage::

    .venv/bin/python bench/export_phases.py SPEC [--out DIR] [--profile PATH.prof]

Imports hpo-tui, then times ``load_campaign([SPEC])`` (``load``) and ``write_export`` of that
campaign into a temporary folder, its phases timed by wrappers around the core functions it
calls (exclusive: the time of a phase nested in another is counted in the inner one only, so
the phases add up to the export):

- ``derive``: the frames the files are made of — the details dicts, the summary and diverged
  frames, the merged search space, the pruning audit;
- ``importance``: ``campaign_importance`` (PED-ANOVA on the campaign's columns);
- ``file: NAME``: formatting and writing each file, what its own derivations leave.

Prints ONE line of JSON: ``phases`` (seconds), ``load_s``, ``export_s``, ``cpu_s``,
``peak_rss_mb`` (of the whole process) and ``rss_after_load_mb``. ``bench/suite.py``'s
``export`` part runs it alongside the whole-process ``summary``/``export``.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from measure import PhaseTimer, cpu_seconds, current_rss_mb, peak_rss_mb

DERIVE = "derive"
IMPORTANCE = "importance"


def run(spec: str, out: Path, profile: Path | None, gc_mode: str = "default") -> dict[str, Any]:
    """Load ``spec`` and export it into ``out``, timing each phase."""
    began = time.perf_counter()
    import hpo_tui.core.export.writer as writer
    from hpo_tui.core.config import Config
    from hpo_tui.core.model.campaign import load_campaign
    from hpo_tui.core.model.frames import Campaign

    imported = time.perf_counter() - began
    timer = PhaseTimer()
    # write_export looks these up in its module: wrapping the module's names times them.
    for name in ("summary_frame", "diverged_trials", "merged_space", "pruning_audit"):
        timer.wrap(writer, name, DERIVE)
    timer.wrap(writer, "campaign_importance", IMPORTANCE)
    details = Campaign.details

    def timed_details(campaign: Campaign) -> Any:
        with timer.phase(DERIVE):
            return details.fget(campaign)  # type: ignore[attr-defined]

    Campaign.details = property(timed_details)  # type: ignore[assignment,method-assign]
    write_file: Callable[[Path, Any], None] = writer._write_file

    def timed_write(path: Path, file_writer: Any) -> None:
        with timer.phase(f"file: {path.name}"):
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
        "peak_rss_mb": peak_rss_mb(),
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
