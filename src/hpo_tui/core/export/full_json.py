"""``hpo_full.json``: every study and trial with its curves, streamed study by study and a
chunk of trials at a time (never one document in memory; the chunks' texts come from
:mod:`~hpo_tui.core.export.full_json_records`); the same records as dicts
(:func:`full_document`, what the streamed bytes are tested against), one trial's record
(``hpo-tui trial --format json``) and the export's metadata block."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from itertools import pairwise
from typing import Any, TextIO

import numpy as np
import pandas as pd

from hpo_tui import __version__
from hpo_tui.core.analysis.summary import SUMMARY_COUNTS
from hpo_tui.core.export.formats.json import PlainList, dumps_strict
from hpo_tui.core.export.full_json_records import LATER_FIELDS
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.model.curves import STAT_COLUMNS
from hpo_tui.core.model.objectives import objectives_record
from hpo_tui.core.storage.raw import parse_distribution

FORMAT_VERSION = "hpo-tui-export/1"


def export_metadata(campaign: Campaign, generated_at: datetime) -> dict[str, Any]:
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
    *LATER_FIELDS,
    "feasible",
    "constraint_violation",
    *STAT_COLUMNS,
]


def _value_columns(campaign: Campaign, n_objectives: int) -> list[str]:
    """The ``trials`` columns of a study's objective values (``value`` for one objective)."""
    value_columns = [c for c in campaign.trials.columns if c.startswith("values_")]
    return value_columns[:n_objectives] if n_objectives > 1 else ["value"]


def _study_records(campaign: Campaign, study: Any) -> Iterator[dict[str, Any]]:
    """The trial records of one study (see :func:`_records`)."""
    positions = np.flatnonzero(campaign.trials["study_id"].to_numpy() == study.study_id)
    return _records(campaign, positions, _value_columns(campaign, study.n_objectives))


def _records(
    campaign: Campaign, positions: np.ndarray, columns: list[str]
) -> Iterator[dict[str, Any]]:
    """The records of the trials at ``positions`` (rows of ``trials``), built from the
    frames' columns (no per-trial row lookups); their curves are gathered for them only, so
    memory stays bounded."""
    trials = campaign.trials
    rows = trials.iloc[positions]
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
    """Write ``hpo_full.json`` to ``out`` study by study, a chunk of trials at a time: the
    same bytes as :func:`full_document`'s metadata, study heads and trial records each through
    :func:`dumps_strict` (one compact document when orjson takes every record), never held
    whole in memory.

    A chunk's records are made column by column
    (:mod:`~hpo_tui.core.export.full_json_records`): each field's texts for every trial of
    the chunk at once, spliced into records by Arrow. Onto a file, the chunk's UTF-8 bytes go
    to its binary buffer in one write; onto a text stream, record by record.
    """
    from hpo_tui.core.export.formats.json_columns import replace_texts, text_buffers
    from hpo_tui.core.export.full_json_records import RecordChunks

    buffer = getattr(out, "buffer", None)
    if buffer is not None:
        out.flush()

        def write(chunk: bytes | memoryview) -> None:
            buffer.write(chunk)
    else:

        def write(chunk: bytes | memoryview) -> None:
            out.write(str(chunk, "utf-8"))

    write(b'{"metadata":' + _dumps(export_metadata(campaign, generated_at)) + b',"studies":[')
    chunks = RecordChunks(campaign, _distribution_doc)
    for index, (study, positions) in enumerate(chunks.studies()):
        head = _dumps(_study_head(campaign, study))
        assert head.endswith(b'"trials":[]}')
        write((b"," if index else b"") + head[:-2])
        columns = _value_columns(campaign, study.n_objectives)
        skip = 1  # each record's text starts with a comma, but the study's first
        for chunk, records, refused in chunks.records(positions, columns):
            if refused.any():  # what dumps_strict hands to ``json``: the whole record
                texts = [b"," + _dumps(r) for r in _records(campaign, chunk[refused], columns)]
                records = replace_texts(records, refused, texts)
            data, offsets = text_buffers(records)
            if buffer is not None:
                write(data[offsets[0] + skip : offsets[-1]])
            else:
                for begin, end in pairwise(offsets.tolist()):
                    write(data[begin + skip : end])
                    skip = 0
            skip = 0
            del records, data  # not alive while the next chunk is made
        write(b"]}")
    write(b"]}\n")
    if buffer is not None:
        buffer.flush()


def _dumps(data: Any) -> bytes:
    """:func:`dumps_strict` as UTF-8 bytes."""
    return dumps_strict(data).encode()


def full_document(campaign: Campaign, generated_at: datetime) -> dict[str, Any]:
    """Everything, nested: metadata → studies → trials (with every curve in full); what
    ``hpo_full.json`` holds, as one object (the export streams it instead)."""
    studies = []
    for study in campaign.studies.itertuples(index=False):
        head = _study_head(campaign, study)
        head["trials"] = list(_study_records(campaign, study))
        studies.append(head)
    return {"metadata": export_metadata(campaign, generated_at), "studies": studies}


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
