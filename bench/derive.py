"""The export's derived analyses, one revision against another in the same run.

Usage::

    .venv/bin/python bench/derive.py SPEC [--baseline REV] [--revision REV] [--repeat 3]

Times, on a campaign loaded once per process, what the export derives for five of its files:

- ``pruning``: ``pruning_audit`` (``hpo_pruning.csv``, ``hpo_pruning_trials.csv``);
- ``transfer``: ``transfer`` given the importances (``hpo_transfer.csv``,
  ``hpo_transfer_params.csv``); the importances themselves are the export's ``importance``
  phase, timed apart as ``importance``;
- ``intervals``: ``interval_export_frame`` (``hpo_grid_intervals.csv``).

Each repetition runs one fresh process for ``--baseline`` and one for ``--revision`` (the
working tree by default), alternating; a revision is measured from ``git archive REV src`` in
``bench/.cache/src-<commit>/`` (as ``bench/suite.py --source``). It reports the medians and
their ratios, wall and CPU time (the CPU time of a phase is steadier on a shared machine),
with the load of the same processes for scale. Every process also hashes the
CSV text of each result, so the run says whether both revisions wrote the same bytes. Prints
ONE line of JSON; a readable table on stderr.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from common import BENCH_DIR, archived_source

ROOT = BENCH_DIR.parent
PHASES = ("importance", "pruning", "transfer", "intervals")


def child(spec: str) -> dict[str, Any]:
    """Load ``spec`` and time each analysis once, in this process (the imported hpo-tui)."""
    import hpo_tui
    from hpo_tui.core.analysis.importance import ImportanceCache
    from hpo_tui.core.analysis.pruning import pruning_audit
    from hpo_tui.core.analysis.transfer import transfer
    from hpo_tui.core.config import Config
    from hpo_tui.core.export.formats.csv import frame_to_csv
    from hpo_tui.core.export.formats.grid import interval_export_frame
    from hpo_tui.core.model.campaign import load_campaign

    began, cpu_began = time.perf_counter(), time.process_time()
    campaign = load_campaign([spec], Config())
    campaign.details  # noqa: B018  (built by the export before these run)
    seconds: dict[str, float] = {"load": time.perf_counter() - began}
    cpu: dict[str, float] = {"load": time.process_time() - cpu_began}
    digests: dict[str, str] = {}

    def timed(name: str, make: Callable[[], Any]) -> Any:
        began, cpu_began = time.perf_counter(), time.process_time()
        result = make()
        seconds[name] = time.perf_counter() - began
        cpu[name] = time.process_time() - cpu_began
        return result

    def digest(name: str, text: str) -> None:
        digests[name] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    cache = ImportanceCache()
    importance = timed("importance", lambda: cache.get(campaign))
    # ``transfer`` is timed given the importances, as the export hands them over: the cache
    # answers at once (its own lookup digests every study's trials, not transfer's work).
    cache.get = lambda *args, **kwargs: importance  # type: ignore[method-assign]
    audit = timed("pruning", lambda: pruning_audit(campaign))
    digest("pruning", frame_to_csv(audit.studies))
    digest("pruning_trials", frame_to_csv(audit.trials))
    pairs = timed("transfer", lambda: transfer(campaign, cache))
    digest("transfer", frame_to_csv(pairs.pairs))
    digest("transfer_params", frame_to_csv(pairs.params))
    intervals = timed("intervals", lambda: interval_export_frame(campaign))
    digest("intervals", frame_to_csv(intervals))
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "digests": digests,
        "source": str(Path(hpo_tui.__file__).parent),
        "trials": len(campaign.trials),
    }


def run_child(spec: str, src: Path) -> dict[str, Any]:
    """One child process importing hpo-tui from ``src``."""
    env = dict(os.environ, PYTHONPATH=str(src))
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), spec, "--child"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"child for {src} exited {done.returncode}: {done.stderr[-500:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def compare(spec: str, baseline: str, revision: str | None, repeat: int) -> dict[str, Any]:
    """Baseline and revision (or working tree) alternating, ``repeat`` times each."""
    commit, base_src = archived_source(baseline)
    measured, tree_src = archived_source(revision) if revision else ("working tree", ROOT / "src")
    sources = {"baseline": base_src, "tree": tree_src}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in sources}
    for round_ in range(repeat):
        for name, src in sources.items():
            runs[name].append(run_child(spec, src))
            print(
                f"round {round_ + 1}/{repeat} {name}: {runs[name][-1]['seconds']}", file=sys.stderr
            )
    phases = ("load", *PHASES)

    def medians_of(key: str) -> dict[str, dict[str, float]]:
        return {
            name: {p: statistics.median(r[key][p] for r in found) for p in phases}
            for name, found in runs.items()
        }

    medians, cpu_medians = medians_of("seconds"), medians_of("cpu_seconds")
    ratios = {p: medians["tree"][p] / medians["baseline"][p] for p in phases}
    cpu_ratios = {p: cpu_medians["tree"][p] / cpu_medians["baseline"][p] for p in phases}
    derived = ("pruning", "transfer", "intervals")
    both = {name: sum(medians[name][p] for p in derived) for name in sources}
    same = all(r["digests"] == runs["baseline"][0]["digests"] for f in runs.values() for r in f)
    header = ("baseline", "tree", "ratio") * 2
    print(f"{'median of ' + str(repeat):14} {'wall s':^26} {'CPU s':^26}", file=sys.stderr)
    print(f"{'':14} " + " ".join(f"{h:>8}" for h in header), file=sys.stderr)
    for p in phases:
        print(
            f"{p:14} {medians['baseline'][p]:8.3f} {medians['tree'][p]:8.3f} "
            f"x{ratios[p]:6.3f} {cpu_medians['baseline'][p]:8.3f} {cpu_medians['tree'][p]:8.3f} "
            f"x{cpu_ratios[p]:6.3f}",
            file=sys.stderr,
        )
    print(
        f"{'three':14} {both['baseline']:8.3f} {both['tree']:8.3f}   "
        f"({both['tree'] / medians['tree']['load']:.2f} of the load); same bytes: {same}",
        file=sys.stderr,
    )
    return {
        "spec": spec,
        "baseline": commit,
        "measured": measured,
        "repeat": repeat,
        "medians": medians,
        "ratios": ratios,
        "cpu_medians": cpu_medians,
        "cpu_ratios": cpu_ratios,
        "derived_s": both,
        "same_bytes": same,
        "digests": runs["tree"][0]["digests"],
        "runs": runs,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec")
    parser.add_argument("--baseline", default="HEAD", help="revision to compare with")
    parser.add_argument("--revision", default=None, help="revision measured (working tree)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        result = child(args.spec)
    else:
        result = compare(args.spec, args.baseline, args.revision, args.repeat)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
