"""The diverged trials of a campaign, with the evidence around the divergence step."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hpo_tui.core.campaign import Campaign

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


def shared_traits(campaign: Campaign, diverged: pd.DataFrame | None = None) -> list[str]:
    """Short sentences on what the diverged trials have in common.

    E.g. ``"16 of 20 at budget 2B"`` or ``"18 of 20 with learning_rate > 0.003"``: for each
    axis the most common value, for each numeric param the best split (a threshold at a
    quantile of all trials) that holds for most diverged trials but few others.
    """
    diverged = diverged_trials(campaign) if diverged is None else diverged
    n = len(diverged)
    if n == 0:
        return []
    lines: list[tuple[float, str]] = []
    for axis in campaign.axis_names:
        counts = diverged[axis].dropna().value_counts()
        if not counts.empty:
            value, count = counts.index[0], int(counts.iloc[0])
            share_all = (campaign.trials[axis] == value).mean()
            lift = (count / n) - share_all
            lines.append((lift, f"{count} of {n} at {axis} {value}"))
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
                lines.append((lift, f"{hit} of {n} with {name} > {threshold:.3g}"))
                break
    lines.sort(key=lambda item: -item[0])
    return [text for lift, text in lines if lift > 0.1][:3]
