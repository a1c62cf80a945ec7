"""The campaign model: every study of every source as three documented DataFrames.

``studies`` (one row per study), ``trials`` (one row per trial) and ``curves`` (long format,
one row per curve point). Column names are the export's names; ``docs/data-model.md`` and the
export's README describe each. ``study_id`` identifies a study across the whole campaign (the
same study name in two sources gives two studies); ``key`` identifies a trial likewise. Both
are stable across refreshes (derived from the source's position and the storage's own ids).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.config import Config
from hpo_tui.core.display import printable
from hpo_tui.core.model.axes import parse_axes, sweep_name
from hpo_tui.core.model.constraints import CONSTRAINT_COLUMNS, infeasible_mask, trial_feasibility
from hpo_tui.core.model.curves import (
    INTERMEDIATE,
    STAT_COLUMNS,
    Segments,
    curve_stats,
    first_per_group,
)
from hpo_tui.core.model.divergence import DIVERGENCE_COLUMNS, detect_divergence
from hpo_tui.core.storage.memory import load_memory
from hpo_tui.core.storage.raw import EncodedList, RawTables, decoded
from hpo_tui.core.storage.sources import WHOLE_SECONDS_NOTE, Source, SourceKind, resolve_sources

STATES = ("COMPLETE", "PRUNED", "FAIL", "RUNNING", "WAITING")
CURVE_COLUMNS = ["study_id", "study", "number", "curve", "step", "value"]
# study_id = source index << 20 | storage study id; key = source index << 40 | storage trial id.
STUDY_ID_BITS = 20
TRIAL_KEY_BITS = 40

Progress = Callable[[str, int, int], None]


@dataclass
class DetailTables:
    """The long tables behind :attr:`Campaign.details` (``key`` plus name and value)."""

    params: pd.DataFrame  # key, param_name, value, distribution_json
    user_attrs: pd.DataFrame  # key, attr, value
    system_attrs: pd.DataFrame  # key, attr, value

    def without(self, keys: list[int]) -> DetailTables:
        """These tables without the rows of ``keys``."""
        return DetailTables(
            *(t[~t["key"].isin(keys)] for t in (self.params, self.user_attrs, self.system_attrs))
        )

    def plus(self, other: DetailTables) -> DetailTables:
        """These rows followed by ``other``'s."""
        pairs = zip(
            (self.params, self.user_attrs, self.system_attrs),
            (other.params, other.user_attrs, other.system_attrs),
            strict=True,
        )
        return DetailTables(*(pd.concat([a, b], ignore_index=True) for a, b in pairs))


