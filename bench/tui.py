"""TUI timings with Textual's Pilot, in one fresh process per storage.

Usage::

    .venv/bin/python bench/tui.py SPEC [--repeat 5] [--size 200x50] [--profile KEY]

Runs ``HpoApp([SPEC])`` headless (``App.run_test``; the auto-refresh is off) and prints ONE
line of JSON on stdout:

- ``shell_s``: from creating the app to the first screen being mounted and painted
  (the grid's ``Loading…``; the load runs in a worker meanwhile);
- ``grid_s``: from creating the app to the grid filled with the loaded campaign and painted;
- ``all_trials_s``: key ``a`` on the grid until the all-trials table is mounted and painted;
- ``keys``: for each keypress on that table, ``--repeat`` measurements of ``paint_s``, from
  the key event to the end of the last repaint it caused (the compositor's
  ``render_update``, timed by a wrapper), and of wall and CPU time from the key event to the
  screen idle and repainted (``Pilot.press`` + ``Pilot.pause``),
  each with every trial shown (a state filter or filter left by the previous press is
  cleared first, untimed).
  ``noop`` is a key bound to nothing: the harness's own cost (Pilot's idle detection sleeps
  a few ms), to subtract from the wall times. CPU time (the whole process, all threads) is
  what the app itself spent and is less sensitive to other load on the machine.

Headless means nothing is written to a terminal, but Textual still lays out and renders every
dirty region (the compositor's ``render_update``): only the final write is skipped.
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import pstats
import resource
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from pilot import pilot_parser, time_paints, wait_for_grid

KEYS = (
    ("noop", "harness overhead: a key bound to nothing"),
    ("down", "cursor down"),
    ("pagedown", "page down"),
    ("end", "last row"),
    ("sort_value", "sort by value (s on the value column; asc/desc alternately)"),
    ("sort_study", "sort by study name (s on the study column)"),
    ("state_filter", "state filter (f: next state)"),
    ("filter", "filter `value < 0.5` (Enter in the filter field)"),
    ("filter_clear", "clear the filter (Enter on an empty field)"),
    ("mark", "mark a trial (space)"),
    ("open_trial", "open the trial (Enter) and paint its curves"),
    ("back", "back from the trial screen (Esc)"),
)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


async def run(spec: str, repeat: int, size: tuple[int, int], profile: str | None) -> dict[str, Any]:
    """Open ``spec``, time the grid, the all-trials table and every keypress on it."""
    began = time.perf_counter()
    from hpo_tui.tui.app import HpoApp
    from hpo_tui.tui.screens.study import StudyScreen
    from hpo_tui.tui.screens.trial import TrialScreen

    painted = time_paints()

    result: dict[str, Any] = {"import_s": time.perf_counter() - began}
    began = time.perf_counter()
    cpu_began = time.process_time()
    app = HpoApp([spec], show_clock=False, watch_seconds=None)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        result["shell_s"] = time.perf_counter() - began
        _, campaign = await wait_for_grid(app, pilot)
        result["grid_s"] = time.perf_counter() - began
        result["grid_cpu_s"] = time.process_time() - cpu_began
        result["trials"] = len(campaign.trials)
        result["curve_points"] = len(campaign.curves)

        began, cpu_began = time.perf_counter(), time.process_time()
        await pilot.press("a")
        await pilot.pause()
        study = app.screen
        assert isinstance(study, StudyScreen), "the all-trials table did not open"
        result["all_trials_s"] = time.perf_counter() - began
        result["all_trials_cpu_s"] = time.process_time() - cpu_began
        result["rows_on_screen"] = len(study.table.order)

        def column(name: str) -> Callable[[], Awaitable[None]]:
            async def go() -> None:
                table = study.table
                table.table.move_cursor(column=table.state.columns.index(name) + 1)
                await pilot.pause()

            return go

        async def open_filter(expression: str) -> None:
            await pilot.press("slash")
            await pilot.pause()
            field = study.query_one("#filter-input")
            field.value = expression  # type: ignore[attr-defined]

        async def ensure_study() -> None:
            if not isinstance(app.screen, StudyScreen):
                await pilot.press("escape")
                await pilot.pause()
            assert app.screen is study, "lost the all-trials table"

        async def every_row() -> None:
            """No state filter, no filter: every trial on screen (not timed)."""
            state = study.table.state
            if state.state_filter != "all" or state.query:
                state.state_filter, state.query = "all", ""
                await study.table.rebuild()
                await pilot.pause()

        async def ensure_trial() -> None:
            if not isinstance(app.screen, TrialScreen):
                await pilot.press("enter")
                await pilot.pause()

        scenarios: dict[str, tuple[str, Callable[[], Awaitable[None]] | None]] = {
            "noop": ("z", None),
            "down": ("down", None),
            "pagedown": ("pagedown", None),
            "end": ("end", None),
            "sort_value": ("s", column("value")),
            "sort_study": ("s", column("study")),
            "state_filter": ("f", None),
            "filter": ("enter", lambda: open_filter("value < 0.5")),
            "filter_clear": ("enter", lambda: open_filter("")),
            "mark": ("space", None),
            "open_trial": ("enter", ensure_study),
            "back": ("escape", ensure_trial),
        }
        keys: dict[str, dict[str, Any]] = {}
        for name, (key, prepare) in scenarios.items():
            walls, cpus, paints = [], [], []
            for _ in range(repeat):
                if name != "back":
                    await ensure_study()
                    await every_row()
                if prepare is not None:
                    await prepare()
                profiler = cProfile.Profile() if profile == name else None
                began, cpu_began = time.perf_counter(), time.process_time()
                painted[0] = began
                if profiler:
                    profiler.enable()
                await pilot.press(key)
                await pilot.pause()
                if profiler:
                    profiler.disable()
                walls.append(time.perf_counter() - began)
                cpus.append(time.process_time() - cpu_began)
                paints.append(painted[0] - began)
                if profiler:
                    stats = pstats.Stats(profiler, stream=sys.stderr)
                    stats.sort_stats("cumulative").print_stats(40)
                    stats.sort_stats("tottime").print_stats(25)
                    profile = None
            keys[name] = {
                "key": key,
                "wall_s": walls,
                "cpu_s": cpus,
                "median_wall_s": statistics.median(walls),
                "median_cpu_s": statistics.median(cpus),
                "paint_s": paints,
                "median_paint_s": statistics.median(paints),
            }
            await ensure_study()
        result["keys"] = keys
    result["peak_rss_mb"] = _peak_rss_mb()
    return result


def main(argv: list[str] | None = None) -> int:
    """Command line: prints one JSON line."""
    parser = pilot_parser(__doc__)
    parser.add_argument(
        "--profile", default=None, help="cProfile the first press of this scenario (to stderr)"
    )
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(run(args.spec, args.repeat, args.size, args.profile))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
