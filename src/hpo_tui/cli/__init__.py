"""Command line: ``hpo-tui [SOURCE...]`` opens the TUI; subcommands work headless.

Every subcommand calls the same core functions as the TUI. Errors the user can act on are
one line on stderr and exit code 2; nothing is written.

How the package is laid out:

- ``parser.py``: ``COMMAND_MODULES``, the list of command modules, and the parser built
  from it; the checks of flags against ``--format``; the default command (``open``).
- one module per theme of commands: ``tables.py`` (summary, grid, diverged, space,
  importance, methods, trial), ``export.py`` (export), ``verify.py`` (verify), ``tui.py``
  (open, demo, serve);
- ``args.py``: arguments several commands share (sources, ``--digits``, ``--watch``, bounded
  numbers);
- ``studies.py`` and ``study_select.py``: ``--study`` of the commands about one study and of
  those that show a few, and what those print around their table;
- ``common.py``: what commands share when they run (load the sources, print a frame in the
  chosen format, its readable columns only in table/markdown/latex, the ``--watch`` loop);
- ``render.py`` (Rich tables on a terminal) and ``serve.py`` (textual-serve).

Adding a command is a new module plus one line. The module defines::

    def add_parser(subparsers: Subparsers) -> None:   # Subparsers: from hpo_tui.cli.args
        history = subparsers.add_parser("history", help="...")
        add_sources(history)                           # and its own flags
        history.set_defaults(run=run)                  # the handler: required

    def run(args: argparse.Namespace, config: Config) -> int:   # the exit code
        campaign = load(args.sources, config)          # from hpo_tui.cli.common
        ...

and its name goes into ``COMMAND_MODULES`` in ``parser.py``. A module may add several
commands, each with its own handler. ``main`` loads the config, fills ``--digits`` from it,
calls ``args.run`` and turns an :class:`~hpo_tui.core.errors.HpoTuiError` into one line and
exit code 2. Import Textual, Rich and heavy core modules inside handlers, not at the top, so
``hpo-tui --version`` and the other commands stay quick.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence

from hpo_tui.cli.memory import tune_memory_if_wanted
from hpo_tui.cli.parser import build_parser, check_flags, parse_args
from hpo_tui.core.config import load_config
from hpo_tui.core.errors import HpoTuiError

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``hpo-tui`` console script and ``python -m hpo_tui``."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    tune_memory_if_wanted()  # opt-in, for this process only (see cli/memory.py)
    warnings.filterwarnings("ignore", module="optuna")
    try:
        check_flags(args)
        config = load_config()
        if getattr(args, "digits", 0) is None:
            args.digits = config.digits
        return int(args.run(args, config))
    except HpoTuiError as exc:
        print(f"hpo-tui: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("hpo-tui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
