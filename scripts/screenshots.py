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
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
# name, keys, terminal size, the extra storage opened with the demo ("" for none)
SHOTS: list[tuple[str, list[str], tuple[int, int], str]] = [
    ("grid", [], (120, 40), ""),
    ("grid_80x24", [], (80, 24), ""),
    ("grid_sweeps", ["right_square_bracket"], (120, 40), "sweep"),
    ("grid_intervals", ["b"], (120, 40), ""),
    ("trial_80x24", ["enter", "down", "down", "enter"], (80, 24), ""),
    ("help_80x24", ["enter", "question_mark"], (80, 24), ""),
    ("study", ["enter"], (120, 40), ""),
    ("trial", ["enter", "down", "down", "enter"], (120, 40), ""),
    ("diverged", ["d"], (120, 40), ""),
    ("compare", ["enter", "space", "space", "space", "c"], (120, 40), ""),
    ("export", ["e"], (120, 40), ""),
    ("space", ["s"], (120, 40), ""),
    ("dynamics", ["t"], (120, 40), ""),
    ("dynamics_grouped", ["t", "g", "g"], (120, 40), ""),
    ("effects", ["x"], (120, 40), ""),
    ("importance", ["i"], (120, 40), ""),
    ("slice", ["i", "enter"], (120, 40), ""),  # the first study's most important param
    ("pruning", ["p", "down", "down", "down"], (120, 40), ""),  # 20M h1: late bloomers
    ("transfer", ["X", "down", "down", "down"], (120, 40), ""),  # a horizon pair
    ("history", ["H", "x"], (120, 40), ""),  # the best so far of the cursor's budget
    ("edf", ["E"], (120, 40), ""),  # the cursor's horizon: every budget of it
    ("timeline", ["T"], (120, 40), ""),  # on a storage of its own: see workers_storage
    # the tradeoff study is off the grid: tab to the list, open its table, P
    ("pareto", ["tab", "down", "enter", "P"], (120, 40), "tradeoff"),
    ("pareto_80x24", ["tab", "down", "enter", "P"], (80, 24), "tradeoff"),
    ("pareto_hypervolume", ["tab", "down", "enter", "P", "h", "enter"], (120, 40), "tradeoff"),
    ("bands", ["B"], (120, 40), ""),
    ("bands_80x24", ["B"], (80, 24), ""),
    ("contour", ["i", "enter", "c"], (120, 40), ""),  # the slice's param × the next one
    ("contour_80x24", ["i", "enter", "c"], (80, 24), ""),
]
# Shots of another storage than the demo's, and the screen's clock (None: the real one).
OWN_STORAGE = {"timeline"}
TIMELINE_PAUSE_S = 65.0  # between two bursts of trials: longer than the minimal idle gap


def workers_storage(folder: Path) -> tuple[str, datetime]:
    """A study run by three workers at once (``n_jobs=3``), paused for a minute, run again;
    then a worker killed mid-trial (``os._exit``) while it recorded heartbeats: lanes, an
    idle gap and a stalled trial for the timeline's screenshot. Returns the storage and the
    clock to show it at (6 minutes after the kill: the killed trial is then stalled)."""
    import subprocess
    import time
    import warnings

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    path = folder / "workers.db"
    url = f"sqlite:///{path}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # heartbeat_interval is experimental
        storage = optuna.storages.RDBStorage(url, heartbeat_interval=1)
    study = optuna.create_study(
        study_name="workers_2M_h1", storage=storage, sampler=optuna.samplers.RandomSampler(seed=0)
    )

    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", -1.0, 1.0)
        time.sleep(0.2 + abs(x))
        if x > 0.8:
            raise optuna.TrialPruned()
        return x * x

    study.optimize(objective, n_trials=24, n_jobs=3)
    time.sleep(TIMELINE_PAUSE_S)
    study.optimize(objective, n_trials=24, n_jobs=3)
    killer = (
        "import os, sys, time, warnings, optuna\n"
        "warnings.simplefilter('ignore')\n"
        "s = optuna.storages.RDBStorage(sys.argv[1], heartbeat_interval=1)\n"
        "study = optuna.load_study(study_name='workers_2M_h1', storage=s)\n"
        "def f(t):\n    t.suggest_float('x', -1, 1); time.sleep(2.5); os._exit(0)\n"
        "study.optimize(f, n_trials=1)\n"
    )
    subprocess.run([sys.executable, "-c", killer, url], check=True)
    return str(path), datetime.now(UTC) + timedelta(minutes=6)


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


def tradeoff(folder: Path) -> str:
    """A storage holding one multi-objective study, ``tradeoff`` (NSGA-II, 120 trials):
    minimize ``val_loss`` and ``latency_ms`` (stored as metric names) of a model whose
    width and depth buy accuracy with latency; for the Pareto screenshots (the demo's
    studies have one objective)."""
    import math

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    target = folder / "tradeoff.db"
    study = optuna.create_study(
        study_name="tradeoff",
        storage=f"sqlite:///{target}",
        directions=["minimize", "minimize"],
        sampler=optuna.samplers.NSGAIISampler(seed=0, population_size=20),
    )
    study.set_metric_names(["val_loss", "latency_ms"])

    def objective(trial: optuna.Trial) -> tuple[float, float]:
        lr = trial.suggest_float("learning_rate", 1e-4, 1e-1, log=True)
        width = trial.suggest_int("width", 32, 512, step=32)
        depth = trial.suggest_int("depth", 1, 8)
        capacity = math.log2(width * depth)
        val_loss = 0.2 + 2.0 / capacity + 0.05 * (math.log10(lr) + 2.5) ** 2
        return val_loss, 0.02 * width * depth + 1.0

    study.optimize(objective, n_trials=120)
    return str(target)


async def shoot(source: str, names: list[str], extras: dict[str, str], folder: Path) -> None:
    from hpo_tui.tui.app import HpoApp

    OUT.mkdir(parents=True, exist_ok=True)
    for name, keys, size, extra in SHOTS:
        if names and name not in names:
            continue
        specs = [source, extras[extra]] if extra else [source]
        clock = None
        if name in OWN_STORAGE:
            own, clock = workers_storage(folder)
            specs = [own]
        app = HpoApp(specs, show_clock=False)
        if clock is not None:
            app.clock = lambda clock=clock: clock
        async with app.run_test(size=size) as pilot:
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.pause()  # the grid is filled one message after the load
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
        extras = {"sweep": second_sweep(source, Path(config)), "tradeoff": tradeoff(Path(config))}
        asyncio.run(shoot(source, sys.argv[2:], extras, Path(config)))


if __name__ == "__main__":
    main()
