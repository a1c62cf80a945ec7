"""``hpo-tui pareto``: a study's Pareto front, or its hypervolume history."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hpo_tui.cli.args import Subparsers
    from hpo_tui.core.config import Config


def add_parser(subparsers: Subparsers) -> None:
    """The ``pareto`` subcommand."""
    from hpo_tui.cli.args import add_sources
    from hpo_tui.cli.studies import add_format_options, add_study_option

    parser = subparsers.add_parser(
        "pareto",
        help="a study's Pareto front (as study.best_trials), or its hypervolume history",
        description="The trials on the Pareto front of a study, as Optuna's study.best_trials: "
        "COMPLETE trials no other dominates; in a constrained study only feasible ones. "
        "With --reference-point, the hypervolume after each COMPLETE trial instead.",
    )
    add_sources(parser)
    parser.set_defaults(run=run)
    add_study_option(parser)
    parser.add_argument(
        "--objectives",
        nargs="+",
        type=int,
        metavar="I",
        default=None,
        help="the objectives to show, by index from 0, in this order (default: all); the "
        "front is always over every objective",
    )
    parser.add_argument(
        "--all",
        dest="all_trials",
        action="store_true",
        help="every COMPLETE trial, each with its on_front flag, not only the front",
    )
    parser.add_argument(
        "--reference-point",
        metavar="X,Y,…",
        default=None,
        help="print the hypervolume history up to this point, one number per objective in "
        "the objectives' own directions",
    )
    add_format_options(parser)


def run(args: argparse.Namespace, config: Config) -> int:
    """Print the front (or the hypervolume history)."""
    from hpo_tui.cli.common import emit
    from hpo_tui.cli.studies import load_study
    from hpo_tui.core.analysis.pareto import (
        hypervolume_history,
        objectives_of,
        pareto_table,
        parse_reference_point,
    )
    from hpo_tui.core.display import plural, printable
    from hpo_tui.core.errors import HpoTuiError

    campaign, study_id, digits = load_study(args, config)
    objectives = objectives_of(campaign, study_id)
    name = printable(args.study)
    if len(objectives) < 2:
        raise HpoTuiError(
            f"study {printable(repr(args.study))} has one objective: its front is its best "
            "trial (`hpo-tui summary`)"
        )
    if args.reference_point is not None:
        point = parse_reference_point(args.reference_point, len(objectives))
        history = hypervolume_history(campaign, study_id, point)
        shown = ", ".join(f"{n} = {v!r}" for n, v in zip(objectives.names, point, strict=True))
        emit(history, args.format, digits, title=f"{name}: hypervolume up to ({shown})")
        return 0
    table = pareto_table(
        campaign,
        study_id,
        tuple(args.objectives) if args.objectives else None,
        all_trials=args.all_trials,
    )
    if args.all_trials:
        what = plural(len(table), "COMPLETE trial")
    else:
        what = f"{plural(len(table), 'trial')} on the Pareto front"
    directions = ", ".join(objectives.label(i) for i in range(len(objectives)))
    emit(table, args.format, digits, title=f"{name}: {what} ({directions})")
    return 0
