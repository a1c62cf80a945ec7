"""``hpo-tui pruning``: the pruner audit (``hpo_tui.core.analysis.pruning``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hpo_tui.cli.args import Subparsers
    from hpo_tui.core.config import Config


def top_k_fraction(text: str) -> float:
    """``10%`` or ``0.1`` as the fraction 0.1 (argparse type of ``--top-k``)."""
    body = text.strip()
    percent = body.endswith("%")
    try:
        value = float(body.rstrip("%").strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a fraction or a percentage: {text!r} (e.g. 0.1 or 10%)"
        ) from None
    if percent:
        value /= 100
    if not (0 < value <= 1):
        raise argparse.ArgumentTypeError(
            f"must be a fraction in (0, 1] or a percentage in (0, 100%], not {text!r}"
        )
    return value


def add_parser(subparsers: Subparsers) -> None:
    """Add ``pruning`` to the CLI's subcommands."""
    from hpo_tui.cli.args import TABLE_FORMATS, add_digits, add_sources

    parser = subparsers.add_parser(
        "pruning",
        help="pruner audit: where pruned trials ranked, possible false prunes, steps saved",
    )
    add_sources(parser)
    parser.add_argument("--format", choices=TABLE_FORMATS, default="table")
    parser.add_argument(
        "--top-k",
        dest="top_k",
        type=top_k_fraction,
        default=None,
        metavar="FRACTION",
        help="the top k as a fraction (0.1) or percentage (10%%) of each study's complete "
        "trials (default: 10%%, the top set of the slice view and PED-ANOVA)",
    )
    parser.add_argument(
        "--trials",
        action="store_true",
        help="one row per pruned trial instead of one per study",
    )
    add_digits(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, config: Config) -> int:
    """Print the audit: one row per study (or per pruned trial with ``--trials``)."""
    from hpo_tui.cli.common import columns_without, emit_readable, load
    from hpo_tui.core.analysis import pruning
    from hpo_tui.core.analysis.patterns import TOP_FRACTION
    from hpo_tui.core.display import plural

    fraction = TOP_FRACTION if args.top_k is None else args.top_k
    audit = pruning.pruning_audit(load(args.sources, config), fraction)
    # The readable tables leave out the top k (in the title), the direction and the full
    # step (a study's, not the trial's); csv and json hold every column.
    if args.trials:
        frame, what = audit.trials, plural(len(audit.trials), "pruned trial")
        fields = columns_without(pruning.PRUNED_TRIAL_FIELDS, "full_step")
    else:
        frame, what = audit.studies, plural(len(audit.studies), "study")
        fields = columns_without(pruning.STUDY_PRUNING_FIELDS, "direction", "top_k_fraction")
    percent = f"{fraction * 100:g} %"
    emit_readable(
        frame.drop(columns=["study_id"]),
        args,
        shown=["study", *fields],
        title=f"pruner audit · top k = {percent} · {what}",
        note=f"possible false prune: at its pruning step the trial ranked at least as well as "
        f"a COMPLETE trial that finished in the top {percent}; false_prune_estimate = "
        "n_possible_false_prune / n_assessed (README: Pruner audit)",
    )
    return 0
