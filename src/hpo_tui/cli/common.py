"""What commands share when they run: sources to a campaign, a frame to stdout, ``--watch``.

Every function here is UI-free apart from ``emit``'s table format, which prints through
Rich (:mod:`hpo_tui.cli.render`, imported on use).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from hpo_tui.core.config import Config
from hpo_tui.core.errors import HpoTuiError

if TYPE_CHECKING:
    import pandas as pd

    from hpo_tui.core.model.campaign import Campaign


def resolve_specs(sources: Sequence[str], config: Config) -> list[str]:
    """Sources from the command line, else ``$HPO_TUI_STORAGE`` (one per line), else the
    config file."""
    if sources:
        return list(sources)
    env = [line.strip() for line in os.environ.get("HPO_TUI_STORAGE", "").splitlines()]
    if any(env):
        return [line for line in env if line]
    if config.storage:
        return list(config.storage)
    raise HpoTuiError("no storage given: pass a SOURCE, set HPO_TUI_STORAGE, or try `hpo-tui demo`")


def report_warnings(messages: Sequence[str]) -> None:
    """Each message as a ``hpo-tui: warning:`` line on stderr."""
    for message in messages:
        print(f"hpo-tui: warning: {message}", file=sys.stderr)


def load(sources: Sequence[str], config: Config) -> Campaign:
    """The campaign of ``sources`` (see :func:`resolve_specs`), its warnings on stderr."""
    from hpo_tui.core.model.campaign import load_campaign

    campaign = load_campaign(resolve_specs(sources, config), config)
    report_warnings(campaign.warnings)
    return campaign


def emit(frame: pd.DataFrame, fmt: str, digits: int = 4, title: str | None = None) -> None:
    """``frame`` on stdout as ``fmt`` (one of ``TABLE_FORMATS``); ``digits`` and ``title``
    apply to the formats for reading."""
    from hpo_tui.core.export.formats import markup as tables
    from hpo_tui.core.export.formats.csv import frame_to_csv
    from hpo_tui.core.export.formats.grid import frame_json

    if fmt == "csv":
        sys.stdout.write(frame_to_csv(frame))
    elif fmt == "json":
        sys.stdout.write(frame_json(frame))
    elif fmt == "markdown":
        sys.stdout.write(tables.frame_markdown(frame, digits))
    elif fmt == "latex":
        sys.stdout.write(tables.frame_latex(frame, digits))
    else:
        from hpo_tui.cli.render import print_table

        print_table(frame, title=title, digits=digits)


def emit_readable(
    frame: pd.DataFrame,
    args: argparse.Namespace,
    shown: Sequence[str],
    title: str,
    note: str | None = None,
) -> None:
    """``frame`` in ``args.format``: csv and json hold every column; table, markdown and
    latex show the ``shown`` columns to ``args.digits`` significant digits, under ``title``;
    a table is followed by ``note``, a line on what its columns mean."""
    if args.format in ("csv", "json"):
        emit(frame, args.format)
        return
    emit(frame[list(shown)], args.format, args.digits, title=title)
    if note is not None and args.format == "table":
        print(note)


def columns_without(columns: Sequence[str], *left_out: str) -> list[str]:
    """``columns`` in their order, but for ``left_out``."""
    return [column for column in columns if column not in left_out]


def watch(args: argparse.Namespace, config: Config, show: Callable[[Campaign], None]) -> int:
    """Print, then refresh every ``args.watch`` seconds, always, and print again on each
    change. A failed refresh is reported once and the watch goes on."""
    import time
    from datetime import datetime

    from hpo_tui.core.model.live import LiveCampaign

    live = LiveCampaign(resolve_specs(args.sources, config), config)
    report_warnings(live.campaign.warnings)
    in_place = sys.stdout.isatty()
    what = "loaded"
    failure = ""
    try:
        while True:
            stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
            if in_place:
                sys.stdout.write("\x1b[H\x1b[2J")  # home + clear: reprint in place
            print(f"# {stamp} · {what}", flush=True)
            show(live.campaign)
            sys.stdout.flush()
            while True:
                time.sleep(args.watch)
                try:
                    summary = live.refresh()
                except HpoTuiError as exc:  # e.g. a file moved away or a server restarting
                    if str(exc) != failure:  # said once, not at every check
                        failure = str(exc)
                        report_warnings([f"{failure} (still watching)"])
                    continue
                failure = ""
                report_warnings(summary.warnings)
                if summary.changed:
                    what = summary.describe()
                    break
    except KeyboardInterrupt:
        return 0


def sources_text(campaign: Campaign) -> str:
    """The campaign's sources as the user named them (passwords masked), for messages."""
    from hpo_tui.core.display import printable

    return ", ".join(printable(s.display) for s in campaign.sources)
