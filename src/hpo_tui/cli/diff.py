"""``hpo-tui diff``: what changed between two export folders (``hpo_tui.core.export.diff``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hpo_tui.cli.args import Subparsers
    from hpo_tui.core.config import Config

# The readable tables (table, markdown, latex) leave out what is the same in every row.
TABLE = [
    "study",
    "status",
    "best_old",
    "best_trial_old",
    "best_new",
    "best_trial_new",
    "added_complete",
    "added_pruned",
    "added_fail",
    "n_newly_diverged",
    "newly_diverged",
    "counts_changed",
]


def add_parser(subparsers: Subparsers) -> None:
    """Add ``diff`` to the CLI's subcommands."""
    from hpo_tui.cli.args import TABLE_FORMATS, add_digits

    parser = subparsers.add_parser(
        "diff",
        help="what changed between two export folders: best per study, trials added, "
        "newly diverged trials, changed counts",
    )
    parser.add_argument("old", metavar="OLD_EXPORT", help="the earlier export folder")
    parser.add_argument("new", metavar="NEW_EXPORT", help="the later export folder")
    parser.add_argument("--format", choices=TABLE_FORMATS, default="table")
    parser.add_argument("--all", action="store_true", help="also the studies where nothing changed")
    add_digits(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, config: Config) -> int:
    """Print one row per study that changed (every study with ``--all``)."""
    from hpo_tui.cli.common import emit_readable
    from hpo_tui.core.display import plural
    from hpo_tui.core.export.diff import diff_exports, read_export

    frame = diff_exports(read_export(args.old), read_export(args.new))
    changed = (
        (frame["status"] != "both")
        | frame["best_changed"]
        | (frame["counts_changed"] != "")
        | (frame["state_changed"] != "")
    )
    emit_readable(
        frame if args.all else frame[changed].reset_index(drop=True),
        args,
        shown=TABLE,
        title=f"changes · {plural(int(changed.sum()), 'study')} of {len(frame)} changed",
    )
    return 0
