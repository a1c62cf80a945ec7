"""Timeline of a study: when each trial ran, how many finished per hour, when nothing ran,
and which running trials have gone silent.

Per trial (:data:`TIMELINE_COLUMNS`): ``datetime_start`` and ``datetime_end`` (its completion;
``now`` for a RUNNING trial, whose bar is still growing), ``duration_s``, ``last_heartbeat``
(the trial's last heartbeat, when the storage records them: RDB storages opened with
``heartbeat_interval``; JournalStorage and the gRPC proxy record none), ``silent_s`` (for a
RUNNING trial: seconds from its last heartbeat, else from its start, to ``now``) and
``stalled``.

**Stalled**: a RUNNING trial whose last sign of life — its last heartbeat, else its start — is
older than the study's ``stall_after_s``: the zombie a killed worker leaves behind (Optuna
only fails it when another worker of the same study runs ``fail_stale_trials``). By default
``stall_after_s`` is twice the median duration of the study's finished (COMPLETE or PRUNED)
trials, but at least :data:`MIN_STALL_S` (a live trial's heartbeat can be a few minutes old:
Optuna's examples beat every 60 s), or :data:`DEFAULT_STALL_S` when none has finished; a
value given applies to every study. ``stalled_by`` says which sign of life was used
(``heartbeat`` or ``start``).

**Idle gaps** (:data:`GAP_COLUMNS`): the intervals longer than the study's ``idle_gap_s``
during which none of its trials was running, between its first start and its last end (each
trial runs from its start to its end; a trial without an end that is not RUNNING counts as an
instant). By default ``idle_gap_s`` is the median finished duration, but at least
:data:`MIN_IDLE_GAP_S` (the sampler's own pause between two trials is not a gap).

**Trials per hour** (:data:`HOUR_COLUMNS`): finished trials by the UTC hour of their
completion, every hour from the study's first to its last included (idle hours are 0).

Per study (:data:`STUDY_TIMELINE_COLUMNS`): the span from the first start to the last end,
busy and idle seconds, the gaps, the mean rate of finished trials per hour over the span, the
running and stalled trials, and the thresholds used.

Times are UTC. "Now" is a parameter: the TUI passes its clock, the CLI the current time.

This module is part of the UI-free core: it must not import textual or rich.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from hpo_tui.core.model.campaign import Campaign

DEFAULT_STALL_S = 3600.0
MIN_STALL_S = 300.0
MIN_IDLE_GAP_S = 60.0
STALL_FACTOR = 2.0
TIMELINE_COLUMNS = [
    "study_id",
    "study",
    "number",
    "state",
    "datetime_start",
    "datetime_end",
    "duration_s",
    "last_heartbeat",
    "silent_s",
    "stalled",
    "stalled_by",
]
GAP_COLUMNS = ["study_id", "study", "gap_start", "gap_end", "gap_s"]
HOUR_COLUMNS = ["study_id", "study", "hour", "n_finished", "n_complete", "n_pruned", "n_fail"]
STUDY_TIMELINE_COLUMNS = [
    "study_id",
    "study",
    "n_trials",
    "first_start",
    "last_end",
    "span_s",
    "busy_s",
    "idle_s",
    "n_gaps",
    "trials_per_hour",
    "n_running",
    "n_stalled",
    "stall_after_s",
    "idle_gap_s",
]
FINISHED = ("COMPLETE", "PRUNED", "FAIL")


@dataclass
class Timeline:
    """The frames of :func:`timeline` (columns as the module docstring says)."""

    trials: pd.DataFrame
    gaps: pd.DataFrame
    per_hour: pd.DataFrame
    studies: pd.DataFrame
    now: pd.Timestamp

    @property
    def stalled(self) -> pd.DataFrame:
        """The stalled trials, the longest silent first."""
        rows = self.trials[self.trials["stalled"].to_numpy(dtype=bool)]
        return rows.sort_values(["silent_s", "study_id", "number"], ascending=[False, True, True])


def _seconds(delta: pd.Series) -> np.ndarray:
    return delta.dt.total_seconds().to_numpy(dtype=float)


def timeline(
    campaign: Campaign,
    study_ids: Iterable[int] | None = None,
    now: datetime | None = None,
    stall_after_s: float | None = None,
    idle_gap_s: float | None = None,
) -> Timeline:
    """The timeline of the studies ``study_ids`` (all when ``None``), in the order given.

    Args:
        campaign: The loaded campaign.
        study_ids: Which studies.
        now: The end of a running trial's bar and the reference for ``silent_s``
            (default: the current time).
        stall_after_s: Seconds of silence after which a RUNNING trial is stalled (default:
            per study, see the module docstring).
        idle_gap_s: The shortest interval without a running trial reported as a gap
            (default: per study, see the module docstring).

    Raises:
        ValueError: on a threshold that is not a positive number.
    """
    for name, given in (("stall_after_s", stall_after_s), ("idle_gap_s", idle_gap_s)):
        if given is not None and not (np.isfinite(given) and given > 0):
            raise ValueError(f"{name} must be a positive number of seconds (got {given})")
    at = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now).tz_convert("UTC")
    studies = campaign.studies.set_index("study_id")
    ids = list(studies.index) if study_ids is None else [int(s) for s in study_ids]
    ids = [s for s in ids if s in studies.index]
    trials = campaign.trials
    rows = trials[trials["study_id"].isin(ids).to_numpy()]
    position = {study_id: index for index, study_id in enumerate(ids)}
    rows = rows.iloc[
        np.lexsort(
            (
                rows["number"].to_numpy(dtype=np.int64),
                rows["study_id"].map(position).to_numpy(dtype=np.int64),
            )
        )
    ]
    state = rows["state"].to_numpy(dtype=object)
    running = state == "RUNNING"
    start = rows["datetime_start"]
    end = rows["datetime_complete"].where(~running, at)
    # A trial without an end that is not running (an old FAIL, or a storage that never wrote
    # it) takes no time: it is an instant at its start.
    end = end.where(end.notna() | start.isna(), start)
    heartbeats = campaign.heartbeats.set_index("key")["last_heartbeat"]
    last_heartbeat = pd.Series(
        heartbeats.reindex(rows["key"].to_numpy()).array, index=rows.index
    ).astype("datetime64[ns, UTC]")
    sign_of_life = last_heartbeat.where(last_heartbeat.notna(), start)
    silent = np.where(running, _seconds(at - sign_of_life), np.nan)

    finished = np.isin(state, ("COMPLETE", "PRUNED"))
    durations = _seconds(rows["datetime_complete"] - start)
    median = (
        pd.Series(np.where(finished, durations, np.nan))
        .groupby(rows["study_id"].to_numpy())
        .median()
    )
    stall_for = {
        s: float(stall_after_s)
        if stall_after_s is not None
        else (
            max(MIN_STALL_S, STALL_FACTOR * float(median[s]))
            if s in median.index and np.isfinite(median[s])
            else DEFAULT_STALL_S
        )
        for s in ids
    }
    gap_for = {
        s: float(idle_gap_s)
        if idle_gap_s is not None
        else max(
            MIN_IDLE_GAP_S,
            float(median[s]) if s in median.index and np.isfinite(median[s]) else 0.0,
        )
        for s in ids
    }
    threshold = rows["study_id"].map(stall_for).to_numpy(dtype=float)
    stalled = running & (silent > threshold)
    stalled_by = np.full(len(rows), None, dtype=object)
    has_heartbeat = last_heartbeat.notna().to_numpy()
    stalled_by[stalled & has_heartbeat] = "heartbeat"
    stalled_by[stalled & ~has_heartbeat] = "start"
    table = pd.DataFrame(
        {
            "study_id": rows["study_id"].to_numpy(dtype=np.int64),
            "study": rows["study"].to_numpy(dtype=object),
            "number": rows["number"].to_numpy(dtype=np.int64),
            "state": state,
            "datetime_start": start.array,
            "datetime_end": end.array,
            "duration_s": _seconds(end - start),
            "last_heartbeat": last_heartbeat.array,
            "silent_s": silent,
            "stalled": stalled,
            "stalled_by": pd.Series(stalled_by, dtype=object).to_numpy(),
        }
    )
    table.index = rows.index

    gaps, hours, summary = [], [], []
    names = studies["study"]
    for study_id in ids:
        own = table[table["study_id"].to_numpy() == study_id]
        study_gaps, busy, first, last = _gaps(own, gap_for[study_id])
        gaps.append(study_gaps.assign(study_id=study_id, study=names[study_id]))
        hours.append(_per_hour(own).assign(study_id=study_id, study=names[study_id]))
        span = (last - first).total_seconds() if pd.notna(first) and pd.notna(last) else np.nan
        n_finished = int(own["state"].isin(FINISHED).sum())
        summary.append(
            {
                "study_id": study_id,
                "study": names[study_id],
                "n_trials": len(own),
                "first_start": first,
                "last_end": last,
                "span_s": span,
                "busy_s": busy,
                "idle_s": span - busy if np.isfinite(span) else np.nan,
                "n_gaps": len(study_gaps),
                "trials_per_hour": n_finished / (span / 3600.0) if span and span > 0 else np.nan,
                "n_running": int((own["state"] == "RUNNING").sum()),
                "n_stalled": int(own["stalled"].sum()),
                "stall_after_s": stall_for[study_id],
                "idle_gap_s": gap_for[study_id],
            }
        )
    summary_frame = pd.DataFrame(summary, columns=STUDY_TIMELINE_COLUMNS)
    for column in ("first_start", "last_end"):
        summary_frame[column] = pd.to_datetime(summary_frame[column], utc=True)
    summary_frame["study"] = summary_frame["study"].astype(object)
    return Timeline(
        trials=table[TIMELINE_COLUMNS].reset_index(drop=True),
        gaps=_concat(gaps, GAP_COLUMNS),
        per_hour=_concat(hours, HOUR_COLUMNS),
        studies=summary_frame,
        now=at,
    )


def _gaps(
    trials: pd.DataFrame, threshold: float
) -> tuple[pd.DataFrame, float, pd.Timestamp, pd.Timestamp]:
    """(gaps longer than ``threshold``, busy seconds, first start, last end) of one study:
    the union of its trials' [start, end] intervals, swept in start order."""
    started = trials[trials["datetime_start"].notna().to_numpy()]
    empty = pd.DataFrame(
        {
            "gap_start": pd.Series([], dtype="datetime64[ns, UTC]"),
            "gap_end": pd.Series([], dtype="datetime64[ns, UTC]"),
            "gap_s": pd.Series([], dtype=float),
        }
    )
    if started.empty:
        return empty, 0.0, pd.NaT, pd.NaT
    starts = started["datetime_start"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    ends = started["datetime_end"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], np.maximum(ends[order], starts[order])
    # Each interval's reach: the latest end of it and every interval that started before.
    reach = np.maximum.accumulate(ends)
    # A new run of busy time starts where an interval starts after everything before ended.
    breaks = np.flatnonzero(starts[1:] > reach[:-1]) + 1
    run_starts = np.r_[0, breaks]
    run_ends = np.r_[breaks - 1, len(starts) - 1]
    busy_ns = float(np.sum(reach[run_ends] - starts[run_starts]))
    gap_from = reach[run_ends[:-1]]
    gap_to = starts[run_starts[1:]]
    length = (gap_to - gap_from) / 1e9
    long = length > threshold
    gaps = pd.DataFrame(
        {
            "gap_start": pd.to_datetime(gap_from[long], utc=True),
            "gap_end": pd.to_datetime(gap_to[long], utc=True),
            "gap_s": length[long].astype(float),
        }
    )
    first = pd.Timestamp(int(starts[0]), tz="UTC")
    last = pd.Timestamp(int(reach[-1]), tz="UTC")
    return (gaps if len(gaps) else empty), busy_ns / 1e9, first, last


def _per_hour(trials: pd.DataFrame) -> pd.DataFrame:
    """Finished trials per UTC hour of completion, every hour from the first to the last."""
    done = trials[trials["state"].isin(FINISHED).to_numpy() & trials["datetime_end"].notna()]
    columns = ["hour", "n_finished", "n_complete", "n_pruned", "n_fail"]
    if done.empty:
        return pd.DataFrame(
            {
                c: pd.Series([], dtype="datetime64[ns, UTC]" if c == "hour" else np.int64)
                for c in columns
            }
        )
    hour = done["datetime_end"].dt.floor("h")
    hours = pd.date_range(hour.min(), hour.max(), freq="h")
    counts = pd.crosstab(hour, done["state"]).reindex(hours, fill_value=0)
    out = pd.DataFrame({"hour": hours})
    for state in ("COMPLETE", "PRUNED", "FAIL"):
        column = counts[state] if state in counts.columns else pd.Series(0, index=hours)
        out[f"n_{state.lower()}"] = column.to_numpy(dtype=np.int64)
    out["n_finished"] = out[["n_complete", "n_pruned", "n_fail"]].sum(axis=1).astype(np.int64)
    return out[columns]


def _concat(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    parts = [p for p in parts if not p.empty]
    if not parts:
        frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
        return frame
    out = pd.concat(parts, ignore_index=True)
    out["study"] = out["study"].astype(object)
    return out[columns]
