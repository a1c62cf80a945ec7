"""Write the analysis export: ``hpo_summary.csv``, ``hpo_full.json``, ``hpo_diverged.csv``,
``hpo_diverged.json``, ``hpo_search_space.csv``, ``hpo_importance.csv``, ``hpo_pruning.csv``,
``hpo_pruning_trials.csv``, ``hpo_transfer.csv``, ``hpo_transfer_params.csv``,
``hpo_grid_intervals.csv`` and a ``README.md`` data dictionary, atomically.

The files are written into a temporary sibling folder and moved into place only when all of
them are complete, so a failure or a kill mid-export leaves the previous export intact. The
same campaign gives byte-identical files apart from ``generated_at``.
"""

from __future__ import annotations

import ctypes
import errno
import io
import os
import secrets
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from hpo_tui import __version__
from hpo_tui.core.analysis.diverged_trials import EVIDENCE_COLUMNS, diverged_trials
from hpo_tui.core.analysis.importance import campaign_importance
from hpo_tui.core.analysis.pruning import PruningAudit, pruning_audit
from hpo_tui.core.analysis.space import merged_space
from hpo_tui.core.analysis.summary import SUMMARY_COUNTS
from hpo_tui.core.analysis.transfer import Transfer, transfer
from hpo_tui.core.errors import HpoTuiError
from hpo_tui.core.export.defaults import DEFAULT_OUT
from hpo_tui.core.export.formats.csv import frame_to_csv, utc_iso_texts
from hpo_tui.core.export.formats.grid import interval_export_frame
from hpo_tui.core.export.formats.json import PlainList, dumps_strict, json_number, strict_json
from hpo_tui.core.export.readme import render_readme
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.model.constraints import CONSTRAINT_COLUMNS
from hpo_tui.core.model.curves import STAT_COLUMNS
from hpo_tui.core.model.objectives import objectives_record
from hpo_tui.core.storage.raw import parse_distribution

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
FORMAT_VERSION = "hpo-tui-export/1"

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


def _metadata(campaign: Campaign, generated_at: datetime) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "hpo_tui_version": __version__,
        "generated_at": generated_at.isoformat(),
        "sources": [s.display for s in campaign.sources],
        "axis_pattern": campaign.config.axis_pattern,
        "axis_names": list(campaign.axis_names),
        "divergence_rules": campaign.config.divergence.as_dict(),
        "non_finite_encoding": 'NaN, +inf and -inf are the strings "NaN", "Infinity", "-Infinity"',
    }


def _curves_by_trial(curves: pd.DataFrame) -> dict[int, dict[str, dict[str, list[Any]]]]:
    """``{key: {curve: {"steps": [...], "values": [...]}}}`` of a (slice of the) curves frame."""
    out: dict[int, dict[str, dict[str, list[Any]]]] = {}
    if curves.empty:
        return out
    keys = curves["key"].to_numpy()
    codes = curves["curve"].cat.codes.to_numpy()
    categories = curves["curve"].cat.categories
    steps = curves["step"].to_numpy()
    values = curves["value"].to_numpy(dtype=float)
    boundaries = np.flatnonzero((keys[1:] != keys[:-1]) | (codes[1:] != codes[:-1])) + 1
    starts = np.r_[0, boundaries]
    ends = np.r_[boundaries, len(keys)]
    # Segments whose values are all finite need no per-number check when written out.
    non_finite = np.r_[0, np.cumsum(~np.isfinite(values))]
    finite = (non_finite[ends] - non_finite[starts] == 0).tolist()
    step_list = PlainList if steps.dtype.kind in "iu" else list
    # One conversion to Python objects for the whole slice, then list slices (C copies):
    # a numpy ``tolist`` per curve costs more in call overhead than in converting.
    all_steps = steps.tolist()
    all_values = values.tolist()
    names = [str(c) for c in categories]
    key_list = keys.tolist()
    code_list = codes.tolist()
    for start, end, plain in zip(starts.tolist(), ends.tolist(), finite, strict=True):
        entry = out.setdefault(int(key_list[start]), {})
        entry[names[code_list[start]]] = {
            "steps": step_list(all_steps[start:end]),
            "values": (PlainList if plain else list)(all_values[start:end]),
        }
    return out


