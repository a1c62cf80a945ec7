"""``hpo-tui history``: each trial's objective value and the running best, per study."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from hpo_tui.cli.study_select import add_study_option, selected_studies, with_source

if TYPE_CHECKING:
    from hpo_tui.core.config import Config

FORMATS = ("table", "csv", "json")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from hpo_tui.cli.args import add_sources

    parser = subparsers.add_parser(
        "history",
        help="objective per trial and the running best (infeasible trials never best)",
    )
    add_sources(parser)
    parser.set_defaults(run=run)
    add_study_option(parser)
    parser.add_argument(
        "--by",
        choices=("number", "time"),
        default="number",
        help="order of the trials: number (every trial) or completion time (finished "
        "trials; the running best as known at each moment)",
    )
    parser.add_argument("--format", choices=FORMATS, default="table")


def run(args: argparse.Namespace, config: Config) -> int:
    from hpo_tui.cli.common import emit, load
    from hpo_tui.core.analysis.history import multi_objective, optimization_history
    from hpo_tui.core.display import plural, printable

    campaign = load(args.sources, config)
    ids = selected_studies(campaign, args.studies)
    history = with_source(campaign, optimization_history(campaign, ids, by=args.by))
    if args.format != "table":
        emit(history, args.format)
    else:
        shown = ["study", *(["source"] if "source" in history else []), "number", "state"]
        shown += ["elapsed_s"] if args.by == "time" else []
        shown += ["value", "best_value", "new_best"]
        title = f"history by {'completion time' if args.by == 'time' else 'trial number'}"
        emit(
            history[shown],
            "table",
            config.digits,
            title=f"{title}: {plural(len(history), 'trial')}",
        )
    names = campaign.studies.set_index("study_id")["study"]
    for study_id in multi_objective(campaign, ids):
        print(
            f"hpo-tui: note: {printable(str(names[study_id]))} is multi-objective: "
            "no single best, left out",
            file=sys.stderr,
        )
    return 0
