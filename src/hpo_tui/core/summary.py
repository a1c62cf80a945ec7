"""Per-study summary table (``hpo-tui summary``)."""

from __future__ import annotations

import pandas as pd

from hpo_tui.core.campaign import Campaign

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
    """``study, <axes>, direction, n_trials … n_diverged, best_value, best_trial``."""
    return ["study", *campaign.axis_names, "direction", *SUMMARY_COUNTS, "best_value", "best_trial"]


def study_summary(campaign: Campaign) -> pd.DataFrame:
    """One row per study, grid studies first in axis order, then the others by name."""
    from hpo_tui.core.axes import axis_sort_key

    studies = campaign.studies
    axes = list(campaign.axis_names)

    def order(row: pd.Series) -> tuple:
        tokens = [row[a] for a in axes]
        on_grid = all(isinstance(t, str) for t in tokens)
        keys = tuple(axis_sort_key(t) if isinstance(t, str) else (2, 0.0, "") for t in tokens)
        return (0 if on_grid else 1, keys, str(row["study"]), int(row["study_id"]))

    ranked = sorted(studies.index, key=lambda i: order(studies.loc[i]))
    return studies.loc[ranked, summary_columns(campaign)].reset_index(drop=True)
