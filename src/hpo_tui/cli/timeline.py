"""``hpo-tui timeline``: when trials ran, trials per hour, idle gaps, stalled trials."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from hpo_tui.cli.args import Subparsers
    from hpo_tui.core.config import Config

VIEWS = ("studies", "trials", "stalled", "gaps", "hours")


def add_parser(subparsers: Subparsers) -> None:
    from hpo_tui.cli.args import VIEW_FORMATS, add_sources, checked_number
    from hpo_tui.cli.study_select import add_study_option

    seconds = checked_number(
        float, lambda s: 0 < s < float("inf"), "must be a positive number of seconds"
    )

    parser = subparsers.add_parser(
        "timeline",
        help="when trials ran: per-study span and idle time, trial bars, trials per hour, "
        "idle gaps, stalled RUNNING trials",
    )
    add_sources(parser)
    parser.set_defaults(run=run)
    add_study_option(parser)
    parser.add_argument(
        "--view",
        choices=VIEWS,
        default="studies",
        help="studies: one row per study (default); trials: every trial's start, end and "
        "duration; stalled: RUNNING trials silent for longer than the threshold; gaps: "
        "intervals with no trial running; hours: finished trials per UTC hour",
    )
    parser.add_argument(
        "--stall-after",
        type=seconds,
        default=None,
        metavar="SECONDS",
        help="a RUNNING trial whose last heartbeat (else its start) is older is stalled "
        "(default per study: twice the median trial duration, at least 300 s; 3600 s when "
        "no trial has finished)",
    )
    parser.add_argument(
        "--idle-gap",
        type=seconds,
        default=None,
        metavar="SECONDS",
        help="report intervals with no trial running longer than this (default per study: "
        "the median trial duration, at least 60 s)",
    )
    parser.add_argument("--format", choices=VIEW_FORMATS, default="table")


# Left out of the table (still in csv/json): what the view itself says.
_TABLE_DROPS = {
    "stalled": ("state", "datetime_end", "duration_s", "stalled"),
    "trials": ("stalled_by",),
}


def for_people(frame: pd.DataFrame, view: str) -> pd.DataFrame:
    """The table's cells: datetimes to the second (the title says UTC), seconds as
    durations (``3 h 12 min``); csv/json keep every digit."""
    import pandas as pd

    from hpo_tui.core.display import display_number
    from hpo_tui.core.durations import format_duration

    def duration(seconds: float) -> str:
        if abs(seconds) < 60:  # short: significant digits, not "0 s"
            return f"{display_number(seconds)} s"
        return format_duration(seconds)

    out = frame.drop(columns=[c for c in _TABLE_DROPS.get(view, ()) if c in frame.columns])
    for column in out.columns:
        series = out[column]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            texts = series.dt.strftime("%Y-%m-%d %H:%M:%S")
            out[column] = texts.where(series.notna(), None).astype(object)
        elif column.endswith("_s") and column != "trials_per_hour":
            out[column] = pd.Series(
                [duration(v) for v in series.to_numpy(dtype=float)],
                index=out.index,
                dtype=object,
            )
    return out.rename(columns=lambda c: c[:-2] if c.endswith("_s") else c)


def run(args: argparse.Namespace, config: Config) -> int:
    from hpo_tui.cli.common import emit, load
    from hpo_tui.cli.study_select import selected_studies, with_source
    from hpo_tui.core.analysis.timeline import timeline
    from hpo_tui.core.display import plural

    campaign = load(args.sources, config)
    ids = selected_studies(campaign, args.studies)
    result = timeline(campaign, ids, stall_after_s=args.stall_after, idle_gap_s=args.idle_gap)
    frames = {
        "studies": result.studies,
        "trials": result.trials,
        "stalled": result.stalled,
        "gaps": result.gaps,
        "hours": result.per_hour,
    }
    frame = with_source(campaign, frames[args.view].reset_index(drop=True))
    if args.format != "table":
        emit(frame, args.format)
        return 0
    nouns = {
        "studies": "study",
        "trials": "trial",
        "stalled": "stalled trial",
        "gaps": "idle gap",
        "hours": "hour",
    }
    at = result.now.strftime("%Y-%m-%d %H:%M:%S UTC")
    title = f"timeline at {at}: {plural(len(frame), nouns[args.view])}"
    emit(for_people(frame, args.view), "table", config.digits, title=title)
    if args.view == "studies" and int(result.studies["n_stalled"].sum()):
        stalled = plural(int(result.studies["n_stalled"].sum()), "stalled trial")
        print(f"{stalled}: --view stalled lists them")
    return 0
