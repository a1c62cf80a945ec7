"""``hpo-tui grid --ci``: bootstrap intervals per cell and the cells tied with the best
(``hpo_tui.core.analysis.grid_ci``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from hpo_tui.core.errors import HpoTuiError

if TYPE_CHECKING:
    from hpo_tui.core.analysis.grid import Grid
    from hpo_tui.core.model.campaign import Campaign


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--ci``, ``--resamples`` and ``--seed`` on the ``grid`` subcommand."""
    from hpo_tui.cli.args import checked_number
    from hpo_tui.core.analysis.defaults import DEFAULT_RESAMPLES, DEFAULT_SEED

    parser.add_argument(
        "--ci",
        action="store_true",
        help="95%% bootstrap interval per cell (metrics best, median, top5_mean); every cell "
        "whose interval overlaps the best cell's is marked as tied with it",
    )
    parser.add_argument(
        "--resamples",
        type=checked_number(int, lambda n: 1 <= n <= 1_000_000, "must be between 1 and 1000000"),
        default=None,
        metavar="B",
        help=f"bootstrap resamples per cell with --ci (default {DEFAULT_RESAMPLES})",
    )
    parser.add_argument(
        "--seed",
        type=checked_number(int, lambda n: n >= 0, "must be 0 or more"),
        default=None,
        help=f"bootstrap seed with --ci (default {DEFAULT_SEED})",
    )


def check(args: argparse.Namespace) -> None:
    """Refuse ``--resamples``/``--seed`` without ``--ci``, and ``--ci`` with a metric that
    has no interval (before anything is read).

    Raises:
        HpoTuiError: naming the flag.
    """
    from hpo_tui.core.analysis.grid_ci import CI_METRICS

    for flag, value in (("--resamples", args.resamples), ("--seed", args.seed)):
        if value is not None and not args.ci:
            raise HpoTuiError(f"{flag} applies to bootstrap intervals: add --ci")
    if args.ci and args.metric not in CI_METRICS:
        raise HpoTuiError(
            f"--ci applies to --metric {', '.join(CI_METRICS)}, not {args.metric} "
            "(an interval resamples a cell's trial values)"
        )


def apply(args: argparse.Namespace, campaign: Campaign, grids: list[Grid]) -> list[Grid]:
    """``grids`` with their intervals when ``--ci`` was given."""
    if not args.ci:
        return grids
    from hpo_tui.core.analysis.grid_ci import (
        DEFAULT_RESAMPLES,
        DEFAULT_SEED,
        Bootstrap,
        IntervalCache,
        with_intervals,
    )

    bootstrap = Bootstrap(
        resamples=DEFAULT_RESAMPLES if args.resamples is None else args.resamples,
        seed=DEFAULT_SEED if args.seed is None else args.seed,
    )
    # Kept on ``args`` across --watch reprints: only the cells that changed are resampled.
    cache = getattr(args, "interval_cache", None) or IntervalCache()
    args.interval_cache = cache
    return [with_intervals(campaign, grid, bootstrap, cache) for grid in grids]
