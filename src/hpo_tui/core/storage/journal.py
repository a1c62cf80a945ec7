"""Read-only reader of Optuna JournalStorage log files.

The file is read directly (no Optuna backend object, so no lock file and no "create if
missing") in chunks, up to its last complete line, and replayed by
:class:`~hpo_tui.core.storage.journal_replay.JournalReplay` into the raw tables. A partially written
last line (a writer mid-append) is left for the next read; damaged lines in the middle are read
around (see :mod:`hpo_tui.core.storage.journal_replay`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from hpo_tui.core.display import plural
from hpo_tui.core.errors import SourceError
from hpo_tui.core.storage.journal_replay import JournalReplay
from hpo_tui.core.storage.raw import RawTables
from hpo_tui.core.storage.sources import Source

_CHUNK_BYTES = 8 << 20  # read and replayed chunk by chunk: the file is never held whole


@dataclass
class JournalRead:
    """The result of reading a journal: tables, bytes consumed, and warnings if any."""

    tables: RawTables
    offset: int
    warnings: list[str] = field(default_factory=list)


def feed_file(source: Source, replay: JournalReplay) -> tuple[int, int, tuple[int, int]]:
    """Replay the bytes of ``source`` after ``replay.offset``.

    Returns:
        The bytes left unread after the last complete line, the file size, and the file's
        identity (device, inode).

    Raises:
        SourceError: when the file cannot be read.
    """
    try:
        with open(source.location, "rb") as handle:
            stat = os.fstat(handle.fileno())
            handle.seek(replay.offset)
            carry = b""
            while chunk := handle.read(_CHUNK_BYTES):
                data = carry + chunk if carry else chunk
                carry = data[replay.feed(data) :]
    except FileNotFoundError:
        raise SourceError(source.display, "no such file") from None
    except PermissionError:
        raise SourceError(source.display, "permission denied") from None
    except IsADirectoryError:
        raise SourceError(source.display, "is a directory") from None
    except OSError as exc:
        raise SourceError(source.display, f"cannot read ({exc.strerror})") from None
    return len(carry), stat.st_size, (stat.st_dev, stat.st_ino)


def read_journal(source: Source) -> JournalRead:
    """Read a whole JournalStorage file without locking or writing it.

    Raises:
        SourceError: when the file cannot be read.
    """
    replay = JournalReplay(source.display)
    partial, _size, _identity = feed_file(source, replay)
    notes = list(replay.warnings)
    if partial:
        notes.append(
            f"{source.display}: last line is incomplete ({plural(partial, 'byte')}); "
            "read up to the previous line"
        )
    return JournalRead(tables=replay.tables(), offset=replay.offset, warnings=notes)
