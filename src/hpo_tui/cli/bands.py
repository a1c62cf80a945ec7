"""``hpo-tui bands``: where the top k % of a study's trials sit in each param."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from hpo_tui.cli.studies import add_format_options, add_study_option, check_digits, study_id_named

if TYPE_CHECKING:
    from hpo_tui.core.config import Config


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 100:
        raise argparse.ArgumentTypeError("must be above 0 and at most 100")
    return value


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """The ``bands`` subcommand."""
    from hpo_tui.cli.args import add_sources
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
        type=_percent,
        default=DEFAULT_TOP_PERCENT,
        metavar="PERCENT",
        help="the share of best trials (default: %(default)g)",
    )
    parser.add_argument(
        "--objective",
        type=int,
        default=0,
        metavar="I",
        help="rank by this objective of a multi-objective study (default: 0)",
    )
    parser.add_argument(
        "--trials",
        action="store_true",
        help="the top trials themselves, best first, with their params (the TUI's strip)",
    )
    add_format_options(parser)


def run(args: argparse.Namespace, config: Config) -> int:
    """Print the bands (or the top trials)."""
    from hpo_tui.cli.common import emit, load
    from hpo_tui.core.analysis.bands import check_objective, param_bands, top_trials
    from hpo_tui.core.display import plural, printable

    digits = check_digits(args.view_digits, args.format, config.digits)
    campaign = load(args.sources, config)
    study_id = study_id_named(campaign, args.study)
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
