"""``hpo-tui history``: each trial's objective value and the running best, per study."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hpo_tui.cli.args import Subparsers
    from hpo_tui.core.config import Config


def add_parser(subparsers: Subparsers) -> None:
    from hpo_tui.cli.args import VIEW_FORMATS, add_sources
    from hpo_tui.cli.study_select import add_study_option

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
    parser.add_argument("--format", choices=VIEW_FORMATS, default="table")


def run(args: argparse.Namespace, config: Config) -> int:
    from hpo_tui.cli.common import emit, load
    from hpo_tui.cli.study_select import note_multi_objective, selected_studies, with_source
    from hpo_tui.core.analysis.history import optimization_history
    from hpo_tui.core.display import plural

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
    note_multi_objective(campaign, ids, "no single best, left out")
    return 0
