"""Arguments that several commands share: sources, ``--format``, ``--digits``, ``--watch``,
and :func:`checked_number`, the ``type`` of every argument that takes a bounded number.

A command module calls these from its ``add_parser`` so the same flag reads, parses and is
checked the same way in every command.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

# What ``ArgumentParser.add_subparsers`` returns; argparse names no public type for it.
Subparsers = argparse._SubParsersAction
N = TypeVar("N", int, float)  # the kind of number a checked_number argument holds

TABLE_FORMATS = ("table", "csv", "json", "markdown", "latex")
VIEW_FORMATS = ("table", "csv", "json")  # the views of the TUI (history, bands, …) as text
# The formats for reading, which round to significant digits; csv/json keep every digit.
DIGITS_FORMATS = ("table", "markdown", "latex")
DIGITS_HELP = "significant digits in table/markdown/latex (default: the config's, else 4)"


def checked_number(
    kind: Callable[[str], N], accept: Callable[[N], bool], refusal: str
) -> Callable[[str], N]:
    """An argparse ``type``: the text read as ``kind`` (``int`` or ``float``), refused with
    ``refusal`` unless ``accept(value)``; text that is no such number is refused by name."""
    what = "an integer" if kind is int else "a number"

    def parse(text: str) -> N:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None
        if not accept(value):
            raise argparse.ArgumentTypeError(refusal)
        return value

    return parse


# A number of seconds in (0, 86400].
positive = checked_number(
    float, lambda s: 0 < s <= 86_400, "must be a number of seconds between 0 and 86400"
)
# A number of significant digits in [1, 17].
digits = checked_number(int, lambda n: 1 <= n <= 17, "must be between 1 and 17")


def add_sources(parser: argparse.ArgumentParser) -> None:
    """The ``SOURCE...`` positional argument (``args.sources``, possibly empty)."""
    parser.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help="SQLite file, sqlite:/// URL, postgresql:// or mysql+pymysql:// URL, "
        "grpc://HOST:PORT (Optuna's gRPC storage proxy), JournalStorage log file, "
        "redis://HOST:PORT/DB?prefix=NAME (a JournalStorage in Redis), or a "
        "directory of them (default: $HPO_TUI_STORAGE or the config's storage)",
    )


def add_digits(parser: argparse.ArgumentParser) -> None:
    """``--digits N`` (``args.digits``; the config's when not given). Refused with a format
    outside :data:`DIGITS_FORMATS` (``hpo_tui.cli.parser.check_flags``)."""
    parser.add_argument("--digits", type=digits, default=None, help=DIGITS_HELP)


def add_tui_watch(parser: argparse.ArgumentParser) -> None:
    """``--watch SECONDS`` / ``--no-watch`` of the TUI: ``args.watch`` is a
    :class:`~hpo_tui.core.model.watch.WatchPolicy`, or ``None`` for never."""
    from hpo_tui.core.model.watch import DEFAULT_CEILING, DEFAULT_PERIOD, DEFAULT_WATCH, WatchPolicy

    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--watch",
        type=lambda text: WatchPolicy.every(positive(text)),
        default=DEFAULT_WATCH,
        metavar="SECONDS",
        help="check the storages for changes every SECONDS, always (default: every "
        f"{DEFAULT_PERIOD:g} s; after each check that finds no change while no trial is "
        f"RUNNING or WAITING the wait doubles, up to {DEFAULT_CEILING:g} s; any change or "
        f"running trial brings it back to {DEFAULT_PERIOD:g} s)",
    )
    group.add_argument(
        "--no-watch",
        dest="watch",
        action="store_const",
        const=None,
        help="never check by itself (r refreshes)",
    )


def add_cli_watch(parser: argparse.ArgumentParser) -> None:
    """``--watch SECONDS`` of a printing command (``args.watch``; ``None``: print once), run
    by :func:`hpo_tui.cli.common.watch`."""
    parser.add_argument(
        "--watch",
        type=positive,
        default=None,
        metavar="SECONDS",
        help="keep watching: check for changes every SECONDS, always (also while no trial "
        "runs); reprint in place on a terminal, append a table per change on a pipe or file "
        "(Ctrl-C stops)",
    )
