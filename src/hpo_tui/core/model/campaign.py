"""Load a campaign: every study of every source as three documented DataFrames.

The entry point of the model, and the names the rest of hpo-tui imports from it:

- :func:`load_campaign` opens the sources read-only (``core.storage``) and builds the campaign;
- :class:`Campaign` (``model/frames.py``): the ``studies``, ``trials`` and ``curves`` frames
  and the queries on them;
- :func:`build_campaign` (``model/build.py``): raw tables to frames;
- :func:`splice_campaign` (``model/splice.py``): new and changed trials swapped in (live
  refresh, ``model/live.py``);
- trial details (``model/details.py``): params, distributions and attrs decoded for exports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hpo_tui.core.config import Config
from hpo_tui.core.model.build import build_campaign
from hpo_tui.core.model.frames import Campaign
from hpo_tui.core.storage.raw import RawTables
from hpo_tui.core.storage.sources import Source, SourceKind, resolve_sources

__all__ = ["Campaign", "Progress", "build_campaign", "load_campaign", "read_source"]

Progress = Callable[[str, int, int], None]


def read_source(source: Source) -> tuple[RawTables, list[str]]:
    """Read one source with the reader for its kind."""
    if source.kind is SourceKind.JOURNAL:
        from hpo_tui.core.storage.journal import read_journal

        result = read_journal(source)
        return result.tables, result.warnings
    if source.kind is SourceKind.GRPC:
        from hpo_tui.core.storage.grpc_proxy import read_grpc

        return read_grpc(source), []
    if source.kind is SourceKind.REDIS:
        from hpo_tui.core.storage.redis_journal import read_redis_journal

        journal = read_redis_journal(source)
        return journal.tables, journal.warnings
    from hpo_tui.core.storage.rdb import read_rdb

    return read_rdb(source), []


def load_campaign(
    specs: Sequence[str] | Sequence[Source],
    config: Config | None = None,
    progress: Progress | None = None,
) -> Campaign:
    """Open every source read-only and build the campaign.

    Args:
        specs: Paths/URLs as typed by the user, or already resolved sources.
        config: Axis pattern and divergence rules; defaults when ``None``.
        progress: Called as ``progress(message, done, total)`` after each source.

    Raises:
        SourceError: when a source cannot be read (names it, passwords masked).
    """
    config = config or Config()
    sources = [s for s in specs if isinstance(s, Source)]
    texts = [s for s in specs if isinstance(s, str)]
    if texts:
        sources.extend(resolve_sources(texts))
    parts: list[tuple[Source, RawTables]] = []
    notes: list[str] = []
    for done, source in enumerate(sources, start=1):
        tables, warnings = read_source(source)
        parts.append((source, tables))
        notes.extend(warnings)
        if progress is not None:
            progress(f"read {source.display}", done, len(sources))
    campaign = build_campaign(parts, config)
    campaign.warnings.extend(notes)
    return campaign
