"""Opening the views of one study with Textual's Pilot, against an existing view in the same
run, in one fresh process.

Usage::

    .venv/bin/python bench/views_pareto.py SPEC [--repeat 5] [--size 200x50] [--profile VIEW]

Opens ``HpoApp([SPEC, MULTI])`` headless (auto-refresh off), where MULTI is a SQLite storage
of one two-objective study of 2,000 trials (``mo_2000``: random sampler, a log, an int and a
categorical param; written with Optuna's own API into ``bench/.cache/`` the first time, then
reused): the generated storages have one objective, and the Pareto view needs two. Then
opens, ``--repeat`` times each, round-robin, and goes back (untimed):

- ``study`` (existing: the trial table of one study) and ``dynamics`` (existing: the
  training dynamics of one study), the baselines;
- ``bands`` and ``contour`` (``learning_rate`` × ``n_layers``) of the same study (the grid's
  first study, 2,000 trials at ``12x2000x100``);
- ``pareto`` of ``mo_2000``, and ``hypervolume``: its hypervolume history drawn up to the
  proposed reference point, from the Pareto screen.

Each open is timed from the call to the screen idle and repainted (``Pilot.pause``): wall,
the process's CPU, and ``paint_s`` (to the end of the last repaint, the compositor's
``render_update``). Prints ONE line of JSON: per view the times and their medians, and
``ratio_to_dynamics`` / ``ratio_to_study`` (median wall ÷ the baseline's median wall).
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import math
import pstats
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from common import CACHE_DIR
from pilot import pilot_parser, time_paints, wait_for_grid

MULTI_TRIALS = 2000
MULTI_PATH = CACHE_DIR / f"views_multi_{MULTI_TRIALS}.v1.db"
VIEWS = ("study", "dynamics", "bands", "contour", "pareto", "hypervolume")
BASELINES = ("dynamics", "study")


def ensure_multi(path: Path = MULTI_PATH) -> Path:
    """The two-objective storage, written by Optuna the first time (about a minute)."""
    if path.exists():
        return path
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".tmp")
    building.unlink(missing_ok=True)
    study = optuna.create_study(
        study_name="mo_2000",
        storage=f"sqlite:///{building}",
        directions=["minimize", "minimize"],
        sampler=optuna.samplers.RandomSampler(seed=0),
    )
    study.set_metric_names(["val_loss", "latency_ms"])

    def objective(trial: optuna.Trial) -> tuple[float, float]:
        lr = trial.suggest_float("learning_rate", 1e-5, 1e-1, log=True)
        width = trial.suggest_int("width", 32, 1024, step=32)
        activation = trial.suggest_categorical("activation", ["relu", "gelu", "tanh"])
        bonus = {"relu": 0.0, "gelu": -0.01, "tanh": 0.02}[activation]
        val_loss = 0.2 + 3.0 / math.log2(width) + 0.05 * (math.log10(lr) + 3) ** 2 + bonus
        return val_loss, 0.01 * width + 1.0

    study.optimize(objective, n_trials=MULTI_TRIALS)
    building.replace(path)
    return path


async def run(
    spec: str, multi: str, repeat: int, size: tuple[int, int], profile: str | None
) -> dict[str, Any]:
    """Open every view ``repeat`` times; see the module docstring."""
    from hpo_tui.tui.app import HpoApp
    from hpo_tui.tui.screens.grid import GridScreen
    from hpo_tui.tui.screens.pareto import ParetoScreen
    from hpo_tui.tui.views import open_bands, open_contour, open_pareto

    painted = time_paints()
    app = HpoApp([spec, multi], show_clock=False, watch_seconds=None)
    result: dict[str, Any] = {}
    async with app.run_test(size=size) as pilot:
        grid, campaign = await wait_for_grid(app, pilot)
        study_id = grid.selected_study()
        assert study_id is not None, "no study under the grid's cursor"
        multi_id = int(campaign.studies.set_index("study")["study_id"]["mo_2000"])
        result["trials"] = len(campaign.trials)
        result["study_trials"] = len(campaign.study_trials(study_id))
        result["multi_trials"] = len(campaign.study_trials(multi_id))

        async def open_front() -> None:
            """Before the hypervolume (untimed): the Pareto screen of ``mo_2000``."""
            open_pareto(app, multi_id)
            await pilot.pause()
            assert isinstance(app.screen, ParetoScreen)

        def draw_hypervolume() -> None:
            """What h then Enter do with the proposed point: the history, drawn."""
            from hpo_tui.core.analysis.pareto import suggested_reference_point

            screen = app.screen
            assert isinstance(screen, ParetoScreen)
            screen.reference = suggested_reference_point(campaign, multi_id)
            screen.showing_history = True
            screen.fill()

        opens: dict[str, Callable[[], Any]] = {
            "study": lambda: app.open_study(study_id),
            "dynamics": lambda: app.open_dynamics(study_id),
            "bands": lambda: open_bands(app, study_id),
            "contour": lambda: open_contour(app, study_id, "learning_rate", ["n_layers"]),
            "pareto": lambda: open_pareto(app, multi_id),
            "hypervolume": draw_hypervolume,
        }
        prepare: dict[str, Callable[[], Awaitable[None]]] = {"hypervolume": open_front}
        times: dict[str, dict[str, list[float]]] = {
            v: {"wall_s": [], "cpu_s": [], "paint_s": []} for v in VIEWS
        }
        for _ in range(repeat):
            for view in VIEWS:
                if view in prepare:
                    await prepare[view]()
                profiler = cProfile.Profile() if profile == view else None
                if profiler:
                    profiler.enable()
                began, cpu_began = time.perf_counter(), time.process_time()
                painted[0] = began
                opens[view]()
                await pilot.pause()
                wall = time.perf_counter() - began
                if profiler:
                    profiler.disable()
                    stats = pstats.Stats(profiler, stream=sys.stderr)
                    stats.sort_stats("cumulative").print_stats(30)
                    profile = None
                times[view]["wall_s"].append(wall)
                times[view]["cpu_s"].append(time.process_time() - cpu_began)
                times[view]["paint_s"].append(max(painted[0] - began, 0.0))
                while not isinstance(app.screen, GridScreen):
                    app.pop_screen()
                    await pilot.pause()
        views: dict[str, Any] = {}
        for view, found in times.items():
            views[view] = {
                **found,
                **{f"median_{k}": statistics.median(v) for k, v in found.items()},
            }
        for view in views.values():
            for baseline in BASELINES:
                view[f"ratio_to_{baseline}"] = (
                    view["median_wall_s"] / views[baseline]["median_wall_s"]
                )
        result["views"] = views
    return result


def main(argv: list[str] | None = None) -> int:
    """Command line: prints one JSON line."""
    parser = pilot_parser(__doc__)
    parser.add_argument("--profile", default=None, choices=VIEWS, help="cProfile one open")
    args = parser.parse_args(argv)
    multi = str(ensure_multi())
    print(json.dumps(asyncio.run(run(args.spec, multi, args.repeat, args.size, args.profile))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
