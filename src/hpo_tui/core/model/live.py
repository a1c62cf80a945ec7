"""Incremental refresh of a loaded campaign, for sweeps that are still running.

After the first load a refresh reads only what can have changed:

- RDB storages (SQLite, PostgreSQL, MySQL): one short read-only transaction reads the
  ``(trial_id, state)`` pairs and the study list; then only trials that are new, changed
  state, or were unfinished (RUNNING/WAITING) are read again, from every table. If what was
  re-read equals what was known, nothing is rebuilt. No connection or transaction stays open
  between refreshes.
- gRPC storage proxies: Optuna's client keeps its trial cache between refreshes and asks
  only for the unfinished trial ids and the ids above the last finished one.
- JournalStorage files: only the bytes appended since the last read are parsed and replayed
  (a partially written last line waits quietly for the next refresh, and is reported once if
  it is still cut then); a file that shrank is re-read.
- JournalStorage in Redis: only the logs after the last one applied are read and replayed
  (a missing log ends the read there, the next refresh retries it); a journal deleted and
  written again is re-read.

The campaign frames are then rebuilt from the patched per-source tables, so a refreshed
campaign equals a fresh full load exactly.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from hpo_tui.core.config import Config
from hpo_tui.core.display import plural
from hpo_tui.core.errors import SourceError
from hpo_tui.core.model.build import build_campaign
from hpo_tui.core.model.campaign import Campaign, Progress
from hpo_tui.core.model.frames import STUDY_ID_BITS, TRIAL_KEY_BITS
from hpo_tui.core.model.splice import splice_campaign
from hpo_tui.core.storage.grpc_proxy import GrpcProxyReader
from hpo_tui.core.storage.journal_replay import JournalReplay
from hpo_tui.core.storage.raw import RawTables, patch_tables
from hpo_tui.core.storage.sources import Source, SourceKind, new_sources_in, resolve_sources

UNFINISHED = frozenset({"RUNNING", "WAITING"})
_TRIAL_TABLES = (
    "values",
    "params",
    "trial_user_attrs",
    "trial_system_attrs",
    "intermediate",
    "heartbeats",  # a running trial's heartbeat moves on: the trial is re-read and changed
)


@dataclass
class RefreshSummary:
    """What a refresh found."""

    new_trials: int = 0
    finished: int = 0
    updated: int = 0
    new_studies: int = 0
    removed_studies: int = 0
    changed_keys: set[int] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changed_keys or self.new_studies or self.removed_studies)

    def describe(self) -> str:
        """E.g. ``"+3 trials, 2 finished, 1 updated"``, ``"+1 trial"`` or ``"no change"``."""
        parts = []
        if self.new_studies:
            parts.append("+" + plural(self.new_studies, "study"))
        if self.removed_studies:
            parts.append("-" + plural(self.removed_studies, "study"))
        if self.new_trials:
            parts.append("+" + plural(self.new_trials, "trial"))
        if self.finished:
            parts.append(f"{self.finished} finished")
        if self.updated:
            parts.append(f"{self.updated} updated")
        return ", ".join(parts) if parts else "no change"


def _states(raw: RawTables) -> dict[int, str]:
    return dict(zip(raw.trials["trial_id"].tolist(), raw.trials["state"].tolist(), strict=True))


def _digest(frame: pd.DataFrame) -> str:
    """A content digest of a (sub)table, independent of row order."""
    rows = sorted(json.dumps(r, default=repr, sort_keys=True) for r in frame.to_dict("records"))
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def _subset(raw: RawTables, ids: set[int]) -> list[pd.DataFrame]:
    tables = [raw.trials[raw.trials["trial_id"].isin(list(ids))]]
    for name in _TRIAL_TABLES:
        table = getattr(raw, name)
        tables.append(table[table["trial_id"].isin(list(ids))])
    return tables


class _RdbLive:
    """Incremental reader of one RDB storage."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.raw: RawTables | None = None
        self.layout: Any = None
        self.warnings: list[str] = []

    def load(self) -> RawTables:
        from hpo_tui.core.storage.rdb import (
            KNOWN_HEADS,
            read_rdb,
            read_rdb_tables,
            read_transaction,
        )
        from hpo_tui.core.storage.rdb import schema_head as head_of

        with read_transaction(self.source) as reader:
            head = head_of(reader, self.source)
            self.layout = KNOWN_HEADS.get(head)
            if self.layout is not None:
                self.raw = read_rdb_tables(reader, self.source, self.layout)
        if self.layout is None:  # unknown schema: full reads through Optuna's API each time
            self.raw = read_rdb(self.source)
        assert self.raw is not None
        return self.raw

    def refresh(self) -> tuple[RawTables, set[int]] | None:
        """The patched tables and the storage trial ids that changed; ``None`` if nothing."""
        from hpo_tui.core.storage.rdb import read_rdb_tables, read_transaction

        assert self.raw is not None
        if self.layout is None:
            before = self.raw
            after = self.load()
            changed = _changed_by_content(before, after)
            return (after, changed) if changed or _studies_differ(before, after) else None
        known = _states(self.raw)
        with read_transaction(self.source) as reader:
            current = {
                int(t): str(getattr(s, "name", s))
                for t, s in reader.rows("SELECT trial_id, state FROM trials")
            }
            study_ids = {int(r[0]) for r in reader.rows("SELECT study_id FROM studies")}
            candidates = {
                t
                for t, state in current.items()
                if known.get(t) != state or state in UNFINISHED or known.get(t) in UNFINISHED
            }
            removed = set(known) - set(current)
            studies_changed = study_ids != set(self.raw.studies["study_id"].tolist())
            patch = read_rdb_tables(reader, self.source, self.layout, sorted(candidates))
        changed = (
            {
                t
                for t in candidates
                if t not in known
                or any(
                    _digest(a) != _digest(b)
                    for a, b in zip(_subset(self.raw, {t}), _subset(patch, {t}), strict=True)
                )
            }
            if len(candidates) < 2000
            else candidates
        )
        if (
            not changed
            and not removed
            and not studies_changed
            and _digest(self.raw.studies) == _digest(patch.studies)
        ):
            return None
        self.raw = patch_tables(self.raw, patch, candidates | removed)
        return self.raw, changed | removed


