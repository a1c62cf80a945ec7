"""What the Pilot-driven scripts share (``tui.py``, ``palette.py``, ``views.py``,
``views_pareto.py``): their command line, the wait for the grid, and the compositor's clock
of the last repaint.

Textual is imported on use: a script imports this before it starts its clock.
"""

from __future__ import annotations

import argparse
import time
from typing import Any


def terminal_size(text: str) -> tuple[int, int]:
    """``200x50`` as (columns, lines)."""
    width, height = (int(x) for x in text.lower().split("x"))
    return width, height


def pilot_parser(doc: str, repeat: int = 5) -> argparse.ArgumentParser:
    """The arguments every Pilot-driven script takes: ``SPEC``, ``--repeat`` and ``--size``
    (``args.size`` is (columns, lines)); ``doc`` is the script's docstring."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("spec", help="a storage path or URL, as given to hpo-tui")
    parser.add_argument("--repeat", type=int, default=repeat)
    parser.add_argument(
        "--size", type=terminal_size, default="200x50", help="terminal COLUMNSxLINES"
    )
    return parser


async def wait_for_grid(app: Any, pilot: Any) -> tuple[Any, Any]:
    """Wait for the load and the grid it fills, painted: the grid screen and the campaign."""
    from hpo_tui.tui.screens.grid import GridScreen

    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()
    grid = app.screen
    assert isinstance(grid, GridScreen) and grid.grid is not None, "grid not filled"
    assert app.campaign is not None
    return grid, app.campaign


def time_paints() -> list[float]:
    """Record when the compositor last finished rendering an update (``[0]``, perf_counter).

    Setting ``[0]`` to the time of a keypress and reading it once the screen is idle gives
    keypress → last repaint done, without the idle detection's own sleeps; it stays at the
    keypress time when nothing was repainted.
    """
    from textual._compositor import Compositor

    last = [0.0]
    render_update = Compositor.render_update

    def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return render_update(self, *args, **kwargs)
        finally:
            last[0] = time.perf_counter()

    Compositor.render_update = timed  # type: ignore[method-assign]
    return last
