"""Save an SVG screenshot of each screen into docs/screenshots/ (for the README).

Usage: ``.venv/bin/python scripts/screenshots.py [SOURCE [NAME…]]`` (default: the demo
campaign, built first if missing; every shot, or only the NAMEs given). The user's saved
column choice is not read: the shots show the defaults.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SHOTS: list[tuple[str, list[str]]] = [
    ("grid", []),
    ("study", ["enter"]),
    ("trial", ["enter", "down", "down", "enter"]),
    ("diverged", ["d"]),
    ("compare", ["enter", "space", "space", "space", "c"]),
    ("export", ["e"]),
    ("space", ["s"]),
    ("dynamics", ["t"]),
    ("dynamics_grouped", ["t", "g", "g"]),
    ("effects", ["x"]),
    ("importance", ["i"]),
    ("slice", ["i", "enter"]),  # the first study's most important param
]


async def shoot(source: str, names: list[str]) -> None:
    from hpo_tui.tui.app import HpoApp

    OUT.mkdir(parents=True, exist_ok=True)
    for name, keys in SHOTS:
        if names and name not in names:
            continue
        app = HpoApp([source], show_clock=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            for key in keys:
                await pilot.press(key)
                await pilot.app.workers.wait_for_complete()  # screens that compute in a worker
                await pilot.pause()
            await pilot.pause()
            app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
        print(OUT / f"{name}.svg")


def main() -> None:
    if len(sys.argv) > 1:
        source = sys.argv[1]
    else:
        from hpo_tui.core.demo import ensure_demo_storage

        source = str(ensure_demo_storage())
    with tempfile.TemporaryDirectory() as config:
        os.environ["HPO_TUI_CONFIG_DIR"] = config  # the default columns, not the user's
        asyncio.run(shoot(source, sys.argv[2:]))


if __name__ == "__main__":
    main()
