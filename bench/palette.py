"""Command palette (ctrl+p) timings with Textual's Pilot, in one fresh process per storage.

Usage::

    .venv/bin/python bench/palette.py SPEC [--query "h3 42"] [--repeat 3] [--interval 0.1]
                                           [--size 200x50] [--profile]

Opens ``HpoApp([SPEC])`` headless, waits for the campaign, opens the palette and types
``--query`` ``--repeat`` times in two ways (the field is cleared between rounds, untimed):

Typing
    A thread sends one key every ``--interval`` seconds through the driver, as a terminal's
    input thread does, whatever the app is busy with. ``echo_s`` of each keystroke: from
    sending the key to the end of the first repaint whose input shows it (the compositor's
    ``render_update``, timed by a wrapper). A search that blocks the event loop delays the
    keys typed after it: this is the wait a user sees.
One key at a time
    ``Pilot.press`` one key, then wait for the palette's search to finish. ``hits_s``: from
    the key to the search finished and the hit list repainted; ``hits_cpu_s``: the process's
    CPU time over that span (less sensitive to other load on the machine than the wall);
    ``hits``: how many hits the palette lists.

Prints ONE line of JSON on stdout: every keystroke (``typing``, ``rounds``) and
``median_echo_s`` / ``max_echo_s`` (typing), ``median_hits_s`` / ``median_hits_cpu_s`` /
``final_hits`` (one key at a time). ``--profile`` writes a cProfile of the first
one-key-at-a-time round to stderr.
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import pstats
import statistics
import sys
import threading
import time
from typing import Any

from pilot import pilot_parser


async def run(
    spec: str, query: str, repeat: int, interval: float, size: tuple[int, int], profile: bool
) -> dict[str, Any]:
    """Open ``spec``, type ``query`` into the palette, time every keystroke."""
    from textual import events
    from textual._compositor import Compositor
    from textual.command import CommandInput, CommandList, CommandPalette

    from hpo_tui.tui.app import HpoApp

    shown: dict[int, float] = {}  # length of the typed prefix → when a repaint first showed it
    render_update = Compositor.render_update
    app = HpoApp([spec], show_clock=False, watch_seconds=None)

    def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return render_update(self, *args, **kwargs)
        finally:
            screen = app.screen
            if isinstance(screen, CommandPalette):
                value = screen.query_one(CommandInput).value
                if query.startswith(value):
                    now = time.perf_counter()
                    for length in range(1, len(value) + 1):
                        shown.setdefault(length, now)

    Compositor.render_update = timed  # type: ignore[method-assign]

    result: dict[str, Any] = {"query": query, "interval_s": interval}
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
        driver = app._driver
        assert driver is not None

        async def settled() -> None:
            """The palette's searches done (a cancelled one counts as done)."""
            while any(not worker.is_finished for worker in palette.workers):
                await asyncio.sleep(0.005)
            await pilot.pause()

        async def cleared() -> None:
            field.value = ""
            await settled()
            shown.clear()

        typing: list[list[dict[str, Any]]] = []
        for _ in range(repeat):
            await cleared()
            sent: list[float] = []

            def typist(sent: list[float] = sent) -> None:
                for char in query:
                    key = events.Key("space" if char == " " else char, char)
                    key.set_sender(app)
                    sent.append(time.perf_counter())
                    driver.send_message(key)
                    time.sleep(interval)

            thread = threading.Thread(target=typist)
            thread.start()
            while thread.is_alive() or len(shown) < len(query):
                await asyncio.sleep(0.01)
                if time.perf_counter() - sent[0] > 60:
                    raise RuntimeError("the typed text never appeared")
            thread.join()
            await settled()
            typing.append(
                [
                    {"text": query[: i + 1], "echo_s": shown[i + 1] - sent[i]}
                    for i in range(len(query))
                ]
            )
        result["typing"] = typing
        echoes = [k["echo_s"] for r in typing for k in r]
        result["median_echo_s"] = statistics.median(echoes)
        result["max_echo_s"] = max(echoes)

        rounds: list[list[dict[str, Any]]] = []
        for round_index in range(repeat):
            await cleared()
            profiler = cProfile.Profile() if profile and round_index == 0 else None
            keystrokes = []
            for position, char in enumerate(query):
                if profiler:
                    profiler.enable()
                began, cpu_began = time.perf_counter(), time.process_time()
                await pilot.press("space" if char == " " else char)
                await settled()
                finished, cpu_finished = time.perf_counter(), time.process_time()
                if profiler:
                    profiler.disable()
                keystrokes.append(
                    {
                        "text": query[: position + 1],
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
        result["median_hits_s"] = statistics.median(k["hits_s"] for r in rounds for k in r)
        result["median_hits_cpu_s"] = statistics.median(k["hits_cpu_s"] for r in rounds for k in r)
        result["final_hits"] = rounds[-1][-1]["hits"]
    return result


def main(argv: list[str] | None = None) -> int:
    """Command line: prints one JSON line."""
    parser = pilot_parser(__doc__, repeat=3)
    parser.add_argument("--query", default="h3 42", help="what to type, one key at a time")
    parser.add_argument(
        "--interval", type=float, default=0.1, help="seconds between typed keys (0.1)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile round 1 (to stderr)")
    args = parser.parse_args(argv)
    result = asyncio.run(
        run(args.spec, args.query, args.repeat, args.interval, args.size, args.profile)
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
