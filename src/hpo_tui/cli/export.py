"""``hpo-tui export``: the export folder (CSV, JSON, README) of the campaign."""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
from collections.abc import Iterator

from hpo_tui.cli.args import Subparsers, add_sources
from hpo_tui.cli.common import load
from hpo_tui.core.config import Config
from hpo_tui.core.export.defaults import DEFAULT_OUT


def add_parser(subparsers: Subparsers) -> None:
    """The ``export`` command and its handler (``args.run``)."""
    export = subparsers.add_parser("export", help="write outputs/analysis/ (CSV, JSON, README)")
    add_sources(export)
    export.add_argument(
        "--out", default=str(DEFAULT_OUT), help="output folder (default: %(default)s)"
    )
    export.set_defaults(run=run)


@contextlib.contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Python's cyclic collector off for the block, as it was afterwards.

    The export makes millions of short-lived containers (records, lists of curve points)
    next to the campaign's long-lived ones, and every full collection walks them all:
    measured at 24k trials, about a third of the export's time (bench/export_phases.py
    --gc). Its records hold no reference cycles (a few hundred cyclic objects are left at
    the end, from imports). Process-wide, hence here at the command's entry point and not
    in the library.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run(args: argparse.Namespace, config: Config) -> int:
    """Write the export folder, printing each file's path; exit 130 on Ctrl-C, the previous
    folder intact."""
    from hpo_tui.cli.render import export_progress
    from hpo_tui.core.display import printable
    from hpo_tui.core.export.writer import write_export

    campaign = load(args.sources, config)

    try:
        with export_progress() as progress, _without_cyclic_gc():
            paths = write_export(campaign, args.out, progress=progress)
    except KeyboardInterrupt:
        # write_export only swaps the new files in once all are written.
        print(
            f"hpo-tui: export interrupted: {printable(str(args.out))} is unchanged "
            "(the previous export, if any, is intact)",
            file=sys.stderr,
        )
        return 130
    for path in paths:
        print(path)
    return 0