@dataclass
class Campaign:
    """A loaded campaign. See the module docstring and ``docs/data-model.md``."""

    studies: pd.DataFrame
    trials: pd.DataFrame
    curves: pd.DataFrame
    detail_tables: DetailTables
    sources: list[Source]
    config: Config
    axis_names: tuple[str, ...]
    loaded_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    warnings: list[str] = field(default_factory=list)
    # key, last_heartbeat (UTC): the trials that recorded a heartbeat (RDB storages opened
    # with ``heartbeat_interval``), sorted by key; see :func:`heartbeat_frame`.
    heartbeats: pd.DataFrame = field(default_factory=lambda: heartbeat_frame([]))
    _details: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def details(self) -> pd.DataFrame:
        """Per-trial dicts for lossless exports, indexed by ``key``: ``params``,
        ``distributions``, ``user_attrs``, ``system_attrs`` (built on first use: only exports
        and the trial screen read them)."""
        if self._details is None:
            tables = self.detail_tables
            self._details = _details(
                pd.Index(self.trials["key"].to_numpy()),
                tables.params,
                tables.user_attrs,
                tables.system_attrs,
            )
        return self._details

    def trial_detail(self, key: int) -> pd.Series:
        """One trial's row of :attr:`details`, without building them for every trial when
        they are not built yet (the trial screen opens one trial at a time)."""
        if self._details is not None:
            return self._details.loc[key]
        tables = self.detail_tables
        index = pd.Index([key])
        params, users, systems = (
            t[t["key"].to_numpy() == key]
            for t in (tables.params, tables.user_attrs, tables.system_attrs)
        )
        one = _details(index, params, users, systems)
        return one.loc[key]

    def time_precision_note(self, study_id: int) -> str | None:
        """What to say next to a study's datetimes and durations when its storage keeps
        less than microseconds (``None`` when it keeps them)."""
        source = self.sources[int(study_id) >> STUDY_ID_BITS]
        return WHOLE_SECONDS_NOTE if source.keeps_whole_seconds else None

    def none_params(self) -> dict[str, np.ndarray]:
        """Keys of the trials whose param is stored as ``None`` (a categorical choice), by
        ``param_<name>`` column: in the wide ``trials`` frame such a value and a param the
        trial does not have are both missing; the screens tell them apart with this."""
        params = self.detail_tables.params
        stored_none = params[params["value"].isna().to_numpy(dtype=bool)]
        return {
            f"param_{name}": group["key"].to_numpy(dtype=np.int64)
            for name, group in stored_none.groupby("param_name", sort=False)
        }

    def study_trials(self, study_id: int) -> pd.DataFrame:
        """The trials of one study, by trial number."""
        return self.trials[self.trials["study_id"] == study_id]

    def trial_curves(self, key: int) -> pd.DataFrame:
        """All curve points of one trial (by campaign-wide trial ``key``).

        ``curves`` is sorted by key (then curve and step): a binary search, not a scan.
        """
        keys = self.curves["key"].to_numpy()
        start = int(np.searchsorted(keys, key, side="left"))
        end = int(np.searchsorted(keys, key, side="right"))
        return self.curves.iloc[start:end]


def read_source(source: Source) -> tuple[RawTables, list[str]]:
    """Read one source with the reader for its kind."""
    if source.kind is SourceKind.JOURNAL:
        from hpo_tui.core.storage.journal import read_journal

        result = read_journal(source)
        return result.tables, result.warnings
    if source.kind is SourceKind.GRPC:
        from hpo_tui.core.storage.grpc_proxy import read_grpc

        return read_grpc(source), []
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
    with load_memory():  # short-lived arrays of millions of rows: see core.memory
        for done, source in enumerate(sources, start=1):
            tables, warnings = read_source(source)
            parts.append((source, tables))
            notes.extend(warnings)
            if progress is not None:
                progress(f"read {source.display}", done, len(sources))
        campaign = build_campaign(parts, config)
    campaign.warnings.extend(notes)
    return campaign


def _typed_column(values: pd.Series) -> pd.Series:
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
        result[f"{prefix}{name}"] = _typed_column(series)
    return pd.DataFrame(result, index=index)


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


def heartbeat_frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """``key, last_heartbeat`` from keyed ``heartbeats`` tables, sorted by key."""
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(
            {
                "key": pd.Series([], dtype=np.int64),
                "last_heartbeat": pd.Series([], dtype="datetime64[ns, UTC]"),
            }
        )
    table = pd.concat(parts, ignore_index=True).rename(columns={"heartbeat": "last_heartbeat"})
    table = table.astype({"key": np.int64, "last_heartbeat": "datetime64[ns, UTC]"})
    return table[["key", "last_heartbeat"]].sort_values("key").reset_index(drop=True)


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
    curves, segments = _build_curves(inter, users)

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

    studies = _study_summary(studies, trials, axis_names)
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


