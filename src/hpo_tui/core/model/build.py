"""From raw tables to a :class:`~hpo_tui.core.model.frames.Campaign`.

:func:`build_campaign` merges the raw tables of several sources (``core.storage.raw``), gives
every study and trial its campaign-wide id, and assembles the three frames: the ``studies``
summary, the wide ``trials`` frame (values, constraints, divergence, timing, one column per
param and per scalar user attr, curve statistics) and the long ``curves`` frame
(:func:`hpo_tui.core.model.curves.build_curves`). Column names and order are documented in
``docs/data-model.md``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hpo_tui.core.config import Config
from hpo_tui.core.display import printable
from hpo_tui.core.model.axes import parse_axes, sweep_name
from hpo_tui.core.model.constraints import CONSTRAINT_COLUMNS, infeasible_mask, trial_feasibility
from hpo_tui.core.model.curves import STAT_COLUMNS, build_curves, curve_stats
from hpo_tui.core.model.details import DetailTables
from hpo_tui.core.model.divergence import DIVERGENCE_COLUMNS, detect_divergence
from hpo_tui.core.model.frames import (
    STATES,
    STUDY_ID_BITS,
    TRIAL_KEY_BITS,
    Campaign,
    heartbeat_frame,
)
from hpo_tui.core.storage.raw import RawTables
from hpo_tui.core.storage.sources import Source


def build_campaign(parts: list[tuple[Source, RawTables]], config: Config) -> Campaign:
    """Merge the raw tables of several sources into one campaign (see module docstring).

    The position of a source in ``parts`` is part of its ids (``study_id``, ``key``).
    """
    study_frames = []
    trial_frames = []
    values, params, users, systems, inters = [], [], [], [], []
    heartbeats: list[pd.DataFrame] = []
    for index, (source, raw) in enumerate(parts):
        # Ids stable across refreshes: the source's position and the storage's own id.
        study_base = np.int64(index) << np.int64(STUDY_ID_BITS)
        key_base = np.int64(index) << np.int64(TRIAL_KEY_BITS)
        studies = raw.studies.sort_values("study_id", kind="stable").reset_index(drop=True)
        storage_ids = studies["study_id"].to_numpy(dtype=np.int64)
        study_map = pd.Series(study_base + storage_ids, index=storage_ids)
        study_frames.append(studies.assign(study_id=study_map.to_numpy(), source=source.display))
        trials = raw.trials.sort_values(["study_id", "number"], kind="stable").reset_index(
            drop=True
        )
        trial_ids = trials["trial_id"].to_numpy(dtype=np.int64)
        trial_frames.append(
            trials.assign(
                key=key_base + trial_ids,
                study_id=trials["study_id"].map(study_map).to_numpy(),
            ).drop(columns=["trial_id"])
        )

        def keyed(
            table: pd.DataFrame, trial_ids: np.ndarray = trial_ids, key_base: np.int64 = key_base
        ) -> pd.DataFrame:
            """``table`` with the campaign's ``key`` (the source's base + the trial id) for
            its storage ``trial_id``; rows of trials deleted meanwhile are dropped. Millions
            of rows: one membership test, and no copy of the other columns when every row's
            trial is known (the usual case)."""
            ids = table["trial_id"].to_numpy(dtype=np.int64)
            ok = np.isin(ids, trial_ids)
            if bool(ok.all()):
                return table.assign(key=key_base + ids).drop(columns=["trial_id"])
            return table[ok].assign(key=key_base + ids[ok]).drop(columns=["trial_id"])

        heartbeats.append(keyed(raw.heartbeats))
        values.append(keyed(raw.values))
        params.append(keyed(raw.params))
        users.append(keyed(raw.trial_user_attrs.rename(columns={"key": "attr"})))
        systems.append(keyed(raw.trial_system_attrs.rename(columns={"key": "attr"})))
        inters.append(keyed(raw.intermediate))

    def cat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
        frames = [f for f in frames if not f.empty]
        if not frames:
            return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
        return pd.concat(frames, ignore_index=True)

    studies = cat(
        study_frames,
        ["study_id", "study_name", "directions", "user_attrs", "system_attrs", "source"],
    )
    trials = cat(
        trial_frames, ["key", "study_id", "number", "state", "datetime_start", "datetime_complete"]
    )
    values_df = cat(values, ["key", "objective", "value"])
    params_df = cat(params, ["key", "param_name", "value", "distribution_json"])
    users_df = cat(users, ["key", "attr", "value"])
    systems_df = cat(systems, ["key", "attr", "value"])
    inter_df = cat(inters, ["key", "step", "value"])
    campaign = _assemble(
        studies,
        trials,
        values_df,
        params_df,
        users_df,
        systems_df,
        inter_df,
        [s for s, _ in parts],
        config,
    )
    campaign.heartbeats = heartbeat_frame(heartbeats)
    return campaign


def _assemble(
    studies: pd.DataFrame,
    trials: pd.DataFrame,
    values: pd.DataFrame,
    params: pd.DataFrame,
    users: pd.DataFrame,
    systems: pd.DataFrame,
    inter: pd.DataFrame,
    sources: list[Source],
    config: Config,
) -> Campaign:
    axis_names = config.axis_names
    studies = studies.rename(columns={"study_name": "study"}).reset_index(drop=True)
    studies["study_id"] = studies["study_id"].astype(np.int64)
    n_obj = studies["directions"].map(len).astype(np.int64)
    studies["n_objectives"] = n_obj
    studies["direction"] = (
        studies["directions"].map(lambda ds: ",".join(str(d).lower() for d in ds)).astype(object)
    )
    for axis in axis_names:
        studies[axis] = None
    for row, name in enumerate(studies["study"]):
        for axis, token in parse_axes(str(name), config.axis_pattern).items():
            studies.loc[row, axis] = token
    for axis in axis_names:
        studies[axis] = studies[axis].astype(object)
    studies["sweep"] = _sweeps(studies, config.axis_pattern, axis_names)

    trials = trials.sort_values(["study_id", "number"], kind="stable").reset_index(drop=True)
    trials["key"] = trials["key"].astype(np.int64)
    trials["study_id"] = trials["study_id"].astype(np.int64)
    trials["number"] = trials["number"].astype(np.int64)
    trials["state"] = trials["state"].astype(object)
    key_index = pd.Index(trials["key"].to_numpy())  # unnamed: "key" is also a column
    trials.index = key_index

    study_info = studies.set_index("study_id")
    trials.insert(1, "study", trials["study_id"].map(study_info["study"]).astype(object))
    for position, axis in enumerate(axis_names, start=2):
        trials.insert(position, axis, trials["study_id"].map(study_info[axis]).astype(object))
    sweep_of = trials["study_id"].map(study_info["sweep"]).astype(object)
    trials.insert(2 + len(axis_names), "sweep", sweep_of.where(sweep_of.notna(), None))
    for column in ("datetime_start", "datetime_complete"):
        trials[column] = trials[column].astype("datetime64[ns, UTC]")
    trials["duration_s"] = (
        trials["datetime_complete"] - trials["datetime_start"]
    ).dt.total_seconds()

    # Values: "value" for single-objective studies, values_<i> for multi-objective ones.
    multi_keys = set(trials.index[trials["study_id"].map(study_info["n_objectives"]) > 1])
    vals = values.assign(key=values["key"].astype(np.int64))
    single = vals[(~vals["key"].isin(list(multi_keys))) & (vals["objective"] == 0)]
    trials["value"] = single.set_index("key")["value"].reindex(key_index).astype(float)
    if multi_keys:
        multi = vals[vals["key"].isin(list(multi_keys))]
        for objective in sorted(multi["objective"].unique()):
            part = multi[multi["objective"] == objective].set_index("key")["value"]
            trials[f"values_{int(objective)}"] = part.reindex(key_index).astype(float)

    # Curves: intermediate values plus every list-of-numbers user attr, built as columns.
    curves, segments = build_curves(inter, users)

    scalar_mask = np.array(
        [v is None or type(v) in (bool, int, float, str) for v in users["value"]], dtype=bool
    )
    scalars = users[scalar_mask]

    # Divergence and curve statistics.
    directions = trials["study_id"].map(study_info["direction"])
    minimize_keys = set(trials.index[directions == "minimize"])
    maximize_keys = set(trials.index[directions == "maximize"])
    divergence = detect_divergence(
        key_index, curves, segments, scalars, minimize_keys, config.divergence
    )
    for column in DIVERGENCE_COLUMNS:
        trials[column] = divergence[column]
    trials["diverged"] = trials["diverged"].astype(bool)

    feasibility, unreadable = trial_feasibility(key_index, systems)
    for column in CONSTRAINT_COLUMNS:
        trials[column] = feasibility[column]
    warnings = [
        f"{printable(str(trials.at[key, 'study']))} trial {int(trials.at[key, 'number'])}: "
        "constraint values that are not numbers; its feasibility is left empty"
        for key in unreadable
        if key in key_index
    ]

    param_wide = _wide(params.rename(columns={"param_name": "name"}), "name", "param_", key_index)
    user_wide = _wide(scalars.rename(columns={"attr": "name"}), "name", "user_attr_", key_index)
    stats = curve_stats(curves, segments, maximize_keys).reindex(key_index)
    stats["curve"] = stats["curve"].astype(object)
    stats["curve"] = stats["curve"].where(stats["curve"].notna(), None)
    stats["curve_n_steps"] = stats["curve_n_steps"].fillna(0).astype(np.int64)
    stats["curve_best_step"] = stats["curve_best_step"].astype("Int64")
    trials = pd.concat([trials, param_wide, user_wide, stats[STAT_COLUMNS]], axis=1)
    trials.index = key_index
    trials = trials[trial_column_order(list(trials.columns), axis_names)]

    # Study and trial number per curve point, looked up once per segment.
    seg_rows = key_index.get_indexer(segments.key)
    curves.insert(
        1, "study_id", np.repeat(trials["study_id"].to_numpy()[seg_rows], segments.length)
    )
    curves.insert(
        2, "study", _categorical_rows(trials["study"].to_numpy(), seg_rows, segments.length)
    )
    curves.insert(3, "number", np.repeat(trials["number"].to_numpy()[seg_rows], segments.length))

    studies = summarize_studies(studies, trials, axis_names)
    return Campaign(
        studies=studies,
        trials=trials,
        curves=curves,
        detail_tables=DetailTables(params, users, systems),
        sources=sources,
        config=config,
        axis_names=axis_names,
        warnings=warnings,
    )


def _sweeps(studies: pd.DataFrame, pattern: str, axis_names: tuple[str, ...]) -> pd.Series:
    """Each study's sweep: the part of its name outside the axes (None off the grid).

    When the same study name comes from two sources (two copies of a file, or one sweep
    resumed into another storage), the source is part of the sweep (``phase5 @ old.db``), so
    that neither copy hides the other on the grid.
    """
    bases = [sweep_name(str(name), pattern) for name in studies["study"]]
    on_grid = studies[list(axis_names)].notna().all(axis=1).to_numpy() if axis_names else None
    frame = pd.DataFrame(
        {"base": bases, "study": studies["study"].astype(str), "source": studies["source"]}
    )
    if on_grid is not None:
        frame.loc[~on_grid, "base"] = None
    grid = frame[frame["base"].notna()]
    sources_per_name = grid.groupby(["base", "study"])["source"].nunique()
    shared = {base for (base, _), n in sources_per_name.items() if n > 1}
    out = [
        None
        if not isinstance(base, str)
        else (f"{base} @ {source}".strip() if base in shared else base)
        for base, source in zip(frame["base"], frame["source"], strict=True)
    ]
    return pd.Series(out, index=studies.index, dtype=object)


def typed_column(values: pd.Series) -> pd.Series:
    """Keep original Python types: all-float → float64, all-int → Int64, else object."""
    present = values.dropna()
    kinds = {type(v) for v in present}
    if kinds and kinds <= {float}:
        return values.astype(float)
    if kinds and kinds <= {int} and all(-(2**63) <= v < 2**63 for v in present):
        return values.astype("Int64")
    if kinds and kinds <= {bool}:
        return values.astype("boolean")
    if kinds and kinds <= {str}:
        return values.astype(object)
    return values.astype(object)


def _wide(long: pd.DataFrame, column: str, prefix: str, index: pd.Index) -> pd.DataFrame:
    """Pivot ``key, <column>, value`` to one ``prefix<name>`` column per name."""
    if long.empty:
        return pd.DataFrame(index=index)
    pivot = long.pivot(index="key", columns=column, values="value").reindex(index)
    result = {}
    for name in sorted(pivot.columns, key=str):
        series = pivot[name].astype(object)
        series = series.where(series.notna(), None) if series.dtype == object else series
        result[f"{prefix}{name}"] = typed_column(series)
    return pd.DataFrame(result, index=index)


def trial_column_order(columns: list[str], axis_names: tuple[str, ...]) -> list[str]:
    """The trials frame's column order: identity, outcome, divergence, timing, params (by
    name), scalar user attrs (by name), curve statistics."""
    values = [c for c in columns if c == "value" or c.startswith("values_")]
    return [
        "key",
        "study_id",
        "study",
        *axis_names,
        "sweep",
        "number",
        "state",
        *values,
        *CONSTRAINT_COLUMNS,
        *DIVERGENCE_COLUMNS,
        "datetime_start",
        "datetime_complete",
        "duration_s",
        *sorted(c for c in columns if c.startswith("param_")),
        *sorted(c for c in columns if c.startswith("user_attr_")),
        *STAT_COLUMNS,
    ]


def _categorical_rows(
    values: np.ndarray, seg_rows: np.ndarray, lengths: np.ndarray
) -> pd.Categorical:
    """``values[seg_rows]`` repeated ``lengths`` times, as a Categorical of sorted plain
    Python strings (only those used), built from codes per segment: no millions of objects."""
    codes, uniques = pd.factorize(values)
    seg_codes = codes[seg_rows] if len(seg_rows) else np.zeros(0, dtype=np.int64)
    used = np.unique(seg_codes)
    unique = sorted({str(uniques[c]) for c in used})
    position = {name: code for code, name in enumerate(unique)}
    remap = np.full(len(uniques), -1, dtype=np.int32)
    for code in used:
        remap[code] = position[str(uniques[code])]
    return pd.Categorical.from_codes(
        np.repeat(remap[seg_codes], lengths), categories=pd.Index(unique, dtype=object)
    )


def summarize_studies(
    studies: pd.DataFrame, trials: pd.DataFrame, axis_names: tuple[str, ...]
) -> pd.DataFrame:
    """Per study: trial counts by state, diverged count, best value and its trial number,
    and whether any trial has constraint values (``constrained``).

    The best trial is the COMPLETE one with the lowest (minimize) or highest (maximize) value,
    the lowest number among equals, among the trials not known to be infeasible (Optuna's
    ``best_trial``: a trial without constraint values counts as feasible); none for
    multi-objective studies. One pass over all
    trials (``np.bincount``, one ``np.lexsort``), not one per study.
    """
    studies = studies.reset_index(drop=True)
    n_studies = len(studies)
    # Each trial's row in ``studies`` (-1: a study not in the frame, counted nowhere).
    row = pd.Index(studies["study_id"]).get_indexer(trials["study_id"].to_numpy())
    known = row >= 0
    row_known = row[known]
    state = trials["state"].to_numpy(dtype=object)[known]

    def count(mask: np.ndarray | None = None) -> np.ndarray:
        rows = row_known if mask is None else row_known[mask]
        return np.bincount(rows, minlength=n_studies).astype(np.int64)

    studies["n_trials"] = count()
    for name in STATES:
        studies[f"n_{name.lower()}"] = count(state == name)
    studies["n_diverged"] = count(trials["diverged"].to_numpy(dtype=bool)[known])
    feasible = trials["feasible"]
    studies["constrained"] = count(feasible.notna().to_numpy(dtype=bool)[known]) > 0
    infeasible = infeasible_mask(trials)[known]
    count_columns = ["n_trials", *(f"n_{s.lower()}" for s in STATES), "n_diverged"]

    direction = studies["direction"].to_numpy(dtype=object)
    sign = np.where(direction == "minimize", 1.0, np.where(direction == "maximize", -1.0, 0.0))
    value = trials["value"].to_numpy(dtype=float)[known]
    candidate = (state == "COMPLETE") & ~np.isnan(value) & (sign[row_known] != 0) & ~infeasible
    rows, values = row_known[candidate], value[candidate]
    numbers = trials["number"].to_numpy(dtype=np.int64)[known][candidate]
    order = np.lexsort((numbers, values * sign[rows], rows))  # best first within each study
    first = order[np.r_[True, rows[order][1:] != rows[order][:-1]]] if len(order) else order
    best_value = np.full(n_studies, np.nan)
    best_value[rows[first]] = values[first]
    best_trial = pd.array(np.full(n_studies, pd.NA, dtype=object), dtype="Int64")
    best_trial[rows[first]] = numbers[first]
    studies["best_value"] = best_value
    studies["best_trial"] = best_trial
    columns = [
        "study_id",
        "study",
        "source",
        *axis_names,
        "sweep",
        "direction",
        "directions",
        "n_objectives",
        *count_columns,
        "best_value",
        "best_trial",
        "constrained",
        "user_attrs",
        "system_attrs",
    ]
    return studies[columns].reset_index(drop=True)
