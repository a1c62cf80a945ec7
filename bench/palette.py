"""Command palette (ctrl+p) timings with Textual's Pilot, in one fresh process per storage.

Usage::

    .venv/bin/python bench/palette.py SPEC [--query "h3 42"] [--repeat 3] [--size 200x50]
                                           [--profile]

Opens ``HpoApp([SPEC])`` headless, waits for the campaign, opens the palette and types
``--query`` one character at a time, ``--repeat`` times (the field is cleared between rounds,
untimed). Prints ONE line of JSON on stdout with, for every keystroke:

- ``echo_s``: from the key event to the end of the first repaint that shows the typed text in
  the palette's input (the compositor's ``render_update``, timed by a wrapper): what the
  user waits for before seeing what they typed;
- ``hits_s``: from the key event to the search finished and the hit list repainted
  (``Pilot.press`` + the palette's workers done + ``Pilot.pause``);
- ``hits_cpu_s``: the process's CPU time over the same span (less sensitive to other load
  on the machine than the wall time);
- ``hits``: how many hits the palette lists at the end.

``median_echo_s`` / ``max_echo_s`` / ``median_hits_s`` / ``median_hits_cpu_s`` summarise
every keystroke of every round; ``--profile`` writes a cProfile of the first round to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import statistics
import sys
import time
from typing import Any


async def run(
    spec: str, query: str, repeat: int, size: tuple[int, int], profile: bool
) -> dict[str, Any]:
    """Open ``spec``, type ``query`` into the palette ``repeat`` times, time every keystroke."""
    from textual._compositor import Compositor
    from textual.command import CommandInput, CommandList, CommandPalette

    from hpo_tui.tui.app import HpoApp

    expected = [""]  # the text the next repaint must show to count as the echo
    echoed = [0.0]
    render_update = Compositor.render_update

    app = HpoApp([spec], show_clock=False, watch_seconds=None)

    def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return render_update(self, *args, **kwargs)
        finally:
            screen = app.screen
            if not echoed[0] and isinstance(screen, CommandPalette):
                field = screen.query_one(CommandInput)
                if field.value == expected[0]:
                    echoed[0] = time.perf_counter()

    Compositor.render_update = timed  # type: ignore[method-assign]

    result: dict[str, Any] = {"query": query}
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        campaign = app.campaign
        assert campaign is not None, "the campaign did not load"
        result["trials"] = len(campaign.trials)
        result["studies"] = len(campaign.studies)
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette = app.screen
        assert isinstance(palette, CommandPalette), "ctrl+p did not open the palette"
        field = palette.query_one(CommandInput)
        rounds: list[list[dict[str, Any]]] = []
        for round_index in range(repeat):
            field.value = ""
            await palette.workers.wait_for_complete()
            await pilot.pause()
            profiler = cProfile.Profile() if profile and round_index == 0 else None
            keystrokes = []
            for position, char in enumerate(query):
                expected[0], echoed[0] = query[: position + 1], 0.0
                if profiler:
                    profiler.enable()
                began, cpu_began = time.perf_counter(), time.process_time()
                await pilot.press("space" if char == " " else char)
                await palette.workers.wait_for_complete()
                await pilot.pause()
                finished, cpu_finished = time.perf_counter(), time.process_time()
                if profiler:
                    profiler.disable()
                echo = (echoed[0] or finished) - began
                keystrokes.append(
                    {
                        "text": expected[0],
                        "echo_s": echo,
                        "hits_s": finished - began,
                        "hits_cpu_s": cpu_finished - cpu_began,
                        "hits": palette.query_one(CommandList).option_count,
                    }
                )
            rounds.append(keystrokes)
            if profiler:
                stats = pstats.Stats(profiler, stream=sys.stderr)
                stats.sort_stats("cumulative").print_stats(30)
        result["rounds"] = rounds
        echoes = [k["echo_s"] for r in rounds for k in r]
        result["median_echo_s"] = statistics.median(echoes)
        result["max_echo_s"] = max(echoes)
        result["median_hits_s"] = statistics.median(k["hits_s"] for r in rounds for k in r)
        result["median_hits_cpu_s"] = statistics.median(k["hits_cpu_s"] for r in rounds for k in r)
        result["final_hits"] = rounds[-1][-1]["hits"]
    return result


def main(argv: list[str] | None = None) -> int:
    """Command line: prints one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", help="a storage path or URL, as given to hpo-tui")
    parser.add_argument("--query", default="h3 42", help="what to type, one key at a time")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--size", default="200x50", help="terminal COLUMNSxLINES")
    parser.add_argument("--profile", action="store_true", help="cProfile round 1 (to stderr)")
    args = parser.parse_args(argv)
    width, height = (int(x) for x in args.size.lower().split("x"))
    result = asyncio.run(run(args.spec, args.query, args.repeat, (width, height), args.profile))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