def _build_curves(inter: pd.DataFrame, users: pd.DataFrame) -> tuple[pd.DataFrame, Segments]:
    """The long curves frame ``key, curve, step, value``, sorted by key, curve name and step,
    and its segments; from the intermediate values and the number-list user attrs.

    Work is per segment (one per trial and curve) wherever possible: the rows of each
    segment are contiguous in the inputs, so one gather puts millions of points in order.
    """
    inter_keys = inter["key"].to_numpy(dtype=np.int64)
    inter_steps = inter["step"].to_numpy(dtype=np.int64)
    inter_values = inter["value"].to_numpy(dtype=float)
    if len(inter_keys) > 1:
        d_key, d_step = np.diff(inter_keys), np.diff(inter_steps)
        if not bool(np.all((d_key > 0) | ((d_key == 0) & (d_step > 0)))):
            order = np.lexsort((inter_steps, inter_keys))  # parallel workers interleave rows
            inter_keys, inter_steps = inter_keys[order], inter_steps[order]
            inter_values = inter_values[order]
    inter_starts = first_per_group(inter_keys)
    inter_lengths = np.diff(np.r_[inter_starts, len(inter_keys)]).astype(np.int64)

    list_rows, list_lengths, list_values = _numeric_lists(users["value"].tolist())
    lists = users.iloc[list_rows]
    list_names = lists["attr"].astype(str).to_numpy(dtype=object)
    categories = sorted({*([INTERMEDIATE] if len(inter_keys) else []), *list_names.tolist()})
    code_of = {name: code for code, name in enumerate(categories)}

    n_inter = len(inter_keys)
    seg_key = np.concatenate([inter_keys[inter_starts], lists["key"].to_numpy(dtype=np.int64)])
    seg_code = np.concatenate(
        [
            np.full(len(inter_starts), code_of.get(INTERMEDIATE, 0), dtype=np.int64),
            np.array([code_of[n] for n in list_names], dtype=np.int64),
        ]
    )
    seg_length = np.concatenate([inter_lengths, list_lengths])
    seg_source = np.concatenate([inter_starts, n_inter + np.cumsum(list_lengths) - list_lengths])
    list_total = int(list_lengths.sum())
    # Millions of rows: every temporary array is fresh memory, so none is made needlessly.
    if list_total:
        all_values = np.concatenate([inter_values, list_values])
        list_steps = np.repeat(np.cumsum(list_lengths) - list_lengths, list_lengths)
        np.subtract(np.arange(list_total, dtype=np.int64), list_steps, out=list_steps)
        all_steps = np.concatenate([inter_steps, list_steps])
        del list_steps
    else:  # intermediate values only: already in place
        all_values, all_steps = inter_values, inter_steps

    order = np.lexsort((seg_code, seg_key))  # a few segments per trial: cheap
    seg_key, seg_code = seg_key[order], seg_code[order]
    seg_length, seg_source = seg_length[order], seg_source[order]
    seg_start = np.cumsum(seg_length) - seg_length
    if np.array_equal(seg_source, seg_start):  # the sources are in curve order: no gather
        steps, values = all_steps, all_values
    else:
        rows = np.repeat(seg_source - seg_start, seg_length)
        rows += np.arange(len(all_values), dtype=np.int64)
        steps, values = all_steps[rows], all_values[rows]
        del rows
    curves = pd.DataFrame(  # copy=False: no consolidation copy of millions of rows
        {
            "key": np.repeat(seg_key, seg_length),
            "curve": pd.Categorical.from_codes(
                np.repeat(seg_code.astype(np.int16), seg_length),
                categories=pd.Index(categories, dtype=object),
            ),
            "step": steps,
            "value": values,
        },
        copy=False,
    )
    segments = Segments(seg_key, seg_code, seg_start, seg_length, tuple(categories))
    return curves, segments


