"""Commands that open the TUI: ``open`` (the default command), ``demo`` and ``serve``.

Textual is imported only when the TUI starts, so the other commands (and ``--version``)
never load it.
"""

from __future__ import annotations

import argparse
import sys

from hpo_tui.cli.args import Subparsers, add_sources, add_tui_watch
from hpo_tui.cli.common import resolve_specs
from hpo_tui.cli.serve import DEFAULT_HOST, DEFAULT_PORT
from hpo_tui.cli.tables import run_summary
from hpo_tui.core.config import Config

DEFAULT_COMMAND = "open"
"""What ``hpo-tui SOURCE...`` and a bare ``hpo-tui`` run."""


def add_parser(subparsers: Subparsers) -> None:
    """The TUI commands, each with its handler (``args.run``)."""
    for add in (_add_open, _add_demo, _add_serve):
        add(subparsers)


def _add_open(subparsers: Subparsers) -> None:
    open_cmd = subparsers.add_parser(
        DEFAULT_COMMAND, help="open the TUI on SOURCEs (the default command)"
    )
    add_sources(open_cmd)
    add_tui_watch(open_cmd)
    open_cmd.set_defaults(run=run_open)


def run_open(args: argparse.Namespace, config: Config) -> int:
    """The TUI on the sources (checked first: a bad one is one line and exit 2, no TUI)."""
    from hpo_tui.core.storage.sources import resolve_sources

    specs = resolve_specs(args.sources, config)
    resolve_sources(specs)  # a missing or unrecognised file: one line and exit 2, no TUI
    try:
        from hpo_tui.tui.app import run_app
    except ImportError:  # the TUI is not built yet: print the summary instead
        args.sources = specs
        return _print_summary(args, config)
    return run_app(specs, config, watch_seconds=getattr(args, "watch", 5.0))


def _add_demo(subparsers: Subparsers) -> None:
    demo = subparsers.add_parser("demo", help="build (once) and open the demo campaign")
    demo.add_argument("--rebuild", action="store_true", help="build the demo storage again")
    demo.add_argument(
        "--print", dest="print_only", action="store_true", help="print the summary and exit"
    )
    add_tui_watch(demo)
    demo.set_defaults(run=run_demo)


def run_demo(args: argparse.Namespace, config: Config) -> int:
    """Build the demo storage when it is missing (or ``--rebuild``), then open or print it."""
    from hpo_tui.core.display import plural
    from hpo_tui.demo import build_demo_storage, demo_storage_path

    path = demo_storage_path()
    if args.rebuild or not path.exists():
        print(f"hpo-tui: building the demo campaign in {path} (real Optuna runs)…", file=sys.stderr)

        def progress(done: int, total: int) -> None:
            if sys.stderr.isatty():
                print(f"\r  {done}/{plural(total, 'trial')}", end="", file=sys.stderr, flush=True)

        build_demo_storage(path, progress=progress)
        if sys.stderr.isatty():
            print(file=sys.stderr)
    args.sources = [str(path)]
    if args.print_only:
        return _print_summary(args, config)
    return run_open(args, config)


def _print_summary(args: argparse.Namespace, config: Config) -> int:
    """``hpo-tui summary`` of ``args.sources``, printed once as a table."""
    args.format = "table"
    args.digits = config.digits
    args.metrics = []
    args.watch = None  # --watch of the TUI is its auto-refresh, not a print loop
    return run_summary(args, config)


def _add_serve(subparsers: Subparsers) -> None:
    serve = subparsers.add_parser(
        "serve", help="the TUI in a web browser (textual-serve; one session per browser tab)"
    )
    add_sources(serve)
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only)",
    )
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT})"
    )
    serve.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help="the address browsers use, when not http://HOST:PORT (a proxy or a tunnel)",
    )
    add_tui_watch(serve)
    serve.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace, config: Config) -> int:
    """The TUI served to web browsers (sources checked first, as for ``open``)."""
    from hpo_tui.cli.serve import serve
    from hpo_tui.core.storage.sources import resolve_sources

    specs = resolve_specs(args.sources, config)
    resolve_sources(specs)  # a missing or unrecognised file: one line and exit 2, no server
    return serve(specs, args.watch, host=args.host, port=args.port, public_url=args.public_url)
