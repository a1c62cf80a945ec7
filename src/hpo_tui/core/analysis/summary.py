"""Per-study summary table (``hpo-tui summary``)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from hpo_tui.core.analysis.grid import study_metric
from hpo_tui.core.analysis.metrics import DYNAMICS_METRICS
from hpo_tui.core.model.campaign import Campaign

SUMMARY_COUNTS = [
    "n_trials",
    "n_complete",
    "n_pruned",
    "n_fail",
    "n_running",
    "n_waiting",
    "n_diverged",
]


def summary_columns(campaign: Campaign) -> list[str]:
    """``study, <axes>, sweep, direction, n_trials … n_diverged, best_value, best_trial,
    source`` (two copies of one storage give rows that differ only by their source)."""
    return [
        "study",
        *campaign.axis_names,
        "sweep",
        "direction",
        *SUMMARY_COUNTS,
        "best_value",
        "best_trial",
        "source",
    ]


def study_order(campaign: Campaign) -> list[int]:
    """The rows of ``campaign.studies`` (index labels) in summary order: grid studies first, by
    sweep then axis order, then the others by name (then by ``study_id``: names may repeat)."""
    from hpo_tui.core.model.axes import axis_sort_key

    studies = campaign.studies
    axes = list(campaign.axis_names)

    def order(row: pd.Series) -> tuple:
        tokens = [row[a] for a in axes]
        on_grid = all(isinstance(t, str) for t in tokens)
        keys = tuple(axis_sort_key(t) if isinstance(t, str) else (2, 0.0, "") for t in tokens)
        sweep = str(row["sweep"]) if isinstance(row["sweep"], str) else ""
        return (0 if on_grid else 1, sweep, keys, str(row["study"]), int(row["study_id"]))

    return sorted(studies.index, key=lambda i: order(studies.loc[i]))


def study_summary(campaign: Campaign, metrics: Sequence[str] = ()) -> pd.DataFrame:
    """One row per study, in :func:`study_order`.

    Args:
        campaign: The loaded campaign.
        metrics: Names from :data:`hpo_tui.core.analysis.metrics.SUMMARY_METRICS`, appended
            as columns of those names.
    """
    studies = campaign.studies
    ranked = study_order(campaign)
    table = studies.loc[ranked, summary_columns(campaign)].reset_index(drop=True)
    if metrics:
        from hpo_tui.core.analysis.dynamics import study_dynamics

        ids = studies.loc[ranked, "study_id"].to_numpy()
        wanted = set(metrics)
        dynamics = study_dynamics(campaign) if wanted & {*DYNAMICS_METRICS, "dynamics_n"} else None
        for metric in metrics:
            if dynamics is not None and metric in dynamics.columns:
                values = dynamics[metric]
            else:
                values = study_metric(campaign, metric)  # type: ignore[arg-type]
            table[metric] = values.reindex(ids).to_numpy()
    return table
