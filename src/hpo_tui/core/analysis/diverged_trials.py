"""The diverged trials of a campaign, with the evidence around the divergence step."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.display import DEFAULT_DIGITS, display_number
from hpo_tui.core.model.campaign import Campaign

EVIDENCE_COLUMNS = ["diverged_last_finite", "diverged_value_before"]


def diverged_trials(campaign: Campaign) -> pd.DataFrame:
    """The diverged trials (all trial columns) plus two evidence columns.

    ``diverged_last_finite``: the last finite value of ``diverged_curve`` (or of the trial's
    summarised ``curve`` when the evidence is a user attr) before ``diverged_step``;
    ``diverged_value_before``: that curve's value at the step just before ``diverged_step``.
    Both are NaN when there is no such point.
    """
    trials = campaign.trials[campaign.trials["diverged"]].copy()
    if trials.empty:
        for column in EVIDENCE_COLUMNS:
            trials[column] = pd.Series(dtype=float)
        return trials
    curve_name = trials["diverged_curve"].where(trials["diverged_curve"].notna(), trials["curve"])
    step = trials["diverged_step"]
    wanted = pd.DataFrame(
        {"key": trials["key"].to_numpy(), "curve": curve_name.to_numpy(), "limit": step.to_numpy()}
    )
    points = campaign.curves[campaign.curves["key"].isin(wanted["key"])]
    points = points.assign(curve=points["curve"].astype(str))
    points = points.merge(wanted.dropna(subset=["curve"]), on=["key", "curve"], how="inner")
    limit = points["limit"].astype("Float64").fillna(np.inf).to_numpy(dtype=float)
    before = points[points["step"].to_numpy(dtype=float) < limit]
    before = before.sort_values(["key", "step"], kind="stable")
    value_before = before.groupby("key")["value"].last()
    finite = before[np.isfinite(before["value"].to_numpy(dtype=float))]
    last_finite = finite.groupby("key")["value"].last()
    trials["diverged_last_finite"] = last_finite.reindex(trials["key"]).to_numpy(dtype=float)
    trials["diverged_value_before"] = value_before.reindex(trials["key"]).to_numpy(dtype=float)
    return trials


@dataclass(frozen=True)
class SharedTrait:
    """One thing most diverged trials share, e.g. ``18 of 20 with learning_rate > 0.003``."""

    text: str
    lift: float  # share among the diverged trials minus share among all trials
    param: str | None = None  # the param it names (without ``param_``); None for an axis


def shared_trait_list(
    campaign: Campaign, diverged: pd.DataFrame | None = None, digits: int = DEFAULT_DIGITS
) -> list[SharedTrait]:
    """What the diverged trials have in common, strongest first (at most 3).

    For each axis the most common value; for each numeric param the best split (a threshold
    at a quantile of all trials) that holds for most diverged trials but few others.
    """
    diverged = diverged_trials(campaign) if diverged is None else diverged
    n = len(diverged)
    if n == 0:
        return []
    traits: list[SharedTrait] = []
    for axis in campaign.axis_names:
        counts = diverged[axis].dropna().value_counts()
        if not counts.empty:
            value, count = counts.index[0], int(counts.iloc[0])
            share_all = (campaign.trials[axis] == value).mean()
            lift = (count / n) - share_all
            traits.append(SharedTrait(f"{count} of {n} at {axis} {value}", float(lift)))
    trials = campaign.trials
    for column in [c for c in trials.columns if c.startswith("param_")]:
        series = trials[column]
        if not pd.api.types.is_numeric_dtype(series.dtype) or series.dtype == bool:
            continue
        values = series.astype(float)
        if values.notna().sum() < 4:
            continue
        for q in (0.5, 0.75, 0.9):
            threshold = float(values.quantile(q))
            hit = (diverged[column].astype(float) > threshold).sum()
            rest = (values > threshold).mean()
            lift = hit / n - rest
            if hit >= max(2, n // 2) and lift > 0.2:
                name = column.removeprefix("param_")
                shown = display_number(threshold, digits)
                traits.append(SharedTrait(f"{hit} of {n} with {name} > {shown}", lift, name))
                break
    traits.sort(key=lambda trait: -trait.lift)
    return [trait for trait in traits if trait.lift > 0.1][:3]


def shared_traits(campaign: Campaign, diverged: pd.DataFrame | None = None) -> list[str]:
    """The sentences of :func:`shared_trait_list` (``"16 of 20 at budget 2B"``)."""
    return [trait.text for trait in shared_trait_list(campaign, diverged)]


def key_params(params: Mapping[str, Any], traits: list[SharedTrait]) -> list[tuple[str, Any]]:
    """``(name, value)`` of a trial's stored params (a trial's ``details`` ``params``): those
    the traits name first, in trait order, then the others by name."""
    named = [t.param for t in traits if t.param is not None and t.param in params]
    others = sorted(name for name in params if name not in named)
    return [(name, params[name]) for name in [*named, *others]]
