"""``hpo-tui transfer``: cross-budget transfer (``hpo_tui.core.analysis.transfer``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hpo_tui.cli.args import Subparsers
    from hpo_tui.core.config import Config

# The columns of the readable tables (table, markdown, latex); csv/json hold every column.
PAIR_TABLE = [
    "sweep",
    "axis",
    "fixed",
    "a",
    "b",
    "importance_rho",
    "importance_n",
    "best_params_rho",
    "best_params_n",
    "shared_rho",
    "shared_n",
    "note",
]
PARAM_TABLE = [
    "axis",
    "fixed",
    "a",
    "b",
    "param",
    "best_a",
    "best_b",
    "best_b_percentile_in_a",
    "best_b_in_top_k_of_a",
    "best_a_percentile_in_b",
    "best_a_in_top_k_of_b",
]


def add_parser(subparsers: Subparsers) -> None:
    """Add ``transfer`` to the CLI's subcommands."""
    from hpo_tui.cli.args import TABLE_FORMATS, add_digits, add_sources

    parser = subparsers.add_parser(
        "transfer",
        help="cross-budget transfer: rank correlations between grid cells, and whether one "
        "cell's winning params rank high in another",
    )
    add_sources(parser)
    parser.add_argument("--format", choices=TABLE_FORMATS, default="table")
    parser.add_argument(
        "--params",
        action="store_true",
        help="one row per pair and param (each winner's value, its percentile and top-k "
        "membership in the other study) instead of one per pair",
    )
    parser.add_argument("--sweep", default=None, help="only the pairs of this sweep")
    add_digits(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, config: Config) -> int:
    """Print one row per pair of grid cells (or per pair and param with ``--params``)."""
    from hpo_tui.cli.common import emit, load
    from hpo_tui.core.analysis.transfer import transfer
    from hpo_tui.core.display import plural
    from hpo_tui.core.errors import HpoTuiError

    campaign = load(args.sources, config)
    result = transfer(campaign)
    frame = result.params if args.params else result.pairs
    if args.sweep is not None:
        if args.sweep not in set(result.pairs["sweep"]):
            known = ", ".join(sorted(set(result.pairs["sweep"]))) or "none"
            raise HpoTuiError(f"no sweep {args.sweep!r} with two cells to compare ({known})")
        frame = frame[frame["sweep"] == args.sweep]
    if frame.empty and not len(result.pairs):
        raise HpoTuiError(
            "no two studies of a sweep share a grid row or column: nothing to compare"
        )
    digits = args.digits if args.digits is not None else config.digits
    if args.format in ("csv", "json"):
        emit(frame.reset_index(drop=True), args.format)
        return 0
    shown = frame[PARAM_TABLE if args.params else PAIR_TABLE].reset_index(drop=True)
    what = plural(len(result.pairs), "pair")
    emit(shown, args.format, digits, title=f"cross-budget transfer · {what}")
    if args.format == "table":
        print(
            "Spearman ρ of a and b: importance = param importances (PED-ANOVA); best_params = "
            "the two winners' params placed in their range; shared = objective of configs run "
            "in both (NaN below 3, see note). --params: where each winner's value falls in the "
            "other study (README: Cross-budget transfer)"
        )
    return 0
