"""A campaign with some trials swapped for newer versions of them (live refresh).

A refresh reads only the new and changed trials (:mod:`hpo_tui.core.model.live`), builds them
into a small campaign and splices it into the one on screen: :func:`splice_campaign`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.model.build import summarize_studies, trial_column_order, typed_column
from hpo_tui.core.model.curves import first_per_group
from hpo_tui.core.model.frames import STATES, Campaign, heartbeat_frame


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
            trials[column] = typed_column(series.where(series.notna(), None))
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
    studies = summarize_studies(base, trials, old.axis_names)
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
