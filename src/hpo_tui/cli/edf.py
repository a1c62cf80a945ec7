"""``hpo-tui edf``: the empirical distribution of each study's objective values."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from hpo_tui.cli.study_select import add_study_option, selected_studies, with_source

if TYPE_CHECKING:
    from hpo_tui.core.config import Config

FORMATS = ("table", "csv", "json")


def _points(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 2 <= value <= 100_000:
        raise argparse.ArgumentTypeError("must be between 2 and 100000")
    return value


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from hpo_tui.cli.args import add_sources

    parser = subparsers.add_parser(
        "edf", help="empirical distribution of objective values (fraction of trials ≤ value)"
    )
    add_sources(parser)
    parser.set_defaults(run=run)
    add_study_option(parser)
    parser.add_argument(
        "--points",
        type=_points,
        default=None,
        metavar="N",
        help="instead of every distinct value: N evenly spaced values from the smallest to "
        "the largest of all the studies, the same for each (Optuna's plot_edf draws 100)",
    )
    parser.add_argument("--format", choices=FORMATS, default="table")


def run(args: argparse.Namespace, config: Config) -> int:
    from hpo_tui.cli.common import emit, load
    from hpo_tui.core.analysis.edf import edf, edf_on_grid
    from hpo_tui.core.analysis.history import multi_objective
    from hpo_tui.core.display import plural, printable

    campaign = load(args.sources, config)
    ids = selected_studies(campaign, args.studies)
    if args.points is None:
        table = with_source(campaign, edf(campaign, ids))
        title = f"EDF: {plural(len(table), 'distinct value')}"
    else:
        table = with_source(campaign, edf_on_grid(campaign, ids, args.points))
        title = f"EDF at {plural(args.points, 'point')}"
    emit(table, args.format, config.digits, title=title)
    names = campaign.studies.set_index("study_id")["study"]
    for study_id in multi_objective(campaign, ids):
        print(
            f"hpo-tui: note: {printable(str(names[study_id]))} is multi-objective: left out",
            file=sys.stderr,
        )
    return 0
