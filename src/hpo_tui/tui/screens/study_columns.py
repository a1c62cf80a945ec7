"""The columns of a study's trial table: which it shows by default and which stay pinned."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def has_constraints(trials: pd.DataFrame) -> bool:
    """Whether any of ``trials`` has constraint values (a constrained study)."""
    return "feasible" in trials.columns and bool(trials["feasible"].notna().any())


def default_columns(
    trials: pd.DataFrame, axis_names: tuple[str, ...], all_studies: bool
) -> list[str]:
    """The columns shown by default: identity and outcome (with feasibility when
    constrained; pinned on the left), the params right after them, then divergence, then
    the curve statistics and the duration.

    In the table of every study, the study comes first and the grid axes after the
    outcome, before the params."""
    values = [c for c in trials.columns if c == "value" or c.startswith("values_")]
    if not all_studies:
        values = [c for c in values if trials[c].notna().any()] or values[:1]
    if has_constraints(trials):
        values += ["feasible", "constraint_violation"]
    lead = ["study"] if all_studies else []
    axes = list(axis_names) if all_studies else []
    params = sorted(c for c in trials.columns if c.startswith("param_") and trials[c].notna().any())
    return [
        *lead,
        "number",
        "state",
        *values,
        *axes,
        *params,
        "diverged_reason",
        "diverged_step",
        "curve_best",
        "curve_best_step",
        "curve_n_steps",
        "curve_last",
        "duration_s",
    ]


def pinned_columns(trials: pd.DataFrame) -> set[str]:
    """The columns that stay on the left while the table scrolls right, when they lead it:
    the study, the trial number, its state and its value(s)."""
    values = {c for c in trials.columns if c == "value" or c.startswith("values_")}
    return {"study", "number", "state", *values}
