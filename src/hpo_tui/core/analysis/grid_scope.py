"""Which studies a view overlays: one study, or the studies of its grid row or column.

A *row* is the study's value on the grid's row axis (a budget: every horizon of it); a
*column* its value on the column axis (a horizon: every budget of it), both within the study's
sweep, in the grid's order. A study off the grid has only itself.

This module is part of the UI-free core: it must not import textual or rich.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from hpo_tui.core.analysis.grid import build_grid
from hpo_tui.core.model.campaign import Campaign

Scope = Literal["study", "row", "column"]
SCOPES: tuple[Scope, ...] = ("study", "row", "column")


@dataclass(frozen=True)
class ScopedStudies:
    """The studies of a scope and how to name them (``budget 2M``, or the study's name)."""

    scope: Scope
    study_ids: list[int]
    label: str


def scope_studies(campaign: Campaign, study_id: int, scope: Scope) -> ScopedStudies:
    """The studies of ``scope`` around ``study_id`` (only itself when it is off the grid or
    ``scope`` is ``"study"``).

    Raises:
        KeyError: when ``study_id`` is not a study of the campaign.
    """
    studies = campaign.studies.set_index("study_id")
    info = studies.loc[study_id]
    name = str(info["study"])
    sweep = info["sweep"] if "sweep" in info.index else None
    if scope == "study" or not isinstance(sweep, str) or len(campaign.axis_names) < 2:
        return ScopedStudies("study", [study_id], name)
    grid = build_grid(campaign, "best", sweep)
    row, column = info[grid.row_axis], info[grid.column_axis]
    ids = grid.study_ids
    if row not in ids.index or column not in ids.columns:
        return ScopedStudies("study", [study_id], name)
    if scope == "row":
        cells, axis, value = ids.loc[row], grid.row_axis, row
    else:
        cells, axis, value = ids[column], grid.column_axis, column
    found = [int(s) for s in cells.to_numpy() if pd.notna(s)]
    if study_id not in found:  # a second study of the same cell: it joins its own scope
        found.append(study_id)
    return ScopedStudies(scope, found, f"{axis} {value}")


def available_scopes(campaign: Campaign, study_id: int) -> tuple[Scope, ...]:
    """The scopes that hold more than the study itself (``("study",)`` off the grid)."""
    return tuple(s for s in SCOPES if scope_studies(campaign, study_id, s).scope == s)
