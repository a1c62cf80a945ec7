"""Write the analysis export: ``hpo_summary.csv``, ``hpo_full.json``, ``hpo_diverged.csv``,
``hpo_diverged.json``, ``hpo_search_space.csv``, ``hpo_importance.csv``, ``hpo_pruning.csv``,
``hpo_pruning_trials.csv``, ``hpo_transfer.csv``, ``hpo_transfer_params.csv``,
``hpo_grid_intervals.csv`` and a ``README.md`` data dictionary, atomically.

The files are written into a temporary sibling folder and moved into place only when all of
them are complete, so a failure or a kill mid-export leaves the previous export intact. The
same campaign gives byte-identical files apart from ``generated_at``.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import io
import os
import secrets
import shutil
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TextIO, TypeVar

import pandas as pd

from hpo_tui.core.analysis.diverged_trials import EVIDENCE_COLUMNS, diverged_trials
from hpo_tui.core.analysis.importance import campaign_importance
from hpo_tui.core.analysis.pruning import pruning_audit
from hpo_tui.core.analysis.space import merged_space
from hpo_tui.core.analysis.transfer import transfer
from hpo_tui.core.errors import HpoTuiError
from hpo_tui.core.export.defaults import DEFAULT_OUT
from hpo_tui.core.export.formats.csv import write_csv
from hpo_tui.core.export.formats.grid import interval_export_frame
from hpo_tui.core.export.formats.json import dumps_strict
from hpo_tui.core.export.full_json import (
    export_metadata,
    write_full_json,
)
from hpo_tui.core.export.readme import render_readme
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.model.constraints import CONSTRAINT_COLUMNS
from hpo_tui.core.model.curves import STAT_COLUMNS

SUMMARY_CSV = "hpo_summary.csv"
FULL_JSON = "hpo_full.json"
DIVERGED_CSV = "hpo_diverged.csv"
DIVERGED_JSON = "hpo_diverged.json"
SPACE_CSV = "hpo_search_space.csv"
IMPORTANCE_CSV = "hpo_importance.csv"
PRUNING_CSV = "hpo_pruning.csv"
PRUNING_TRIALS_CSV = "hpo_pruning_trials.csv"
TRANSFER_CSV = "hpo_transfer.csv"
TRANSFER_PARAMS_CSV = "hpo_transfer_params.csv"
GRID_INTERVALS_CSV = "hpo_grid_intervals.csv"
README = "README.md"
EXPORT_FILES = (
    SUMMARY_CSV,
    FULL_JSON,
    DIVERGED_CSV,
    DIVERGED_JSON,
    SPACE_CSV,
    IMPORTANCE_CSV,
    PRUNING_CSV,
    PRUNING_TRIALS_CSV,
    TRANSFER_CSV,
    TRANSFER_PARAMS_CSV,
    GRID_INTERVALS_CSV,
    README,
)

ExportProgress = Callable[[str, int, int], None]


class ExportError(HpoTuiError):
    """The export could not be written (the previous export, if any, is untouched)."""


def summary_columns(campaign: Campaign) -> list[str]:
    """Column order of ``hpo_summary.csv`` (stable: fixed columns, then params, attrs, stats)."""
    trials = campaign.trials
    values = [c for c in trials.columns if c == "value" or c.startswith("values_")]
    params = sorted(c for c in trials.columns if c.startswith("param_"))
    attrs = sorted(c for c in trials.columns if c.startswith("user_attr_"))
    return [
        "study",
        "source",
        *campaign.axis_names,
        "sweep",
        "number",
        "state",
        *values,
        *CONSTRAINT_COLUMNS,
        "diverged",
        "diverged_reason",
        "diverged_curve",
        "diverged_step",
        "spike_step",
        "datetime_start",
        "datetime_complete",
        "duration_s",
        *params,
        *attrs,
        *STAT_COLUMNS,
    ]


def summary_frame(campaign: Campaign) -> pd.DataFrame:
    """One row per trial in export column order (what ``hpo_summary.csv`` holds)."""
    sources = campaign.studies.set_index("study_id")["source"]
    trials = campaign.trials.assign(source=campaign.trials["study_id"].map(sources))
    return trials[summary_columns(campaign)].reset_index(drop=True)


def diverged_frame(campaign: Campaign) -> pd.DataFrame:
    """The diverged trials with the summary columns plus the evidence columns."""
    diverged = diverged_trials(campaign)
    sources = campaign.studies.set_index("study_id")["source"]
    diverged = diverged.assign(source=diverged["study_id"].map(sources))
    return diverged[summary_columns(campaign) + EVIDENCE_COLUMNS].reset_index(drop=True)


def diverged_document(
    campaign: Campaign, generated_at: datetime, frame: pd.DataFrame | None = None
) -> dict[str, Any]:
    """The diverged trials as JSON: metadata plus one record per trial (of ``frame``, the
    :func:`diverged_frame` when it is made already)."""
    frame = diverged_frame(campaign) if frame is None else frame
    return {
        "metadata": export_metadata(campaign, generated_at),
        "trials": frame.to_dict("records"),
    }


FileWriter = Callable[[TextIO], None]
T = TypeVar("T")


class _Shared(Generic[T]):
    """What several files are made of (the pruning audit, the transfer comparisons, the
    diverged trials): computed for the first of them, let go once the last is written."""

    def __init__(self, make: Callable[[], T], uses: int) -> None:
        self._make = make
        self._uses = uses
        self._value: T | None = None

    def take(self) -> T:
        """The value (made on the first call); after the last use it is no longer held."""
        value = self._value if self._value is not None else self._make()
        self._uses -= 1
        self._value = value if self._uses > 0 else None
        return value


def _writers(campaign: Campaign, generated_at: datetime) -> dict[str, FileWriter]:
    """One function per export file, writing its text to a handle (in EXPORT_FILES order).

    Each frame lives while its file is written: no writer keeps one for later files, but for
    what two files share, let go after the second (see :class:`_Shared`).
    """

    def text(make: Callable[[], str]) -> FileWriter:
        def write(out: TextIO) -> None:
            out.write(make())

        return write

    def table(make: Callable[[], pd.DataFrame]) -> FileWriter:
        def write(out: TextIO) -> None:
            write_csv(out, make())

        return write

    importance = _Shared(lambda: campaign_importance(campaign), uses=2)  # + the transfer
    audit = _Shared(lambda: pruning_audit(campaign), uses=2)
    pairs = _Shared(lambda: transfer(campaign, importance=importance.take()), uses=2)
    diverged = _Shared(lambda: diverged_frame(campaign), uses=2)

    return {
        SUMMARY_CSV: table(lambda: summary_frame(campaign)),
        FULL_JSON: lambda out: write_full_json(out, campaign, generated_at),
        DIVERGED_CSV: table(diverged.take),
        DIVERGED_JSON: text(
            lambda: (
                dumps_strict(diverged_document(campaign, generated_at, diverged.take()), indent=1)
                + "\n"
            )
        ),
        SPACE_CSV: table(lambda: merged_space(campaign)),
        IMPORTANCE_CSV: table(lambda: importance.take().drop(columns=["study_id"])),
        PRUNING_CSV: table(lambda: audit.take().studies.drop(columns=["study_id"])),
        PRUNING_TRIALS_CSV: table(lambda: audit.take().trials.drop(columns=["study_id"])),
        TRANSFER_CSV: table(lambda: pairs.take().pairs),
        TRANSFER_PARAMS_CSV: table(lambda: pairs.take().params),
        GRID_INTERVALS_CSV: table(lambda: interval_export_frame(campaign)),
        README: text(lambda: render_readme(campaign, generated_at, summary_columns(campaign))),
    }


def render_export(campaign: Campaign, generated_at: datetime) -> dict[str, str]:
    """The text of every export file (nothing written): what :func:`write_export` writes."""
    texts = {}
    with _details_as_found(campaign):
        for name, writer in _writers(campaign, generated_at).items():
            out = io.StringIO()
            writer(out)
            texts[name] = out.getvalue()
    return texts


@contextlib.contextmanager
def _details_as_found(campaign: Campaign) -> Iterator[None]:
    """The campaign's per-trial details as they were before the block: built by a file of
    the export (and kept for the next ones), they are let go at its end, so an app that
    exports does not hold them for the rest of its life."""
    built = campaign.details_built
    try:
        yield
    finally:
        if not built:
            campaign.drop_details()


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux ``renameat2(RENAME_EXCHANGE)``)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(result == 0)


def _check_target(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir}: exists and is not a folder")
    parent = out_dir.parent
    if parent.exists() and not parent.is_dir():
        raise ExportError(f"{out_dir}: {parent} is not a folder")


def _publish(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    foreign = [p for p in out_dir.iterdir() if p.name not in EXPORT_FILES]
    if not foreign and _exchange(staging, out_dir):
        shutil.rmtree(staging)  # it now holds the previous export
        return
    # The folder holds other files too: replace ours one by one (each replace is atomic).
    for name in EXPORT_FILES:
        os.replace(staging / name, out_dir / name)
    shutil.rmtree(staging)


def write_export(
    campaign: Campaign,
    out_dir: Path | str = DEFAULT_OUT,
    *,
    generated_at: datetime | None = None,
    progress: ExportProgress | None = None,
) -> list[Path]:
    """Write the whole export set for ``campaign`` into ``out_dir``.

    Args:
        campaign: The loaded campaign.
        out_dir: Target folder (created with its parents if missing).
        generated_at: Timestamp recorded in the files (now, by default).
        progress: Called as ``progress(file_name, done, total)``.

    Returns:
        The paths written, in :data:`EXPORT_FILES` order.

    Raises:
        ExportError: when the folder cannot be written; nothing is changed then.
    """
    out_dir = Path(out_dir)
    if out_dir.is_symlink():  # publish into the folder the link points to, keep the link
        out_dir = Path(os.path.realpath(out_dir))
    generated_at = generated_at or datetime.now(UTC)
    _check_target(out_dir)
    total = len(EXPORT_FILES)
    staging: Path | None = None
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = _make_staging(out_dir)
        writers = _writers(campaign, generated_at)
        with _details_as_found(campaign):
            for done, name in enumerate(EXPORT_FILES, start=1):
                if progress is not None:
                    progress(name, done - 1, total)  # about to write ``name``
                _write_file(staging / name, writers.pop(name))
                if progress is not None:
                    progress(name, done, total)
        _publish(staging, out_dir)
        staging = None
    except OSError as exc:
        raise ExportError(f"{out_dir}: cannot write export ({_os_problem(exc)})") from None
    finally:
        if staging is not None and staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return [out_dir / name for name in EXPORT_FILES]


def _make_staging(out_dir: Path) -> Path:
    """A new sibling folder for the files being written. ``os.mkdir`` gives it the mode any
    new folder gets here (the umask applied), without reading or setting the process's umask
    (``tempfile.mkdtemp`` would make it 0700); an existing export's folder mode is kept."""
    for _ in range(100):
        path = out_dir.parent / f".{out_dir.name}.{secrets.token_hex(6)}"
        try:
            os.mkdir(path)
        except FileExistsError:
            continue
        if out_dir.is_dir():
            os.chmod(path, out_dir.stat().st_mode & 0o7777)
        return path
    raise FileExistsError(errno.EEXIST, "no free name for a staging folder", str(out_dir))


def _write_file(path: Path, writer: FileWriter) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        writer(handle)
        handle.flush()
        os.fsync(handle.fileno())


def _os_problem(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on device"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied" if exc.errno != errno.EROFS else "read-only file system"
    return exc.strerror or type(exc).__name__
