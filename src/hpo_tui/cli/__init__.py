"""Command line: ``hpo-tui [SOURCE...]`` opens the TUI; subcommands work headless.

Every subcommand calls the same core functions as the TUI. Errors the user can act on are
one line on stderr and exit code 2; nothing is written.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import TYPE_CHECKING

from hpo_tui import __version__
from hpo_tui.core.analysis.grid import METRICS
from hpo_tui.core.analysis.summary import SUMMARY_METRICS
from hpo_tui.core.config import Config, load_config
from hpo_tui.core.errors import HpoTuiError
from hpo_tui.core.export.writer import DEFAULT_OUT

if TYPE_CHECKING:
    import pandas as pd

    from hpo_tui.core.model.campaign import Campaign

SUBCOMMANDS = (
    "summary",
    "grid",
    "diverged",
    "space",
    "methods",
    "importance",
    "export",
    "trial",
    "demo",
    "open",
    "serve",
    *(VIEW_COMMANDS := ("pareto", "bands", "contour")),
)
TABLE_FORMATS = ("table", "csv", "json", "markdown", "latex")
DIGITS_HELP = "significant digits in table/markdown/latex (default: the config's, else 4)"


def _add_sources(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help="SQLite file, sqlite:/// URL, postgresql:// or mysql+pymysql:// URL, "
        "grpc://HOST:PORT (Optuna's gRPC storage proxy), JournalStorage log file, or a "
        "directory of them (default: $HPO_TUI_STORAGE or the config's storage)",
    )


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (0 < value <= 86_400):
        raise argparse.ArgumentTypeError("must be a number of seconds between 0 and 86400")
    return value


def _digits(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 1 <= value <= 17:
        raise argparse.ArgumentTypeError("must be between 1 and 17")
    return value


def _add_tui_watch(parser: argparse.ArgumentParser) -> None:
    from hpo_tui.core.model.watch import DEFAULT_CEILING, DEFAULT_PERIOD, DEFAULT_WATCH, WatchPolicy

    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--watch",
        type=lambda text: WatchPolicy.every(_positive(text)),
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


def _add_cli_watch(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--watch",
        type=_positive,
        default=None,
        metavar="SECONDS",
        help="keep watching: check for changes every SECONDS, always (also while no trial "
        "runs); reprint in place on a terminal, append a table per change on a pipe or file "
        "(Ctrl-C stops)",
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
    _add_tui_watch(open_cmd)

    summary = sub.add_parser("summary", help="one row per study")
    _add_sources(summary)
    summary.add_argument("--format", choices=TABLE_FORMATS, default="table")
    summary.add_argument(
        "--digits",
        type=_digits,
        default=None,
        help=DIGITS_HELP,
    )
    summary.add_argument(
        "--metric",
        dest="metrics",
        action="append",
        choices=SUMMARY_METRICS,
        default=[],
        metavar="METRIC",
        help="append a per-study metric column (repeatable): " + ", ".join(SUMMARY_METRICS),
    )
    _add_cli_watch(summary)

    grid = sub.add_parser("grid", help="the budget × horizon grid of one metric")
    _add_sources(grid)
    grid.add_argument("--format", choices=TABLE_FORMATS, default="table")
    grid.add_argument("--metric", choices=METRICS, default="best")
    grid.add_argument(
        "--sweep",
        metavar="NAME",
        help="only this sweep's grid (a sweep is the part of the study names outside the axes; "
        "default: one table per sweep)",
    )
    grid.add_argument(
        "--digits",
        type=_digits,
        default=None,
        help=DIGITS_HELP,
    )
    _add_cli_watch(grid)

    diverged = sub.add_parser("diverged", help="the diverged trials, with reason and step")
    _add_sources(diverged)
    diverged.add_argument("--format", choices=("table", "csv", "json"), default="table")

    space = sub.add_parser("space", help="the search space from the stored distributions")
    _add_sources(space)
    space.add_argument("--format", choices=("table", "markdown", "latex", "csv"), default="table")
    space.add_argument(
        "--per-study", action="store_true", help="one row per study and distribution"
    )

    methods = sub.add_parser("methods", help="a methodology summary for a paper appendix")
    _add_sources(methods)
    methods.add_argument("--format", choices=("markdown", "latex"), default="markdown")

    importance = sub.add_parser(
        "importance", help="parameter importance per study (params × studies)"
    )
    _add_sources(importance)
    importance.add_argument(
        "--method",
        choices=("ped_anova", "fanova"),
        default="ped_anova",
        help="Optuna importance evaluator (default: %(default)s; fanova needs scikit-learn)",
    )
    importance.add_argument(
        "--format", choices=("table", "markdown", "latex", "csv"), default="table"
    )
    importance.add_argument(
        "--digits",
        type=_digits,
        default=None,
        help=DIGITS_HELP,
    )

    trial = sub.add_parser(
        "trial", help="one trial in full: state, values, params, attrs, datetimes, divergence"
    )
    _add_sources(trial)
    trial.add_argument("--study", required=True, metavar="NAME", help="the study's name")
    trial.add_argument(
        "--number", required=True, type=int, metavar="N", help="the trial number in the study"
    )
    trial.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table: every value at full precision; json: the trial's record of hpo_full.json",
    )

    export = sub.add_parser("export", help="write outputs/analysis/ (CSV, JSON, README)")
    _add_sources(export)
    export.add_argument(
        "--out", default=str(DEFAULT_OUT), help="output folder (default: %(default)s)"
    )

    demo = sub.add_parser("demo", help="build (once) and open the demo campaign")
    demo.add_argument("--rebuild", action="store_true", help="build the demo storage again")
    demo.add_argument(
        "--print", dest="print_only", action="store_true", help="print the summary and exit"
    )
    _add_tui_watch(demo)

    from hpo_tui.cli.serve import DEFAULT_HOST, DEFAULT_PORT

    serve = sub.add_parser(
        "serve", help="the TUI in a web browser (textual-serve; one session per browser tab)"
    )
    _add_sources(serve)
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
    _add_tui_watch(serve)
    for command in VIEW_COMMANDS:  # one module each: add_parser(sub) and run(args, config)
        import_module(f"hpo_tui.cli.{command}").add_parser(sub)
    return parser


# Flags that only some formats can honour: (command, dest) -> (flag, the formats honouring it).
# Every other flag is honoured by every format its command accepts (``--watch`` with csv/json
# appends a ``# time`` line and the table per change, as with the other formats on a pipe).
_FORMAT_BOUND_FLAGS = {
    ("summary", "digits"): ("--digits", ("table", "markdown", "latex")),
    ("grid", "digits"): ("--digits", ("table", "markdown", "latex")),
    ("importance", "digits"): ("--digits", ("table", "markdown", "latex")),
}


def check_flags(args: argparse.Namespace) -> None:
    """Refuse a flag the chosen format cannot honour (before anything is read).

    Raises:
        HpoTuiError: naming the flag and the format.
    """
    for (command, dest), (flag, formats) in _FORMAT_BOUND_FLAGS.items():
        if args.command != command or getattr(args, dest, None) is None:
            continue
        if args.format not in formats:
            raise HpoTuiError(
                f"{flag} has no meaning with --format {args.format} "
                f"(it applies to {', '.join(formats)})"
            )


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


def _report_warnings(messages: Sequence[str]) -> None:
    for message in messages:
        print(f"hpo-tui: warning: {message}", file=sys.stderr)


def _load(sources: Sequence[str], config: Config) -> Campaign:
    from hpo_tui.core.model.campaign import load_campaign

    campaign = load_campaign(resolve_specs(sources, config), config)
    _report_warnings(campaign.warnings)
    return campaign


def _emit(frame: pd.DataFrame, fmt: str, digits: int = 4, title: str | None = None) -> None:
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


def _watch(args: argparse.Namespace, config: Config, show: Callable[[Campaign], None]) -> int:
    """Print, then refresh every ``args.watch`` seconds, always, and print again on each
    change. A failed refresh is reported once and the watch goes on."""
    import time
    from datetime import datetime

    from hpo_tui.core.model.live import LiveCampaign

    live = LiveCampaign(resolve_specs(args.sources, config), config)
    _report_warnings(live.campaign.warnings)
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
                        _report_warnings([f"{failure} (still watching)"])
                    continue
                failure = ""
                _report_warnings(summary.warnings)
                if summary.changed:
                    what = summary.describe()
                    break
    except KeyboardInterrupt:
        return 0


def cmd_summary(args: argparse.Namespace, config: Config) -> int:
    from hpo_tui.core.analysis.summary import study_summary
    from hpo_tui.core.display import plural

    def show(campaign: Campaign) -> None:
        table = study_summary(campaign, args.metrics)
        _emit(table, args.format, args.digits, title=plural(len(table), "study"))

    if args.watch:
        return _watch(args, config, show)
    show(_load(args.sources, config))
    return 0


def cmd_grid(args: argparse.Namespace, config: Config) -> int:
    if args.watch:
        return _watch(args, config, lambda campaign: _show_grid(args, config, campaign))
    _show_grid(args, config, _load(args.sources, config))
    return 0


def _show_grid(args: argparse.Namespace, config: Config, campaign: Campaign) -> None:
    from hpo_tui.core.analysis.grid import build_grid, sweeps
    from hpo_tui.core.display import printable
    from hpo_tui.core.export.formats import grid as grid_text

    names = [args.sweep] if args.sweep is not None else sweeps(campaign)
    if not names:
        raise HpoTuiError(
            f"no study name in {_sources_text(campaign)} fits the grid's axes "
            f"({', '.join(campaign.axis_names)}); `hpo-tui summary` lists the studies"
        )
    try:
        grids = [build_grid(campaign, args.metric, name) for name in names]
    except ValueError as exc:
        problem = f"{config.path or 'config'}: {exc}" if args.sweep is None else str(exc)
        raise HpoTuiError(problem) from None
    if args.format == "csv":
        sys.stdout.write(grid_text.grids_csv(grids))
    elif args.format == "json":
        sys.stdout.write(grid_text.grids_json(grids))
    elif args.format in ("markdown", "latex"):
        sys.stdout.write(grid_text.grids_text(grids, args.format, args.digits))
    else:
        from hpo_tui.cli.render import print_grid

        for grid in grids:
            print_grid(grid, title=grid_text.grid_title(grid, len(grids)), digits=args.digits)
    studies = campaign.studies.set_index("study_id")["study"]
    off = [printable(str(studies[s])) for s in grids[0].off_grid]
    if off and args.format == "table":
        print("not on any grid (the name fits no axis pattern): " + ", ".join(off))
    for grid in grids:
        doubles = [printable(str(studies[s])) for s in grid.duplicates]
        if doubles and args.format == "table":
            print(
                f"not shown (a cell of sweep {grid.sweep} holds another study): "
                + ", ".join(doubles)
            )


def cmd_diverged(args: argparse.Namespace, config: Config) -> int:
    from hpo_tui.core.analysis.diverged_trials import shared_traits
    from hpo_tui.core.display import plural
    from hpo_tui.core.export.writer import diverged_frame

    campaign = _load(args.sources, config)
    frame = diverged_frame(campaign)
    if args.format == "table":
        columns = [
            "study",
            "number",
            "state",
            "diverged_reason",
            "diverged_curve",
            "diverged_step",
            "diverged_last_finite",
            "diverged_value_before",
        ]
        _emit(frame[columns], "table", title=plural(len(frame), "diverged trial"))
        for line in shared_traits(campaign):
            print(line)
    else:
        _emit(frame, args.format)
    return 0


def cmd_space(args: argparse.Namespace, config: Config) -> int:
    from hpo_tui.core.analysis.space import merged_space, study_space
    from hpo_tui.core.export.methods import render_space, space_table

    campaign = _load(args.sources, config)
    if args.format in ("markdown", "latex"):
        sys.stdout.write(render_space(campaign, args.format, per_study=args.per_study))
        return 0
    if args.format == "csv":
        frame = study_space(campaign) if args.per_study else merged_space(campaign)
        _emit(frame.drop(columns=["study_id"], errors="ignore"), "csv")
        return 0
    table = (
        study_space(campaign).drop(columns=["study_id"])
        if args.per_study
        else space_table(campaign)
    )
    _emit(table, "table", title="search space")
    return 0


def cmd_importance(args: argparse.Namespace, config: Config) -> int:
    from hpo_tui.core.analysis import importance

    importance.check_method(args.method)  # a missing package fails before the load
    campaign = _load(args.sources, config)
    frame = importance.campaign_importance(campaign, args.method)
    if args.format == "csv":
        _emit(frame.drop(columns=["study_id"]), "csv")
        return 0
    matrix = importance.importance_matrix(campaign, frame)
    if args.format in ("markdown", "latex"):
        sys.stdout.write(importance.render_matrix(matrix, args.format, args.digits))
        return 0
    label = importance.METHOD_LABELS[args.method]
    _emit(importance.matrix_frame(matrix), "table", args.digits, title=f"importance ({label})")
    for line in importance.note_lines(matrix):
        print(importance.printable_line(line))
    return 0


def cmd_methods(args: argparse.Namespace, config: Config) -> int:
    from hpo_tui.core.export.methods import methods_document

    sys.stdout.write(methods_document(_load(args.sources, config), args.format))
    return 0


def cmd_export(args: argparse.Namespace, config: Config) -> int:
    from hpo_tui.cli.render import export_progress
    from hpo_tui.core.display import printable
    from hpo_tui.core.export.writer import write_export

    campaign = _load(args.sources, config)

    try:
        with export_progress() as progress:
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


def cmd_trial(args: argparse.Namespace, config: Config) -> int:
    from hpo_tui.core.display import printable
    from hpo_tui.core.export.formats.json import dumps_strict
    from hpo_tui.core.export.writer import trial_document

    campaign = _load(args.sources, config)
    studies = campaign.studies[campaign.studies["study"] == args.study]
    name = printable(repr(args.study))
    if studies.empty:
        raise HpoTuiError(f"no study named {name} in {_sources_text(campaign)}")
    if len(studies) > 1:
        where = ", ".join(printable(str(s)) for s in studies["source"])
        raise HpoTuiError(f"study {name} is in {len(studies)} sources ({where}): give one of them")
    study_id = int(studies["study_id"].iloc[0])
    trials = campaign.study_trials(study_id)
    match = trials[trials["number"] == args.number]
    if match.empty:
        raise HpoTuiError(f"no trial {args.number} in study {name} ({len(trials)} trials)")
    document = trial_document(campaign, int(match["key"].iloc[0]))
    if args.format == "json":
        sys.stdout.write(dumps_strict(document, indent=1) + "\n")
        return 0
    from hpo_tui.cli.render import print_record

    print_record(document)
    return 0


def _sources_text(campaign: Campaign) -> str:
    from hpo_tui.core.display import printable

    return ", ".join(printable(s.display) for s in campaign.sources)


def cmd_demo(args: argparse.Namespace, config: Config) -> int:
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
        args.format = "table"
        args.digits = config.digits
        args.metrics = []
        args.watch = None  # --watch of demo is the TUI's auto-refresh, not a print loop
        return cmd_summary(args, config)
    return cmd_open(args, config)


def cmd_open(args: argparse.Namespace, config: Config) -> int:
    from hpo_tui.core.storage.sources import resolve_sources

    specs = resolve_specs(args.sources, config)
    resolve_sources(specs)  # a missing or unrecognised file: one line and exit 2, no TUI
    try:
        from hpo_tui.tui.app import run_app
    except ImportError:  # the TUI is not built yet: print the summary instead
        args.sources = specs
        args.format = "table"
        args.digits = config.digits
        args.metrics = []
        args.watch = None  # --watch of demo is the TUI's auto-refresh, not a print loop
        return cmd_summary(args, config)
    return run_app(specs, config, watch_seconds=getattr(args, "watch", 5.0))


def cmd_serve(args: argparse.Namespace, config: Config) -> int:
    from hpo_tui.cli.serve import serve
    from hpo_tui.core.storage.sources import resolve_sources

    specs = resolve_specs(args.sources, config)
    resolve_sources(specs)  # a missing or unrecognised file: one line and exit 2, no server
    return serve(specs, args.watch, host=args.host, port=args.port, public_url=args.public_url)


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
    handlers = {
        "summary": cmd_summary,
        "grid": cmd_grid,
        "diverged": cmd_diverged,
        "space": cmd_space,
        "methods": cmd_methods,
        "importance": cmd_importance,
        "export": cmd_export,
        "trial": cmd_trial,
        "demo": cmd_demo,
        "open": cmd_open,
        "serve": cmd_serve,
    }
    try:
        check_flags(args)
        config = load_config()
        if getattr(args, "digits", 0) is None:
            args.digits = config.digits
        if args.command in VIEW_COMMANDS:
            return int(import_module(f"hpo_tui.cli.{args.command}").run(args, config))
        return handlers[args.command](args, config)
    except HpoTuiError as exc:
        print(f"hpo-tui: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("hpo-tui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
