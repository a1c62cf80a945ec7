"""Read-only reader of Optuna JournalStorage log files.

The file is read directly (no Optuna backend object, so no lock file and no "create if
missing"), up to its last complete line; the lines are replayed with Optuna's own
``JournalStorageReplayResult`` so the result is exactly what Optuna would report.
A partially written last line (a writer mid-append) is left for the next read.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from typing import Any

from hpo_tui.core.errors import SourceError
from hpo_tui.core.formats import plural
from hpo_tui.core.raw import RawTables, raw_from_frozen
from hpo_tui.core.sources import Source


@dataclass
class JournalRead:
    """The result of reading a journal: tables, bytes consumed, and a warning if any."""

    tables: RawTables
    offset: int
    warnings: list[str] = field(default_factory=list)


def replay_lines(lines: list[bytes], source: Source, replay: Any = None) -> Any:
    """Apply journal lines to ``replay`` (a new Optuna replay result when ``None``).

    Raises:
        SourceError: on a line that is not a journal record or cannot be replayed.
    """
    from optuna.storages.journal._storage import JournalStorageReplayResult

    if replay is None:
        replay = JournalStorageReplayResult("hpo-tui-reader-")
    start = replay.log_number_read
    logs = []
    for number, line in enumerate(lines, start=start + 1):
        try:
            logs.append(json.loads(line))
        except (ValueError, UnicodeDecodeError):
            problem = f"line {number} is not a valid journal record"
            raise SourceError(source.display, problem) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            replay.apply_logs(logs)
    except Exception as exc:
        raise SourceError(
            source.display, f"journal records could not be replayed ({type(exc).__name__}: {exc})"
        ) from None
    return replay


def read_journal(source: Source) -> JournalRead:
    """Read a whole JournalStorage file without locking or writing it.

    Raises:
        SourceError: when the file cannot be read or holds invalid records.
    """
    try:
        with open(source.location, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise SourceError(source.display, "no such file") from None
    except PermissionError:
        raise SourceError(source.display, "permission denied") from None
    except OSError as exc:
        raise SourceError(source.display, f"cannot read ({exc.strerror})") from None
    end = data.rfind(b"\n") + 1
    notes = []
    if end < len(data):
        notes.append(
            f"{source.display}: last line is incomplete ({plural(len(data) - end, 'byte')}); "
            "read up to the previous line"
        )
    lines = data[:end].splitlines()
    replay = replay_lines([line for line in lines if line.strip()], source)
    studies = replay.get_all_studies()
    trials = {s._study_id: replay.get_all_trials(s._study_id, None) for s in studies}
    return JournalRead(tables=raw_from_frozen(studies, trials), offset=end, warnings=notes)
