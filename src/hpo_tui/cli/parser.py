"""The argument parser, built from the list of command modules, and the checks run on it.

:data:`COMMAND_MODULES` is the registry: ``build_parser`` asks each module, in this order,
to add its subcommands (the order of ``hpo-tui --help``). See :mod:`hpo_tui.cli` for what a
command module holds.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from hpo_tui import __version__
from hpo_tui.cli import (
    bands,
    contour,
    diff,
    edf,
    export,
    history,
    pareto,
    pruning,
    tables,
    timeline,
    transfer,
    tui,
    verify,
)
from hpo_tui.cli.args import DIGITS_FORMATS
from hpo_tui.core.errors import HpoTuiError

COMMAND_MODULES = (
    tui,
    tables,
    history,
    edf,
    timeline,
    pareto,
    bands,
    contour,
    pruning,
    transfer,
    export,
    verify,
    diff,
)

# Flags that only some formats can honour: dest -> (flag, the formats honouring it). Every
# other flag is honoured by every format its command accepts (``--watch`` with csv/json
# appends a ``# time`` line and the table per change, as with the other formats on a pipe).
_FORMAT_BOUND_FLAGS = {"digits": ("--digits", DIGITS_FORMATS)}


def build_commands() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The parser, and each command's subparser by name."""
    parser = argparse.ArgumentParser(
        prog="hpo-tui",
        description="Explore Optuna hyperparameter-optimization campaigns in the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"hpo-tui {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.add_parser(subparsers)
    return parser, dict(subparsers.choices)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the docs and the tests)."""
    return build_commands()[0]


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse a command line; one that does not start with a command opens the TUI
    (``hpo-tui study.db`` is ``hpo-tui open study.db``, ``hpo-tui`` is ``hpo-tui open``).

    Exits (argparse's usage message, code 2) on a command line it cannot parse.
    """
    parser, commands = build_commands()
    argv = list(argv)
    if not argv or (not argv[0].startswith("-") and argv[0] not in commands):
        argv = [tui.DEFAULT_COMMAND, *argv]
    return parser.parse_args(argv)


def check_flags(args: argparse.Namespace) -> None:
    """Refuse a flag the chosen format cannot honour (before anything is read).

    Raises:
        HpoTuiError: naming the flag and the format.
    """
    fmt = getattr(args, "format", None)
    for dest, (flag, formats) in _FORMAT_BOUND_FLAGS.items():
        if getattr(args, dest, None) is None or fmt is None or fmt in formats:
            continue
        raise HpoTuiError(
            f"{flag} has no meaning with --format {fmt} (it applies to {', '.join(formats)})"
        )
