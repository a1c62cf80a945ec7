"""Opening the history, EDF and timeline views, as ratios to an existing view opened in the
same run (Textual's Pilot, one fresh process).

Usage::

    .venv/bin/python bench/views.py SPEC [--repeat 5] [--size 200x50]

Runs ``HpoApp([SPEC])`` headless (no auto-refresh), waits for the grid, then, for each
scenario in turn (``--repeat`` rounds, round-robin so that load on the machine hits every
scenario alike): the untimed keys that lead to it, then the timed key, until the view's worker
is done and the screen is idle and repainted (wall and the process's CPU), then ``esc`` back to
the grid. Every view opens on the grid cursor's study (the first cell). The baseline is
``dynamics`` (``t``), an existing view that also computes in a worker; ``effects`` (``x``) is
a second one for scale. Prints ONE line of JSON: per scenario the walls, CPUs, medians and
``ratio`` (median wall / the baseline's median wall).
"""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import sys
import time
from typing import Any

from pilot import pilot_parser, wait_for_grid

BASELINE = "dynamics"
# name → (untimed keys first, the timed key, what it opens)
SCENARIOS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "dynamics": ((), "t", "training dynamics of the study (existing view, baseline)"),
    "effects": ((), "x", "effects along the horizons (existing view)"),
    "history": ((), "H", "history of the study"),
    "history_column": (("H", "x"), "x", "history overlaid for the grid column"),
    "history_by_time": (("H",), "b", "history by completion time"),
    "edf": ((), "E", "EDF of the grid column"),
    "timeline": ((), "T", "timeline of the study (lanes)"),
    "timeline_per_trial": (("T",), "v", "timeline, one row per trial"),
}


async def run(spec: str, repeat: int, size: tuple[int, int]) -> dict[str, Any]:
    """Open ``spec`` and time every scenario ``repeat`` times."""
    from hpo_tui.tui.app import HpoApp
    from hpo_tui.tui.screens.grid import GridScreen

    app = HpoApp([spec], show_clock=False, watch_seconds=None)
    walls: dict[str, list[float]] = {name: [] for name in SCENARIOS}
    cpus: dict[str, list[float]] = {name: [] for name in SCENARIOS}
    result: dict[str, Any] = {}
    async with app.run_test(size=size) as pilot:
        grid, campaign = await wait_for_grid(app, pilot)
        study_id = grid.selected_study()
        result["trials"] = len(campaign.trials)
        result["study_trials"] = int((campaign.trials["study_id"] == study_id).sum())

        async def settle() -> None:
            await app.workers.wait_for_complete()
            await pilot.pause()

        for _ in range(repeat):
            for name, (before, key, _label) in SCENARIOS.items():
                for untimed in before:
                    await pilot.press(untimed)
                    await settle()
                began, cpu_began = time.perf_counter(), time.process_time()
                await pilot.press(key)
                await settle()
                walls[name].append(time.perf_counter() - began)
                cpus[name].append(time.process_time() - cpu_began)
                while not isinstance(app.screen, GridScreen):
                    await pilot.press("escape")
                    await settle()
    base = statistics.median(walls[BASELINE])
    result["baseline"] = BASELINE
    result["views"] = {
        name: {
            "key": key,
            "label": label,
            "wall_s": walls[name],
            "cpu_s": cpus[name],
            "median_wall_s": statistics.median(walls[name]),
            "median_cpu_s": statistics.median(cpus[name]),
            "ratio": statistics.median(walls[name]) / base,
        }
        for name, (_before, key, label) in SCENARIOS.items()
    }
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return result


def main(argv: list[str] | None = None) -> int:
    """Command line: prints one JSON line."""
    args = pilot_parser(__doc__).parse_args(argv)
    print(json.dumps(asyncio.run(run(args.spec, args.repeat, args.size))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
