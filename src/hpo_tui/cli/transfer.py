"""``hpo-tui transfer``: cross-budget transfer (``hpo_tui.core.analysis.transfer``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hpo_tui.cli.args import Subparsers
    from hpo_tui.core.config import Config


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
    from hpo_tui.cli.common import columns_without, emit_readable, load
    from hpo_tui.core.analysis.transfer import PAIR_COLUMNS, PARAM_COLUMNS, transfer
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
    # The readable tables leave out study_a and study_b (the sweep, a and b name them); the
    # one per param also the sweep, the param's kind and the trial counts.
    if args.params:
        shown = columns_without(PARAM_COLUMNS, "sweep", "study_a", "study_b", "kind", "n_a", "n_b")
    else:
        shown = columns_without(PAIR_COLUMNS, "study_a", "study_b")
    emit_readable(
        frame.reset_index(drop=True),
        args,
        shown=shown,
        title=f"cross-budget transfer · {plural(len(result.pairs), 'pair')}",
        note="Spearman ρ of a and b: importance = param importances (PED-ANOVA); best_params = "
        "the two winners' params placed in their range; shared = objective of configs run "
        "in both (NaN below 3, see note). --params: where each winner's value falls in the "
        "other study (README: Cross-budget transfer)",
    )
    return 0
