"""``hpo_full.json``: every study and trial with its curves, built study by study from the
campaign's columnar frames and streamed (never one document in memory); also one trial's
record (``hpo-tui trial --format json``) and the export's metadata block."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, TextIO

import numpy as np
import pandas as pd

from hpo_tui import __version__
from hpo_tui.core.analysis.summary import SUMMARY_COUNTS
from hpo_tui.core.export.formats.csv import utc_iso_texts
from hpo_tui.core.export.formats.json import PlainList, dumps_strict, json_number, strict_json
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

    write(b'{"metadata":' + _dumps(export_metadata(campaign, generated_at)) + b',"studies":[')
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