def _trial_record(
    row: dict[str, Any],
    detail: Mapping[str, Any],
    value_columns: list[str],
    curves: dict[str, dict[str, list[Any]]],
    distribution: Callable[[str], dict[str, Any]],
) -> dict[str, Any]:
    """One trial of ``hpo_full.json`` (also what ``hpo-tui trial --format json`` prints)."""
    found = [row[c] for c in value_columns]
    # None: Optuna stored no value (FAIL, RUNNING, WAITING).
    values = None if all(pd.isna(v) for v in found) else found
    return {
        "number": row["number"],
        "state": row["state"],
        "values": values,
        "feasible": None if pd.isna(row["feasible"]) else bool(row["feasible"]),
        "constraint_violation": (
            None if pd.isna(row["constraint_violation"]) else row["constraint_violation"]
        ),
        "params": dict(sorted(detail["params"].items())),
        "distributions": {
            name: distribution(text) for name, text in sorted(detail["distributions"].items())
        },
        "user_attrs": dict(sorted(detail["user_attrs"].items())),
        "system_attrs": dict(sorted(detail["system_attrs"].items())),
        "datetime_start": row["datetime_start"],
        "datetime_complete": row["datetime_complete"],
        "duration_s": row["duration_s"],
        "diverged": row["diverged"],
        "diverged_reason": row["diverged_reason"],
        "diverged_curve": row["diverged_curve"],
        "diverged_step": row["diverged_step"],
        "spike_step": row["spike_step"],
        "curve_stats": {c: row[c] for c in STAT_COLUMNS},
        "curves": curves,
    }


def _study_head(campaign: Campaign, study: Any) -> dict[str, Any]:
    """A study of ``hpo_full.json`` without its trials (``trials`` last, empty)."""
    return {
        "study": study.study,
        "source": study.source,
        "axes": {a: getattr(study, a) for a in campaign.axis_names},
        "sweep": study.sweep,
        "directions": [d.lower() for d in study.directions],
        "objectives": objectives_record(study._asdict()),
        "user_attrs": dict(sorted(study.user_attrs.items())),
        "system_attrs": dict(sorted(study.system_attrs.items())),
        "counts": {c: getattr(study, c) for c in SUMMARY_COUNTS},
        "constrained": bool(study.constrained),
        "best": {"value": study.best_value, "trial": study.best_trial},
        "trials": [],
    }


_TRIAL_FIELDS = [
    "key",
    "number",
    "state",
    "datetime_start",
    "datetime_complete",
    "duration_s",
    "diverged",
    "diverged_reason",
    "diverged_curve",
    "diverged_step",
    "spike_step",
    "feasible",
    "constraint_violation",
    *STAT_COLUMNS,
]


def _study_records(campaign: Campaign, study: Any) -> Iterator[dict[str, Any]]:
    """The trial records of one study, built from the frames' columns (no per-trial row
    lookups); its curves are gathered for this study only, so memory stays bounded."""
    trials = campaign.trials
    positions = np.flatnonzero(trials["study_id"].to_numpy() == study.study_id)
    rows = trials.iloc[positions]
    value_columns = [c for c in trials.columns if c.startswith("values_")]
    columns = value_columns[: study.n_objectives] if study.n_objectives > 1 else ["value"]
    fields = {c: rows[c].tolist() for c in [*_TRIAL_FIELDS, *columns]}
    details = campaign.details
    detail_columns = {
        c: details[c].to_numpy(dtype=object)[positions]
        for c in ("params", "distributions", "user_attrs", "system_attrs")
    }
    curves_frame = campaign.curves
    mask = np.isin(curves_frame["key"].to_numpy(), rows["key"].to_numpy())
    curves = _curves_by_trial(curves_frame[mask])
    distribution_docs: dict[str, dict[str, Any]] = {}

    def distribution(text: str) -> dict[str, Any]:
        if text not in distribution_docs:
            distribution_docs[text] = _distribution_doc(text)
        return distribution_docs[text]

    for i in range(len(rows)):
        row = {name: values[i] for name, values in fields.items()}
        detail = {name: values[i] for name, values in detail_columns.items()}
        yield _trial_record(row, detail, columns, curves.get(int(row["key"]), {}), distribution)


