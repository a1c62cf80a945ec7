"""``hpo-tui edf``: the empirical distribution of each study's objective values."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hpo_tui.cli.args import Subparsers
    from hpo_tui.core.config import Config


def add_parser(subparsers: Subparsers) -> None:
    from hpo_tui.cli.args import VIEW_FORMATS, add_sources, checked_number
    from hpo_tui.cli.study_select import add_study_option

    parser = subparsers.add_parser(
        "edf", help="empirical distribution of objective values (fraction of trials ≤ value)"
    )
    add_sources(parser)
    parser.set_defaults(run=run)
    add_study_option(parser)
    parser.add_argument(
        "--points",
        type=checked_number(int, lambda n: 2 <= n <= 100_000, "must be between 2 and 100000"),
        default=None,
        metavar="N",
        help="instead of every distinct value: N evenly spaced values from the smallest to "
        "the largest of all the studies, the same for each (Optuna's plot_edf draws 100)",
    )
    parser.add_argument("--format", choices=VIEW_FORMATS, default="table")


def run(args: argparse.Namespace, config: Config) -> int:
    from hpo_tui.cli.common import emit, load
    from hpo_tui.cli.study_select import note_multi_objective, selected_studies, with_source
    from hpo_tui.core.analysis.edf import edf, edf_on_grid
    from hpo_tui.core.display import plural

    campaign = load(args.sources, config)
    ids = selected_studies(campaign, args.studies)
    if args.points is None:
        table = with_source(campaign, edf(campaign, ids))
        title = f"EDF: {plural(len(table), 'distinct value')}"
    else:
        table = with_source(campaign, edf_on_grid(campaign, ids, args.points))
        title = f"EDF at {plural(args.points, 'point')}"
    emit(table, args.format, config.digits, title=title)
    note_multi_objective(campaign, ids, "left out")
    return 0
