"""``hpo-tui bands``: where the top k % of a study's trials sit in each param."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hpo_tui.cli.args import Subparsers
    from hpo_tui.core.config import Config


def add_parser(subparsers: Subparsers) -> None:
    """The ``bands`` subcommand."""
    from hpo_tui.cli.args import add_sources, checked_number
    from hpo_tui.cli.studies import add_format_options, add_objective_option, add_study_option
    from hpo_tui.core.analysis.defaults import DEFAULT_TOP_PERCENT

    parser = subparsers.add_parser(
        "bands",
        help="parallel coordinates as numbers: each param in the top k %% of a study's "
        "trials against all of them",
        description="Each param's min, quartiles and max (counts per choice for a "
        "categorical param) in the best k %% of the COMPLETE trials and in all of them.",
    )
    add_sources(parser)
    parser.set_defaults(run=run)
    add_study_option(parser)
    parser.add_argument(
        "--top",
        type=checked_number(float, lambda p: 0 < p <= 100, "must be above 0 and at most 100"),
        default=DEFAULT_TOP_PERCENT,
        metavar="PERCENT",
        help="the share of best trials (default: %(default)g)",
    )
    add_objective_option(parser, "rank by this objective of a multi-objective study (default: 0)")
    parser.add_argument(
        "--trials",
        action="store_true",
        help="the top trials themselves, best first, with their params (the TUI's strip)",
    )
    add_format_options(parser)


def run(args: argparse.Namespace, config: Config) -> int:
    """Print the bands (or the top trials)."""
    from hpo_tui.cli.common import emit
    from hpo_tui.cli.studies import load_study
    from hpo_tui.core.analysis.bands import check_objective, param_bands, top_trials
    from hpo_tui.core.display import plural, printable

    campaign, study_id, digits = load_study(args, config)
    objectives = check_objective(campaign, study_id, args.objective)
    by = objectives.label(args.objective)
    name = printable(args.study)
    if args.trials:
        table = top_trials(campaign, study_id, args.top, args.objective)
        title = f"{name}: top {args.top:g} % by {by}, {plural(len(table), 'trial')}"
    else:
        table = param_bands(campaign, study_id, args.top, args.objective)
        title = f"{name}: each param in the top {args.top:g} % by {by} and in all trials"
    emit(table, args.format, digits, title=title)
    return 0