def _numeric_lists(values: list[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, lengths, all numbers) of the user attr values that are non-empty flat lists of
    numbers: :class:`EncodedList` (already parsed by the reader) and decoded lists.

    For decoded lists numpy does the type check: a list of int/float becomes a 1-d int or
    float array; bools, None, strings or nesting give another dtype or shape.
    """
    rows: list[int] = []
    arrays: list[np.ndarray] = []
    for row, value in enumerate(values):
        kind = type(value)
        if kind is EncodedList:
            arrays.append(value.numbers)
            rows.append(row)
            continue
        if kind is not list or not value or not set(map(type, value)) <= {int, float}:
            continue  # bools, None, strings, nesting: not a curve
        try:
            array = np.asarray(value)
        except (ValueError, TypeError):
            continue
        if array.ndim == 1 and array.dtype.kind in "fi":
            arrays.append(array.astype(float, copy=False))
            rows.append(row)
    lengths = np.fromiter((len(a) for a in arrays), np.int64, len(arrays))
    numbers = np.concatenate(arrays) if arrays else np.zeros(0, dtype=float)
    return np.asarray(rows, dtype=np.int64), lengths, numbers


def _details(
    key_index: pd.Index, params: pd.DataFrame, users: pd.DataFrame, systems: pd.DataFrame
) -> pd.DataFrame:
    """Per-trial dicts for lossless exports: params, distributions, user/system attrs."""
    out = pd.DataFrame(index=key_index)

    def grouped(table: pd.DataFrame, name: str, value: str) -> pd.Series:
        result: dict[int, dict[str, Any]] = {}
        for key, attr, item in zip(table["key"], table[name], table[value], strict=True):
            result.setdefault(int(key), {})[str(attr)] = item
        return pd.Series({k: result.get(k, {}) for k in key_index}, dtype=object)

    out["params"] = grouped(params, "param_name", "value")
    out["distributions"] = grouped(params, "param_name", "distribution_json")
    users = users.assign(value=[decoded(v) for v in users["value"]])
    # System attrs hold number lists too (a sampler's ``constraints``), parsed like curves.
    systems = systems.assign(value=[decoded(v) for v in systems["value"]])
    out["user_attrs"] = grouped(users, "attr", "value")
    out["system_attrs"] = grouped(systems, "attr", "value")
    return out


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


def splice_campaign(old: Campaign, patch: Campaign, replaced: set[int]) -> Campaign:
    """``old`` with the trials whose keys are in ``replaced`` swapped for ``patch``'s.

    ``patch`` is built from the same sources in the same order, holding every study but only
    the new or changed trials; every per-trial quantity (divergence, curve statistics) depends
    on the trial alone, so the result equals a full build at a cost proportional to the
    change plus a few linear passes. Study counts and bests are recomputed.
    """
    keys = list(replaced)
    keep = ~old.trials["key"].isin(keys).to_numpy()

    def objectify(frame: pd.DataFrame) -> pd.DataFrame:
        # Param/attr columns as Python objects, so concat cannot coerce 16 (int) to 16.0.
        frame = frame.copy()
        for column in frame.columns:
            if column.startswith(("param_", "user_attr_")):
                series = frame[column].astype(object)
                frame[column] = series.where(series.notna(), None)
        return frame

    parts = [objectify(f) for f in (old.trials[keep], patch.trials) if not f.empty]
    trials = pd.concat(parts) if parts else old.trials.iloc[0:0]
    trials = trials.sort_values(["study_id", "number"], kind="stable")
    key_index = pd.Index(trials["key"].to_numpy())
    trials.index = key_index
    for column in trials.columns:
        if column.startswith(("param_", "user_attr_")):
            series = trials[column].astype(object)
            trials[column] = _typed_column(series.where(series.notna(), None))
    trials = trials[trial_column_order(list(trials.columns), old.axis_names)]
    trials["diverged"] = trials["diverged"].astype(bool)
    trials["feasible"] = trials["feasible"].astype("boolean")

    curves = _splice_curves(old.curves, patch.curves, np.asarray(keys, dtype=np.int64))

    summary = [
        *(f"n_{s.lower()}" for s in ("TRIALS", *STATES)),
        "n_diverged",
        "best_value",
        "best_trial",
        "constrained",
    ]
    base = patch.studies.drop(columns=summary)
    studies = _study_summary(base, trials, old.axis_names)
    kept_heartbeats = old.heartbeats[~old.heartbeats["key"].isin(keys).to_numpy()]
    return Campaign(
        studies=studies,
        trials=trials,
        curves=curves,
        detail_tables=old.detail_tables.without(keys).plus(patch.detail_tables),
        sources=old.sources,
        config=old.config,
        axis_names=old.axis_names,
        warnings=list(patch.warnings),  # about the changed trials only
        heartbeats=heartbeat_frame([kept_heartbeats, patch.heartbeats]),
    )


def _splice_curves(old: pd.DataFrame, patch: pd.DataFrame, replaced: np.ndarray) -> pd.DataFrame:
    """``old`` (sorted by key) without the rows of ``replaced`` keys, with ``patch``'s rows
    inserted at their key's place: each column is one concatenation of a few slices, no sort
    or mask over millions of rows."""
    old_keys = old["key"].to_numpy(dtype=np.int64)
    patch = patch.iloc[np.argsort(patch["key"].to_numpy(dtype=np.int64), kind="stable")]
    patch_keys = patch["key"].to_numpy(dtype=np.int64)
    # Events in old row coordinates: insert a patch block (kind 0) before dropping the old
    # rows of a replaced key (kind 1) that start at the same row.
    events: list[tuple[int, int, int, int]] = []
    replaced = np.unique(replaced)
    for key, start, end in zip(
        replaced.tolist(),
        np.searchsorted(old_keys, replaced, side="left").tolist(),
        np.searchsorted(old_keys, replaced, side="right").tolist(),
        strict=True,
    ):
        if end > start:
            events.append((start, 1, end, key))
    block_starts = first_per_group(patch_keys)
    block_ends = np.append(block_starts[1:], len(patch_keys))[: len(block_starts)]
    at = np.searchsorted(old_keys, patch_keys[block_starts], side="left")
    for position, first, last in zip(
        at.tolist(), block_starts.tolist(), block_ends.tolist(), strict=True
    ):
        events.append((position, 0, first, last))
    events.sort()
    plan: list[tuple[bool, int, int]] = []  # (from old?, start, end)
    current = 0
    for position, kind, a, b in events:
        if position > current:
            plan.append((True, current, position))
            current = position
        if kind == 0:
            plan.append((False, a, b))
        else:
            current = a  # skip the replaced rows
    plan.append((True, current, len(old_keys)))

    def pieces(old_values: np.ndarray, patch_values: np.ndarray) -> np.ndarray:
        parts = [old_values[a:b] if from_old else patch_values[a:b] for from_old, a, b in plan]
        return np.concatenate(parts) if parts else old_values[:0]

    columns: dict[str, Any] = {}
    for name in old.columns:
        kept, added = old[name].array, patch[name].array
        if isinstance(kept, pd.Categorical):
            assert isinstance(added, pd.Categorical)
            columns[name] = _spliced_categorical(kept, added, pieces)
        else:
            dtype = np.asarray(kept).dtype
            columns[name] = pieces(np.asarray(kept), np.asarray(added).astype(dtype))
    return pd.DataFrame(columns, copy=False)


def _spliced_categorical(
    old: pd.Categorical,
    patch: pd.Categorical,
    pieces: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> pd.Categorical:
    """A categorical column of :func:`_splice_curves`, its categories as a full build makes
    them: sorted, only those used."""
    names = sorted({str(c) for c in old.categories} | {str(c) for c in patch.categories})
    position = {name: code for code, name in enumerate(names)}
    old_map = np.array([position[str(c)] for c in old.categories], dtype=np.int64)
    patch_map = np.array([position[str(c)] for c in patch.categories], dtype=np.int64)
    old_codes = np.asarray(old.codes, dtype=np.int64)
    if not np.array_equal(old_map, np.arange(len(old_map))):
        old_codes = old_map[old_codes]  # a new name sorts before old ones: renumber
    patch_codes = (
        patch_map[np.asarray(patch.codes, dtype=np.int64)]
        if len(patch_map)
        else (np.zeros(len(patch), dtype=np.int64))
    )
    codes = pieces(old_codes, patch_codes)
    used = np.bincount(codes, minlength=len(names)) > 0
    kept_names = [name for name, is_used in zip(names, used.tolist(), strict=True) if is_used]
    if len(kept_names) < len(names):
        codes = (np.cumsum(used) - 1)[codes]
    return pd.Categorical.from_codes(codes, categories=pd.Index(kept_names, dtype=object))


def _study_summary(
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