def _changed_by_content(before: RawTables, after: RawTables) -> set[int]:
    ids = set(before.trials["trial_id"].tolist()) | set(after.trials["trial_id"].tolist())
    return {
        t
        for t in ids
        if any(
            _digest(a) != _digest(b)
            for a, b in zip(_subset(before, {t}), _subset(after, {t}), strict=True)
        )
    }


def _studies_differ(before: RawTables, after: RawTables) -> bool:
    return _digest(before.studies) != _digest(after.studies)


class _JournalLive:
    """Incremental reader of one JournalStorage file: replays only appended records."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.replay: JournalReplay | None = None
        self.raw: RawTables | None = None
        self.identity: tuple[int, int] | None = None
        self.warnings: list[str] = []
        # (file size, bytes of its cut last line) when a refresh found one; a cut line still
        # there at the next refresh is no writer mid-line, and is said once.
        self.cut: tuple[int, int] | None = None
        self.cut_said = False

    def _feed(self) -> tuple[int, int]:
        """Replay the appended bytes; (bytes of a partial last line, file size)."""
        from hpo_tui.core.storage.journal import feed_file

        assert self.replay is not None
        partial, size, self.identity = feed_file(self.source, self.replay)
        self.warnings.extend(self.replay.warnings)
        self.replay.warnings = []
        return partial, size

    def load(self) -> RawTables:
        self.replay = JournalReplay(self.source.display)
        partial, size = self._feed()  # a writer may be mid-line: the next refresh reads it
        self._note_cut(partial, size)
        self.replay.take_touched()
        self.raw = self.replay.tables()
        return self.raw

    def refresh(self) -> tuple[RawTables, set[int]] | None:
        assert self.raw is not None and self.replay is not None
        identity = self.identity
        try:
            stat = os.stat(self.source.location)
        except FileNotFoundError:
            raise SourceError(self.source.display, "no such file (removed?)") from None
        except OSError as exc:
            raise SourceError(self.source.display, f"cannot read ({exc.strerror})") from None
        if stat.st_size < self.replay.offset or (stat.st_dev, stat.st_ino) != identity:
            before = self.raw  # the file was replaced or truncated: read it again
            after = self.load()
            return after, _changed_by_content(before, after)
        if stat.st_size == self.replay.offset:
            return None  # nothing appended: no read at all
        self._note_cut(*self._feed())
        result = _replayed(self.raw, self.replay, bool(self.warnings))
        if result is not None:
            self.raw = result[0]
        return result

    def _note_cut(self, partial: int, size: int) -> None:
        """Remember a cut last line; warn (once) when the same one is found again."""
        cut = (size, partial) if partial else None
        if cut is not None and cut == self.cut and not self.cut_said:
            self.warnings.append(
                f"{self.source.display}: last line is incomplete ({plural(partial, 'byte')}) "
                "and has not grown since the previous refresh; read up to the previous line"
            )
            self.cut_said = True
        elif cut != self.cut:
            self.cut_said = False
        self.cut = cut


def _replayed(
    raw: RawTables, replay: JournalReplay, has_warnings: bool
) -> tuple[RawTables, set[int]] | None:
    """``raw`` with the trials that the records replayed since the last call touched."""
    touched, studies_changed = replay.take_touched()
    if not touched and not studies_changed:
        # Only a partial line so far, or records Optuna would skip; a warning about a
        # damaged record still has to reach the campaign.
        return (raw, set()) if has_warnings else None
    patch = replay.tables(only=touched)
    raw = patch_tables(raw, patch, touched)
    if studies_changed:  # a deleted study takes its trials along
        trials = raw.trials
        gone = trials["trial_id"][~trials["study_id"].isin(patch.studies["study_id"])]
        removed = set(gone.tolist())
        if removed:
            raw = patch_tables(raw, _subset_raw(patch, set()), removed)
            touched |= removed
    return raw, touched


class _RedisLive:
    """Incremental reader of one journal in Redis: replays only the logs added since."""

    def __init__(self, source: Source) -> None:
        from hpo_tui.core.storage.redis_journal import RedisJournal

        self.source = source
        self.journal = RedisJournal(source)
        self.replay: JournalReplay | None = None
        self.raw: RawTables | None = None
        self.warnings: list[str] = []
        self._missing: int | None = None  # the missing log the last read stopped at
        self._still_missing_told: int | None = None

    def _read(self) -> Any:
        assert self.replay is not None
        read = self.journal.read_new(self.replay)
        self.warnings.extend(self.replay.warnings)
        self.replay.warnings = []
        return read

    def load(self) -> RawTables:
        from hpo_tui.core.storage.redis_journal import missing_log_note

        self.replay = JournalReplay(self.source.display, unit="log")
        read = self._read()
        self._missing, self._still_missing_told = read.missing, None
        if read.missing is not None:
            self.warnings.append(missing_log_note(self.source.display, read))
        self.replay.take_touched()
        self.raw = self.replay.tables()
        return self.raw

    def refresh(self) -> tuple[RawTables, set[int]] | None:
        from hpo_tui.core.storage.redis_journal import missing_log_note

        assert self.raw is not None and self.replay is not None
        read = self._read()
        if read.replaced:  # deleted and written again: read it from the start
            before = self.raw
            after = self.load()
            return after, _changed_by_content(before, after)
        # A log missing at two reads in a row is no writer between its two steps: say so
        # once (a writer that died there holds the reader at that log for good). A log
        # missing once is not worth a warning: a Cluster-mode writer was mid-write.
        still = read.missing is not None and read.missing == self._missing
        if still and read.missing != self._still_missing_told:
            self.warnings.append(missing_log_note(self.source.display, read, still=True))
            self._still_missing_told = read.missing
        self._missing = read.missing
        result = _replayed(self.raw, self.replay, bool(self.warnings))
        if result is not None:
            self.raw = result[0]
        return result


def _subset_raw(raw: RawTables, ids: set[int]) -> RawTables:
    trials, values, params, users, systems, inter, heartbeats = _subset(raw, ids)
    return RawTables(raw.studies, trials, values, params, users, systems, inter, heartbeats)


_LiveReader = _RdbLive | _JournalLive | _RedisLive | GrpcProxyReader


def _live_reader(source: Source) -> _LiveReader:
    """The incremental reader for the source's kind."""
    if source.kind is SourceKind.JOURNAL:
        return _JournalLive(source)
    if source.kind is SourceKind.REDIS:
        return _RedisLive(source)
    if source.kind is SourceKind.GRPC:
        return GrpcProxyReader(source)
    return _RdbLive(source)


