"""``hpo-tui contour``: the best objective value per cell of two params."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hpo_tui.cli.args import Subparsers
    from hpo_tui.core.config import Config


def add_parser(subparsers: Subparsers) -> None:
    """The ``contour`` subcommand."""
    from hpo_tui.cli.args import add_sources
    from hpo_tui.cli.studies import add_format_options, add_objective_option, add_study_option
    from hpo_tui.core.analysis.defaults import DEFAULT_BINS

    parser = subparsers.add_parser(
        "contour",
        help="the best objective value per cell of two params, drawn in glyphs",
        description="Bins each param's search space (log bins for a log param, one per "
        "choice or integer) and gives the best value of the COMPLETE trials in each cell. "
        "The table format draws it in glyph density, with a legend; csv and json give the "
        "cells.",
    )
    add_sources(parser)
    parser.set_defaults(run=run)
    add_study_option(parser)
    parser.add_argument(
        "--params", nargs=2, required=True, metavar=("X", "Y"), help="the two params"
    )
    parser.add_argument(
        "--bins",
        nargs=2,
        type=int,
        default=(DEFAULT_BINS, DEFAULT_BINS),
        metavar=("NX", "NY"),
        help="bins along each param (default: %(default)s; a categorical param has one per choice)",
    )
    add_objective_option(parser, "the objective of a multi-objective study (default: 0)")
    add_format_options(parser)


def run(args: argparse.Namespace, config: Config) -> int:
    """Print the picture, or the cells."""
    from hpo_tui.cli.common import emit
    from hpo_tui.cli.studies import load_study
    from hpo_tui.core.analysis.contour import contour, contour_lines
    from hpo_tui.core.display import display_number, plural, printable

    campaign, study_id, digits = load_study(args, config)
    x, y = args.params
    result = contour(campaign, study_id, x, y, tuple(args.bins), args.objective)
    if args.format != "table":
        emit(result.cells, args.format)
        return 0
    lines = [printable(line) for line in contour_lines(result)]
    lines.insert(0, printable(args.study))
    cells = result.cells
    summary = (
        f"{plural(result.n_trials, 'trial')} in {plural(len(cells), 'cell')} of "
        f"{result.x.n_bins} × {result.y.n_bins}"
    )
    if result.n_without:
        summary += f"; {plural(result.n_without, 'trial')} without both params left out"
    best = result.best_cell()
    if best is not None:
        summary += (
            f"; best {display_number(best['best_value'], digits)} "
            f"(trial {int(best['best_number'])}) at {printable(str(best['x_label']))} × "
            f"{printable(str(best['y_label']))}"
        )
    lines.append(summary)
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
