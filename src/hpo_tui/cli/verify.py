"""``hpo-tui verify``: re-derive an export from its storages, list every difference
(``hpo_tui.core.export.verify``). Exit 0 identical, 1 drift, 2 bad input."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hpo_tui.cli.args import Subparsers
    from hpo_tui.core.config import Config

FORMATS = ("table", "csv", "json", "markdown")


def add_parser(subparsers: Subparsers) -> None:
    """Add ``verify`` to the CLI's subcommands."""
    from hpo_tui.cli.args import checked_number
    from hpo_tui.core.export.defaults import DEFAULT_LIMIT

    parser = subparsers.add_parser(
        "verify",
        help="re-derive an export folder from the storages and list every difference "
        "(exit 0 identical, 1 drift, 2 bad input)",
    )
    parser.add_argument("export_dir", metavar="EXPORT_DIR", help="folder written by `export`")
    parser.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help="the storages, named as when exporting (default: the export's metadata.sources)",
    )
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument(
        "--max",
        dest="limit",
        type=checked_number(int, lambda n: n >= 1, "must be at least 1"),
        default=DEFAULT_LIMIT,
        metavar="N",
        help="list at most N differences (all are counted; default: %(default)s)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, config: Config) -> int:
    """Print the differences (or that there are none); 1 when there are any."""
    from hpo_tui.cli.common import emit
    from hpo_tui.core.display import plural, printable
    from hpo_tui.core.export.verify import IGNORED, read_metadata, verify_export

    sources = list(args.sources)
    if not sources:
        recorded = read_metadata(args.export_dir).get("sources")
        if not isinstance(recorded, list) or not all(isinstance(s, str) for s in recorded):
            recorded = []
        sources = recorded
    if not sources:
        from hpo_tui.core.errors import HpoTuiError

        raise HpoTuiError(f"{args.export_dir}: no SOURCE given and none recorded in the export")
    report = verify_export(args.export_dir, sources, config, args.limit)
    folder = printable(str(args.export_dir))
    if report.identical:
        if args.format == "table":
            print(
                f"identical: {folder} ({plural(len(report.files), 'file')}) re-derived from "
                f"{', '.join(printable(s) for s in sources)}; ignored: {'; '.join(IGNORED)}"
            )
        else:
            emit(report.frame(), args.format)
        return 0
    shown = len(report.differences)
    title = f"drift: {plural(report.total, 'difference')} in {folder}" + (
        f" (first {shown} shown)" if shown < report.total else ""
    )
    emit(report.frame(), args.format, title=title)
    per_file = ", ".join(f"{name}: {n}" for name, n in report.counts.items())
    # The table's footnote; with csv/json/markdown stdout holds the differences only.
    print(
        f"{title}; per file: {per_file}; ignored: {'; '.join(IGNORED)}",
        file=sys.stdout if args.format == "table" else sys.stderr,
    )
    return 1
