"""The names of a study's objectives, as Optuna stored them (or the export's column names)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The study system attr ``Study.set_metric_names`` writes (Optuna ≥ 3.2).
METRIC_NAMES_ATTR = "study:metric_names"


def objective_columns(n_objectives: int) -> list[str]:
    """The trial-table columns holding the objective values: ``value`` for one objective,
    ``values_0``, ``values_1``… for several (as in the export)."""
    return ["value"] if n_objectives <= 1 else [f"values_{i}" for i in range(n_objectives)]


def objective_names(system_attrs: Mapping[str, Any] | None, n_objectives: int) -> list[str]:
    """One name per objective: the study's ``metric_names`` when Optuna stored a list of the
    right length, else the column names (``value`` / ``values_0``, ``values_1``…)."""
    stored = (system_attrs or {}).get(METRIC_NAMES_ATTR)
    if isinstance(stored, list) and len(stored) == max(n_objectives, 1):
        return [str(name) for name in stored]
    return objective_columns(n_objectives)
