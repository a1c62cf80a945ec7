"""The names of a study's objectives, as Optuna stored them (or the export's column names)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class StudyObjectives:
    """One study's objectives: the trials-frame columns holding them, the names to show as
    headers, and each one's direction (``minimize`` / ``maximize``)."""

    columns: list[str]
    names: list[str]
    directions: list[str]

    def __len__(self) -> int:
        return len(self.columns)

    def label(self, index: int) -> str:
        """``val_loss (minimize)``: a name with its direction, for titles and axes."""
        return f"{self.names[index]} ({self.directions[index]})"


def header_names(names: Sequence[str], columns: Sequence[str], taken: Iterable[str]) -> list[str]:
    """Names usable as column headers beside ``taken`` (the table's other columns): each
    stored name, unless it is empty, repeated, or one of ``taken``; then its column name."""
    reserved = set(taken)
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return [
        name if name and counts[name] == 1 and name not in reserved else column
        for name, column in zip(names, columns, strict=True)
    ]


def study_objectives(study: Mapping[str, Any], taken: Iterable[str] = ()) -> StudyObjectives:
    """The objectives of one row of ``Campaign.studies``; the names are the study's
    ``metric_names`` where they can serve as headers beside ``taken`` (see
    :func:`header_names`), else ``value`` / ``values_<i>``."""
    n_objectives = int(study["n_objectives"])
    columns = objective_columns(n_objectives)
    names = objective_names(study["system_attrs"], n_objectives)
    directions = [d.strip() for d in str(study["direction"]).split(",")]
    return StudyObjectives(columns, header_names(names, columns, taken), directions)


def objective_headers(studies: Any, taken: Iterable[str]) -> dict[str, str]:
    """Header names for the objective columns of a table of these studies' trials:
    ``{"values_0": "val_loss", …}`` for each column whose studies all stored the same
    usable name (see :func:`header_names`); a column they name differently, or not at all,
    keeps its own name (it is not in the result).

    Args:
        studies: Rows of ``Campaign.studies`` (a DataFrame).
        taken: The table's other columns, which a name may not repeat.
    """
    reserved = set(taken)
    found: dict[str, set[str]] = {}
    for _, study in studies.iterrows():
        n_objectives = int(study["n_objectives"])
        columns = objective_columns(n_objectives)
        stored = (study["system_attrs"] or {}).get(METRIC_NAMES_ATTR)
        names = (
            [str(n) for n in stored]
            if isinstance(stored, list) and len(stored) == max(n_objectives, 1)
            else columns
        )
        for name, column in zip(header_names(names, columns, reserved), columns, strict=True):
            found.setdefault(column, set()).add(name)
    return {
        column: next(iter(names))
        for column, names in found.items()
        if len(names) == 1 and next(iter(names)) != column
    }


def objectives_record(study: Mapping[str, Any]) -> list[dict[str, str]]:
    """One study's objectives for the JSON outputs: ``column`` (``value`` /
    ``values_<i>``), ``name`` (the study's ``metric_names`` when stored, else the column)
    and ``direction``."""
    n_objectives = int(study["n_objectives"])
    directions = [d.strip() for d in str(study["direction"]).split(",")]
    return [
        {"column": column, "name": name, "direction": direction}
        for column, name, direction in zip(
            objective_columns(n_objectives),
            objective_names(study["system_attrs"], n_objectives),
            directions,
            strict=True,
        )
    ]


def objective_values(trials: Any, columns: Sequence[str]) -> Any:
    """The values of ``columns`` of a trials frame as a float array (rows × columns); NaN for
    a column the frame lacks (no trial of the campaign stored that objective, e.g. a study
    whose trials all failed)."""
    import numpy as np

    found = np.full((len(trials), len(columns)), np.nan)
    for index, column in enumerate(columns):
        if column in trials.columns:
            found[:, index] = trials[column].to_numpy(dtype=float)
    return found
