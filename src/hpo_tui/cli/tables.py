"""Commands that print one table: summary, grid, diverged, space, importance, methods, trial.

Each reads the sources once (``--watch``: again on each change, for summary and grid) and
prints through :func:`hpo_tui.cli.common.emit` or a core renderer, in the ``--format`` asked.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from hpo_tui.cli import grid_ci
from hpo_tui.cli.args import (
    TABLE_FORMATS,
    Subparsers,
    add_cli_watch,
    add_digits,
    add_sources,
)
from hpo_tui.cli.common import emit, load, sources_text, watch
from hpo_tui.cli.studies import add_study_option
from hpo_tui.core.analysis.metrics import METRICS, SUMMARY_METRICS
from hpo_tui.core.config import Config
from hpo_tui.core.errors import HpoTuiError

if TYPE_CHECKING:
    from hpo_tui.core.model.campaign import Campaign


def add_parser(subparsers: Subparsers) -> None:
    """The table commands, each with its handler (``args.run``)."""
    commands = (
        _add_summary,
        _add_grid,
        _add_diverged,
        _add_space,
        _add_methods,
        _add_importance,
        _add_trial,
    )
    for add in commands:
        add(subparsers)


def _add_summary(subparsers: Subparsers) -> None:
    summary = subparsers.add_parser("summary", help="one row per study")
    add_sources(summary)
    summary.add_argument("--format", choices=TABLE_FORMATS, default="table")
    add_digits(summary)
    summary.add_argument(
        "--metric",
        dest="metrics",
        action="append",
        choices=SUMMARY_METRICS,
        default=[],
        metavar="METRIC",
        help="append a per-study metric column (repeatable): " + ", ".join(SUMMARY_METRICS),
    )
    add_cli_watch(summary)
    summary.set_defaults(run=run_summary)


def run_summary(args: argparse.Namespace, config: Config) -> int:
    """One row per study (``--metric`` adds columns); ``--watch`` reprints on changes."""
    from hpo_tui.core.analysis.summary import study_summary
    from hpo_tui.core.display import plural

    def show(campaign: Campaign) -> None:
        table = study_summary(campaign, args.metrics)
        emit(table, args.format, args.digits, title=plural(len(table), "study"))

    if args.watch:
        return watch(args, config, show)
    show(load(args.sources, config))
    return 0


def _add_grid(subparsers: Subparsers) -> None:
    grid = subparsers.add_parser("grid", help="the budget × horizon grid of one metric")
    add_sources(grid)
    grid.add_argument("--format", choices=TABLE_FORMATS, default="table")
    grid.add_argument("--metric", choices=METRICS, default="best")
    grid.add_argument(
        "--sweep",
        metavar="NAME",
        help="only this sweep's grid (a sweep is the part of the study names outside the axes; "
        "default: one table per sweep)",
    )
    add_digits(grid)
    grid_ci.add_arguments(grid)
    add_cli_watch(grid)
    grid.set_defaults(run=run_grid)


def run_grid(args: argparse.Namespace, config: Config) -> int:
    """One grid per sweep (or ``--sweep``'s), then the studies that are on none."""
    grid_ci.check(args)
    if args.watch:
        return watch(args, config, lambda campaign: _show_grid(args, config, campaign))
    _show_grid(args, config, load(args.sources, config))
    return 0


def _show_grid(args: argparse.Namespace, config: Config, campaign: Campaign) -> None:
    from hpo_tui.core.analysis.grid import build_grid, sweeps
    from hpo_tui.core.display import printable
    from hpo_tui.core.export.formats import grid as grid_text

    names = [args.sweep] if args.sweep is not None else sweeps(campaign)
    if not names:
        raise HpoTuiError(
            f"no study name in {sources_text(campaign)} fits the grid's axes "
            f"({', '.join(campaign.axis_names)}); `hpo-tui summary` lists the studies"
        )
    try:
        grids = [build_grid(campaign, args.metric, name) for name in names]
    except ValueError as exc:
        problem = f"{config.path or 'config'}: {exc}" if args.sweep is None else str(exc)
        raise HpoTuiError(problem) from None
    grids = grid_ci.apply(args, campaign, grids)
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


def _add_diverged(subparsers: Subparsers) -> None:
    diverged = subparsers.add_parser("diverged", help="the diverged trials, with reason and step")
    add_sources(diverged)
    diverged.add_argument("--format", choices=("table", "csv", "json"), default="table")
    diverged.set_defaults(run=run_diverged)


def run_diverged(args: argparse.Namespace, config: Config) -> int:
    """The diverged trials, and in a table what they share."""
    from hpo_tui.core.analysis.diverged_trials import shared_traits
    from hpo_tui.core.display import plural
    from hpo_tui.core.export.writer import diverged_frame

    campaign = load(args.sources, config)
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
        emit(frame[columns], "table", title=plural(len(frame), "diverged trial"))
        for line in shared_traits(campaign):
            print(line)
    else:
        emit(frame, args.format)
    return 0


def _add_space(subparsers: Subparsers) -> None:
    space = subparsers.add_parser("space", help="the search space from the stored distributions")
    add_sources(space)
    space.add_argument("--format", choices=("table", "markdown", "latex", "csv"), default="table")
    space.add_argument(
        "--per-study", action="store_true", help="one row per study and distribution"
    )
    space.set_defaults(run=run_space)


def run_space(args: argparse.Namespace, config: Config) -> int:
    """The search space, merged over the studies or ``--per-study``."""
    from hpo_tui.core.analysis.space import merged_space, study_space
    from hpo_tui.core.export.methods import render_space, space_table

    campaign = load(args.sources, config)
    if args.format in ("markdown", "latex"):
        sys.stdout.write(render_space(campaign, args.format, per_study=args.per_study))
        return 0
    if args.format == "csv":
        frame = study_space(campaign) if args.per_study else merged_space(campaign)
        emit(frame.drop(columns=["study_id"], errors="ignore"), "csv")
        return 0
    table = (
        study_space(campaign).drop(columns=["study_id"])
        if args.per_study
        else space_table(campaign)
    )
    emit(table, "table", title="search space")
    return 0


def _add_importance(subparsers: Subparsers) -> None:
    importance = subparsers.add_parser(
        "importance", help="parameter importance per study (params × studies)"
    )
    add_sources(importance)
    importance.add_argument(
        "--method",
        choices=("ped_anova", "fanova"),
        default="ped_anova",
        help="Optuna importance evaluator (default: %(default)s; fanova needs scikit-learn)",
    )
    importance.add_argument(
        "--format", choices=("table", "markdown", "latex", "csv"), default="table"
    )
    add_digits(importance)
    importance.set_defaults(run=run_importance)


def run_importance(args: argparse.Namespace, config: Config) -> int:
    """Parameter importance, params × studies (csv: one row per study and param)."""
    from hpo_tui.core.analysis import importance

    importance.check_method(args.method)  # a missing package fails before the load
    campaign = load(args.sources, config)
    frame = importance.campaign_importance(campaign, args.method)
    if args.format == "csv":
        emit(frame.drop(columns=["study_id"]), "csv")
        return 0
    matrix = importance.importance_matrix(campaign, frame)
    if args.format in ("markdown", "latex"):
        sys.stdout.write(importance.render_matrix(matrix, args.format, args.digits))
        return 0
    label = importance.METHOD_LABELS[args.method]
    emit(importance.matrix_frame(matrix), "table", args.digits, title=f"importance ({label})")
    for line in importance.note_lines(matrix):
        print(importance.printable_line(line))
    return 0


def _add_methods(subparsers: Subparsers) -> None:
    methods = subparsers.add_parser("methods", help="a methodology summary for a paper appendix")
    add_sources(methods)
    methods.add_argument("--format", choices=("markdown", "latex"), default="markdown")
    methods.set_defaults(run=run_methods)


def run_methods(args: argparse.Namespace, config: Config) -> int:
    """The methodology document (Markdown or LaTeX)."""
    from hpo_tui.core.export.methods import methods_document

    sys.stdout.write(methods_document(load(args.sources, config), args.format))
    return 0


def _add_trial(subparsers: Subparsers) -> None:
    trial = subparsers.add_parser(
        "trial", help="one trial in full: state, values, params, attrs, datetimes, divergence"
    )
    add_sources(trial)
    add_study_option(trial)
    trial.add_argument(
        "--number", required=True, type=int, metavar="N", help="the trial number in the study"
    )
    trial.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table: every value at full precision; json: the trial's record of hpo_full.json",
    )
    trial.set_defaults(run=run_trial)


def run_trial(args: argparse.Namespace, config: Config) -> int:
    """One trial in full, found by study name and trial number."""
    from hpo_tui.cli.studies import study_id_named
    from hpo_tui.core.display import printable
    from hpo_tui.core.export.formats.json import dumps_strict
    from hpo_tui.core.export.full_json import trial_document

    campaign = load(args.sources, config)
    trials = campaign.study_trials(study_id_named(campaign, args.study))
    match = trials[trials["number"] == args.number]
    if match.empty:
        name = printable(repr(args.study))
        raise HpoTuiError(f"no trial {args.number} in study {name} ({len(trials)} trials)")
    document = trial_document(campaign, int(match["key"].iloc[0]))
    if args.format == "json":
        sys.stdout.write(dumps_strict(document, indent=1) + "\n")
        return 0
    from hpo_tui.cli.render import print_record

    print_record(document)
    return 0