def write_full_json(out: TextIO, campaign: Campaign, generated_at: datetime) -> None:
    """Write ``hpo_full.json`` to ``out`` study by study and trial by trial: the same bytes
    as one compact document of :func:`full_document`, never held whole in memory.

    Each study's columns are made plain JSON values once (:func:`_json_column`) and its curve
    points stay numpy slices that orjson writes directly, so a trial's record is one dict of
    ready values and one ``orjson.dumps``. Onto a file, the UTF-8 bytes go to its binary
    buffer, without a round trip through ``str``.
    """
    buffer = getattr(out, "buffer", None)
    if buffer is not None:
        out.flush()

        def write(chunk: bytes) -> None:
            buffer.write(chunk)
    else:

        def write(chunk: bytes) -> None:
            out.write(chunk.decode())

    write(b'{"metadata":' + _dumps(_metadata(campaign, generated_at)) + b',"studies":[')
    for index, study in enumerate(campaign.studies.itertuples(index=False)):
        head = _dumps(_study_head(campaign, study))
        assert head.endswith(b'"trials":[]}')
        write((b"," if index else b"") + head[:-2])
        for number, record in enumerate(_study_record_texts(campaign, study)):
            write(b"," + record if number else record)
        write(b"]}")
    write(b"]}\n")
    if buffer is not None:
        buffer.flush()


def _dumps(data: Any) -> bytes:
    """:func:`dumps_strict` as UTF-8 bytes."""
    return dumps_strict(data).encode()


