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
# name, keys, terminal size, with a second sweep
SHOTS: list[tuple[str, list[str], tuple[int, int], bool]] = [
    ("grid", [], (120, 40), False),
    ("grid_80x24", [], (80, 24), False),
    ("grid_sweeps", ["right_square_bracket"], (120, 40), True),
    ("grid_intervals", ["b"], (120, 40), False),
    ("trial_80x24", ["enter", "down", "down", "enter"], (80, 24), False),
    ("help_80x24", ["enter", "question_mark"], (80, 24), False),
    ("study", ["enter"], (120, 40), False),
    ("trial", ["enter", "down", "down", "enter"], (120, 40), False),
    ("diverged", ["d"], (120, 40), False),
    ("compare", ["enter", "space", "space", "space", "c"], (120, 40), False),
    ("export", ["e"], (120, 40), False),
    ("space", ["s"], (120, 40), False),
    ("dynamics", ["t"], (120, 40), False),
    ("dynamics_grouped", ["t", "g", "g"], (120, 40), False),
    ("effects", ["x"], (120, 40), False),
    ("importance", ["i"], (120, 40), False),
    ("slice", ["i", "enter"], (120, 40), False),  # the first study's most important param
    ("pruning", ["p", "down", "down", "down"], (120, 40), False),  # 20M h1: late bloomers
]


def second_sweep(source: str, folder: Path) -> str:
    """A storage holding four of the demo's studies copied under another sweep's name
    (``pilot_…``), by Optuna's own ``copy_study``: the sweep switch's screenshot."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    target = folder / "pilot.db"
    url = f"sqlite:///{source}"
    for name in optuna.get_all_study_names(storage=f"sqlite:///file:{source}?mode=ro&uri=true"):
        if any(name.endswith(f"_{cell}") for cell in ("2M_h1", "2M_h3", "20M_h1", "20M_h3")):
            suffix = name.split("_", 1)[1]
            optuna.copy_study(
                from_study_name=name,
                from_storage=url,
                to_storage=f"sqlite:///{target}",
                to_study_name=f"pilot_{suffix}",
            )
    return str(target)


async def shoot(source: str, names: list[str], extra: str) -> None:
    from hpo_tui.tui.app import HpoApp

    OUT.mkdir(parents=True, exist_ok=True)
    for name, keys, size, sweeps in SHOTS:
        if names and name not in names:
            continue
        app = HpoApp([source, extra] if sweeps else [source], show_clock=False)
        async with app.run_test(size=size) as pilot:
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
        from hpo_tui.demo import ensure_demo_storage

        source = str(ensure_demo_storage())
    with tempfile.TemporaryDirectory() as config:
        os.environ["HPO_TUI_CONFIG_DIR"] = config  # the default columns, not the user's
        extra = second_sweep(source, Path(config))
        asyncio.run(shoot(source, sys.argv[2:], extra))


if __name__ == "__main__":
    main()
