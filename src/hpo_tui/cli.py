"""Command line: ``hpo-tui [SOURCE...]`` opens the TUI; subcommands work headless.

Every subcommand calls the same core functions as the TUI. Errors the user can act on are
one line on stderr and exit code 2; nothing is written.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

from hpo_tui import __version__
from hpo_tui.core.config import Config, load_config
from hpo_tui.core.errors import HpoTuiError

if TYPE_CHECKING:
    from hpo_tui.core.campaign import Campaign

SUBCOMMANDS = ("summary", "demo", "open")


def _add_sources(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help="SQLite file, sqlite:/// URL, postgresql:// or mysql+pymysql:// URL, "
        "JournalStorage log file, or a directory of them (default: $HPO_TUI_STORAGE or the "
        "config's storage)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the docs and the tests)."""
    parser = argparse.ArgumentParser(
        prog="hpo-tui",
        description="Explore Optuna hyperparameter-optimization campaigns in the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"hpo-tui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    open_cmd = sub.add_parser("open", help="open the TUI on SOURCEs (the default command)")
    _add_sources(open_cmd)

    summary = sub.add_parser("summary", help="one row per study")
    _add_sources(summary)
    summary.add_argument("--format", choices=("table", "csv"), default="table")

    demo = sub.add_parser("demo", help="build (once) and open the demo campaign")
    demo.add_argument("--rebuild", action="store_true", help="build the demo storage again")
    demo.add_argument(
        "--print", dest="print_only", action="store_true", help="print the summary and exit"
    )
    return parser


def resolve_specs(sources: Sequence[str], config: Config) -> list[str]:
    """Sources from the command line, else ``$HPO_TUI_STORAGE``, else the config file."""
    if sources:
        return list(sources)
    env = os.environ.get("HPO_TUI_STORAGE", "").strip()
    if env:
        return [env]
    if config.storage:
        return list(config.storage)
    raise HpoTuiError("no storage given: pass a SOURCE, set HPO_TUI_STORAGE, or try `hpo-tui demo`")


def _report_warnings(messages: Sequence[str]) -> None:
    for message in messages:
        print(f"hpo-tui: warning: {message}", file=sys.stderr)


def _load(sources: Sequence[str], config: Config) -> Campaign:
    from hpo_tui.core.campaign import load_campaign

    campaign = load_campaign(resolve_specs(sources, config), config)
    _report_warnings(campaign.warnings)
    return campaign


def cmd_summary(args: argparse.Namespace, config: Config) -> int:
    from hpo_tui.core.summary import study_summary
    from hpo_tui.render import print_table

    campaign = _load(args.sources, config)
    table = study_summary(campaign)
    if args.format == "csv":
        from hpo_tui.core.formats import frame_to_csv

        sys.stdout.write(frame_to_csv(table))
    else:
        print_table(table, title=f"{len(table)} studies")
    return 0


def cmd_demo(args: argparse.Namespace, config: Config) -> int:
    from hpo_tui.core.demo import build_demo_storage, demo_storage_path

    path = demo_storage_path()
    if args.rebuild or not path.exists():
        print(f"hpo-tui: building the demo campaign in {path} (real Optuna runs)…", file=sys.stderr)

        def progress(done: int, total: int) -> None:
            if sys.stderr.isatty():
                print(f"\r  {done}/{total} trials", end="", file=sys.stderr, flush=True)

        build_demo_storage(path, progress=progress)
        if sys.stderr.isatty():
            print(file=sys.stderr)
    args.sources = [str(path)]
    if args.print_only:
        args.format = "table"
        return cmd_summary(args, config)
    return cmd_open(args, config)


def cmd_open(args: argparse.Namespace, config: Config) -> int:
    specs = resolve_specs(args.sources, config)
    try:
        from hpo_tui.tui.app import run_app
    except ImportError:  # the TUI is not built yet: print the summary instead
        args.sources = specs
        args.format = "table"
        return cmd_summary(args, config)
    return run_app(specs, config)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``hpo-tui`` console script and ``python -m hpo_tui``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and not argv[0].startswith("-") and argv[0] not in SUBCOMMANDS:
        argv = ["open", *argv]
    elif not argv:
        argv = ["open"]
    parser = build_parser()
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", module="optuna")
    handlers = {"summary": cmd_summary, "demo": cmd_demo, "open": cmd_open}
    try:
        config = load_config()
        return handlers[args.command](args, config)
    except HpoTuiError as exc:
        print(f"hpo-tui: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("hpo-tui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