class LiveCampaign:
    """A campaign that can be refreshed incrementally (see the module docstring)."""

    def __init__(
        self,
        specs: Sequence[str] | Sequence[Source],
        config: Config | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.config = config or Config()
        sources = [s for s in specs if isinstance(s, Source)]
        texts = [s for s in specs if isinstance(s, str)]
        if texts:
            sources.extend(resolve_sources(texts))
        self.specs = texts  # directories are scanned again for new storages on refresh
        self.sources = sources
        self.readers: list[_LiveReader] = [_live_reader(s) for s in sources]
        tables = []
        for done, reader in enumerate(self.readers, start=1):
            tables.append(reader.load())
            if progress is not None:
                progress(f"read {reader.source.display}", done, len(self.readers))
        self.tables = tables
        self.campaign = self._build()

    def _build(self, changed: dict[int, set[int]] | None = None) -> Campaign:
        """A full build, or (``changed``: storage trial ids per source) a splice of only the
        changed trials into the current campaign when the set of studies is unchanged."""
        if changed is not None and self._same_studies():
            patch_parts = []
            replaced: set[int] = set()
            for index, (source, raw) in enumerate(zip(self.sources, self.tables, strict=True)):
                ids = changed.get(index, set())
                replaced |= {(index << TRIAL_KEY_BITS) + t for t in ids}
                patch_parts.append((source, _subset_raw(raw, ids)))
            patch = build_campaign(patch_parts, self.config)
            campaign = splice_campaign(self.campaign, patch, replaced)
        else:
            campaign = build_campaign(
                list(zip(self.sources, self.tables, strict=True)), self.config
            )
        for reader in self.readers:
            campaign.warnings.extend(reader.warnings)
            reader.warnings = []
        return campaign

    def _same_studies(self) -> bool:
        known = set(self.campaign.studies["study_id"].tolist())
        now = {
            (index << STUDY_ID_BITS) + int(s)
            for index, raw in enumerate(self.tables)
            for s in raw.studies["study_id"].tolist()
        }
        return known == now

    def refresh(self) -> RefreshSummary:
        """Read what can have changed; rebuild the campaign only if something did."""
        summary = RefreshSummary()
        before_states = dict(
            zip(
                self.campaign.trials["key"].tolist(),
                self.campaign.trials["state"].tolist(),
                strict=True,
            )
        )
        before_studies = set(self.campaign.studies["study_id"].tolist())
        changed_ids: dict[int, set[int]] = {}
        for source in new_sources_in(self.specs, self.sources):
            reader = _live_reader(source)
            self.tables.append(reader.load())
            self.sources.append(source)
            self.readers.append(reader)
            index = len(self.readers) - 1
            ids = {int(t) for t in self.tables[index].trials["trial_id"].tolist()}
            changed_ids[index] = ids  # its studies are new: a full build below
            summary.changed_keys |= {(index << TRIAL_KEY_BITS) + t for t in ids}
        for index, reader in enumerate(self.readers):
            result = reader.refresh()
            if result is None:
                continue
            self.tables[index], changed = result
            changed_ids[index] = {int(t) for t in changed}
            base = index << TRIAL_KEY_BITS
            summary.changed_keys |= {base + int(t) for t in changed}
        if not changed_ids:
            return summary
        self.campaign = self._build(changed_ids)
        summary.warnings = list(self.campaign.warnings)
        after = dict(
            zip(
                self.campaign.trials["key"].tolist(),
                self.campaign.trials["state"].tolist(),
                strict=True,
            )
        )
        for key in summary.changed_keys:
            if key not in before_states:
                summary.new_trials += 1
            elif before_states[key] in UNFINISHED and after.get(key) not in UNFINISHED:
                summary.finished += 1
            else:
                summary.updated += 1
        after_studies = set(self.campaign.studies["study_id"].tolist())
        summary.new_studies = len(after_studies - before_studies)
        summary.removed_studies = len(before_studies - after_studies)
        return summary