def _json_column(series: pd.Series) -> list[Any]:
    """``strict_json`` of every value of a column, a whole numpy column at once where the
    dtype allows (floats: only the non-finite ones replaced; ints, bools as they are; UTC
    datetimes formatted by numpy as ``Timestamp.isoformat`` does)."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = series.to_numpy()
        out = values.tolist()
        for row in np.flatnonzero(~np.isfinite(values)).tolist():
            out[row] = json_number(out[row])
        return out
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        return series.tolist()
    if isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC":
        texts = utc_iso_texts(series)
        if texts is not None:
            return [text or None for text in texts]
    return [strict_json(v) for v in series.tolist()]


def _curve_arrays(curves: pd.DataFrame) -> dict[int, dict[str, dict[str, Any]]]:
    """:func:`_curves_by_trial` for orjson: finite runs of values and integer steps as numpy
    slices (views: no Python number is made), other runs as strict JSON lists."""
    out: dict[int, dict[str, dict[str, Any]]] = {}
    if curves.empty:
        return out
    keys = curves["key"].to_numpy()
    codes = curves["curve"].cat.codes.to_numpy()
    names = [str(c) for c in curves["curve"].cat.categories]
    steps = curves["step"].to_numpy()
    if steps.dtype.kind in "iu":
        steps = np.ascontiguousarray(steps, dtype=np.int64)
    values = np.ascontiguousarray(curves["value"].to_numpy(dtype=float))
    boundaries = np.flatnonzero((keys[1:] != keys[:-1]) | (codes[1:] != codes[:-1])) + 1
    starts = np.r_[0, boundaries]
    ends = np.r_[boundaries, len(keys)]
    non_finite = np.r_[0, np.cumsum(~np.isfinite(values))]
    finite = (non_finite[ends] - non_finite[starts] == 0).tolist()
    integer_steps = steps.dtype == np.int64
    key_list = keys[starts].tolist()
    code_list = codes[starts].tolist()
    for key, code, start, end, plain in zip(
        key_list, code_list, starts.tolist(), ends.tolist(), finite, strict=True
    ):
        run = values[start:end]
        out.setdefault(int(key), {})[names[code]] = {
            "steps": steps[start:end] if integer_steps else strict_json(steps[start:end].tolist()),
            "values": run if plain else [json_number(v) for v in run.tolist()],
        }
    return out


def _study_record_texts(campaign: Campaign, study: Any) -> Iterator[bytes]:
    """The JSON text of each trial record of one study, as :func:`_study_records` gives them
    through :func:`dumps_strict`; its columns converted once, its curves gathered for this
    study only (memory stays bounded)."""
    import orjson

    trials = campaign.trials
    positions = np.flatnonzero(trials["study_id"].to_numpy() == study.study_id)
    rows = trials.iloc[positions]
    value_columns = [c for c in trials.columns if c.startswith("values_")]
    columns = value_columns[: study.n_objectives] if study.n_objectives > 1 else ["value"]
    fields = {c: _json_column(rows[c]) for c in _TRIAL_FIELDS if c not in ("key",)}
    values = [_json_column(rows[c]) for c in columns]
    no_value = rows[columns].isna().all(axis=1).to_numpy().tolist()
    feasible_missing = rows["feasible"].isna().to_numpy().tolist()
    feasible = [
        None if missing else bool(v)
        for v, missing in zip(rows["feasible"].tolist(), feasible_missing, strict=True)
    ]
    violation = [
        None if missing else v
        for v, missing in zip(
            fields["constraint_violation"],
            rows["constraint_violation"].isna().to_numpy().tolist(),
            strict=True,
        )
    ]
    details = campaign.details
    detail_columns = {
        c: details[c].to_numpy(dtype=object)[positions]
        for c in ("params", "distributions", "user_attrs", "system_attrs")
    }
    curves_frame = campaign.curves
    mask = np.isin(curves_frame["key"].to_numpy(), rows["key"].to_numpy())
    curves = _curve_arrays(curves_frame[mask])
    distribution_docs: dict[str, Any] = {}
    stats = [fields[c] for c in STAT_COLUMNS]
    option = orjson.OPT_SERIALIZE_NUMPY
    for i, key in enumerate(rows["key"].tolist()):
        texts = detail_columns["distributions"][i]
        for text in texts.values():
            if text not in distribution_docs:
                distribution_docs[text] = strict_json(_distribution_doc(text))
        record = {
            "number": fields["number"][i],
            "state": fields["state"][i],
            "values": None if no_value[i] else [column[i] for column in values],
            "feasible": feasible[i],
            "constraint_violation": violation[i],
            "params": strict_json(dict(sorted(detail_columns["params"][i].items()))),
            "distributions": {name: distribution_docs[texts[name]] for name in sorted(texts)},
            "user_attrs": strict_json(dict(sorted(detail_columns["user_attrs"][i].items()))),
            "system_attrs": strict_json(dict(sorted(detail_columns["system_attrs"][i].items()))),
            "datetime_start": fields["datetime_start"][i],
            "datetime_complete": fields["datetime_complete"][i],
            "duration_s": fields["duration_s"][i],
            "diverged": fields["diverged"][i],
            "diverged_reason": fields["diverged_reason"][i],
            "diverged_curve": fields["diverged_curve"][i],
            "diverged_step": fields["diverged_step"][i],
            "spike_step": fields["spike_step"][i],
            "curve_stats": {c: column[i] for c, column in zip(STAT_COLUMNS, stats, strict=True)},
            "curves": curves.get(int(key), {}),
        }
        try:
            yield orjson.dumps(record, option=option)
        except orjson.JSONEncodeError:  # what dumps_strict hands to ``json`` instead
            yield _dumps(_lists(record))


def _lists(data: Any) -> Any:
    """``data`` with every numpy array made a list (for the standard ``json`` module)."""
    if isinstance(data, np.ndarray):
        return data.tolist()
    if isinstance(data, dict):
        return {k: _lists(v) for k, v in data.items()}
    return data


def full_document(campaign: Campaign, generated_at: datetime) -> dict[str, Any]:
    """Everything, nested: metadata → studies → trials (with every curve in full); what
    ``hpo_full.json`` holds, as one object (the export streams it instead)."""
    studies = []
    for study in campaign.studies.itertuples(index=False):
        head = _study_head(campaign, study)
        head["trials"] = list(_study_records(campaign, study))
        studies.append(head)
    return {"metadata": _metadata(campaign, generated_at), "studies": studies}


def trial_document(campaign: Campaign, key: int) -> dict[str, Any]:
    """One trial as ``hpo_full.json`` holds it, with its study's name, source and objectives
    first."""
    row = campaign.trials.loc[key].to_dict()
    study = campaign.studies.set_index("study_id").loc[int(row["study_id"])]
    n_objectives = int(study["n_objectives"])
    value_columns = [c for c in campaign.trials.columns if c.startswith("values_")]
    columns = value_columns[:n_objectives] if n_objectives > 1 else ["value"]
    curves = _curves_by_trial(campaign.trial_curves(key)).get(key, {})
    record = _trial_record(row, campaign.trial_detail(key), columns, curves, _distribution_doc)
    return {
        "study": study["study"],
        "source": study["source"],
        "objectives": objectives_record(study),
        **record,
    }


def _distribution_doc(text: str) -> dict[str, Any]:
    from optuna.distributions import CategoricalDistribution, IntDistribution

    dist = parse_distribution(text)
    if isinstance(dist, CategoricalDistribution):
        return {"type": "categorical", "choices": list(dist.choices)}
    kind = "int" if isinstance(dist, IntDistribution) else "float"
    return {"type": kind, "low": dist.low, "high": dist.high, "log": dist.log, "step": dist.step}


def diverged_document(campaign: Campaign, generated_at: datetime) -> dict[str, Any]:
    """The diverged trials as JSON: metadata plus one record per trial."""
    frame = diverged_frame(campaign)
    return {
        "metadata": _metadata(campaign, generated_at),
        "trials": frame.to_dict("records"),
    }


FileWriter = Callable[[TextIO], None]


def _writers(campaign: Campaign, generated_at: datetime) -> dict[str, FileWriter]:
    """One function per export file, writing its text to a handle (in EXPORT_FILES order)."""

    def text(make: Callable[[], str]) -> FileWriter:
        def write(out: TextIO) -> None:
            out.write(make())

        return write

    audits: list[PruningAudit] = []  # computed once, for the two pruning files

    def audit() -> PruningAudit:
        if not audits:
            audits.append(pruning_audit(campaign))
        return audits[0]

    transfers: list[Transfer] = []  # computed once, for the two transfer files

    def pairs() -> Transfer:
        if not transfers:
            transfers.append(transfer(campaign))
        return transfers[0]

    return {
        SUMMARY_CSV: text(lambda: frame_to_csv(summary_frame(campaign))),
        FULL_JSON: lambda out: write_full_json(out, campaign, generated_at),
        DIVERGED_CSV: text(lambda: frame_to_csv(diverged_frame(campaign))),
        DIVERGED_JSON: text(
            lambda: dumps_strict(diverged_document(campaign, generated_at), indent=1) + "\n"
        ),
        SPACE_CSV: text(lambda: frame_to_csv(merged_space(campaign))),
        IMPORTANCE_CSV: text(
            lambda: frame_to_csv(campaign_importance(campaign).drop(columns=["study_id"]))
        ),
        PRUNING_CSV: text(lambda: frame_to_csv(audit().studies.drop(columns=["study_id"]))),
        PRUNING_TRIALS_CSV: text(lambda: frame_to_csv(audit().trials.drop(columns=["study_id"]))),
        TRANSFER_CSV: text(lambda: frame_to_csv(pairs().pairs)),
        TRANSFER_PARAMS_CSV: text(lambda: frame_to_csv(pairs().params)),
        GRID_INTERVALS_CSV: text(lambda: frame_to_csv(interval_export_frame(campaign))),
        README: text(lambda: render_readme(campaign, generated_at, summary_columns(campaign))),
    }


def render_export(campaign: Campaign, generated_at: datetime) -> dict[str, str]:
    """The text of every export file (nothing written): what :func:`write_export` writes."""
    texts = {}
    for name, writer in _writers(campaign, generated_at).items():
        out = io.StringIO()
        writer(out)
        texts[name] = out.getvalue()
    return texts


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
        for done, name in enumerate(EXPORT_FILES, start=1):
            if progress is not None:
                progress(name, done - 1, total)  # about to write ``name``
            _write_file(staging / name, writers[name])
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
