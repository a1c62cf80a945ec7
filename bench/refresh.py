"""Cost of an incremental refresh next to a full reload, measured in one run.

Usage: ``.venv/bin/python bench/refresh.py [--size 12x2000x100] [--repeat 7] [--json]``

On a copy of the generated SQLite storage: the first load, refreshes with nothing changed,
a refresh after one new finished trial (written by Optuna), and a full reload. The copy is
written to, the cached storage is not.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Size


def main() -> None:
    """Run the measurement and print one line per quantity."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="12x2000x100")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="one line of JSON instead of text")
    args = parser.parse_args()
    size = Size.parse(args.size)
    source = size.sqlite_path
    if not source.exists():
        sys.exit(f"{source} is missing: run bench/generate.py --sizes {args.size} first")

    warnings.simplefilter("ignore")
    import optuna

    from hpo_tui.core import load_campaign
    from hpo_tui.core.model.live import LiveCampaign

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    with tempfile.TemporaryDirectory() as folder:
        spec = str(Path(folder) / "live.db")
        shutil.copy2(source, spec)
        started = time.perf_counter()
        live = LiveCampaign([spec])
        first = time.perf_counter() - started
        idle = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            assert not live.refresh().changed
            idle.append(time.perf_counter() - started)
        study_name = str(live.campaign.studies["study"].iloc[0])
        study = optuna.load_study(study_name=study_name, storage=f"sqlite:///{spec}")
        study.optimize(lambda t: t.suggest_float("learning_rate", 1e-5, 1e-1, log=True), 1)
        started = time.perf_counter()
        summary = live.refresh()
        one = time.perf_counter() - started
        started = time.perf_counter()
        load_campaign([spec])
        full = time.perf_counter() - started
    if args.json:
        print(
            json.dumps(
                {
                    "size": size.label,
                    "trials": len(live.campaign.trials),
                    "curve_points": len(live.campaign.curves),
                    "first_load_s": first,
                    "idle_refresh_s": idle,
                    "one_trial_refresh_s": one,
                    "one_trial_summary": summary.describe(),
                    "full_reload_s": full,
                }
            )
        )
        return
    print(
        f"storage: {size.label} ({len(live.campaign.trials)} trials, "
        f"{len(live.campaign.curves)} curve points), SQLite"
    )
    print(f"first load                    {first:8.3f} s")
    print(
        f"refresh, nothing changed      {statistics.median(idle) * 1000:8.1f} ms "
        f"(median of {args.repeat}, min {min(idle) * 1000:.1f} ms)"
    )
    print(f"refresh, one finished trial   {one:8.3f} s   ({summary.describe()})")
    print(f"full reload                   {full:8.3f} s")
    print(f"ratio no-change refresh / full reload: {statistics.median(idle) / full:.4f}")
    print(f"ratio one-trial refresh / full reload: {one / full:.2f}")


if __name__ == "__main__":
    main()
