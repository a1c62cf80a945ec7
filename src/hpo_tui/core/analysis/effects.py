"""Effects along one grid axis with the other fixed: horizons for a budget, budgets for a horizon.

A *cell* is one value of the ``along`` axis (in magnitude order); its study is the grid's
study for that cell (the first study of a cell wins, as on the grid). Per cell: ``best`` and
``top5_mean`` as the grid computes them, ``n_complete``, the best trial (``best_trial``,
``best_key``) and its ``best_epoch`` (``curve_best_step``); and the winning params side by
side (a params × cells table of the best trials' param values).

This module is part of the UI-free core: it must not import textual or rich.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hpo_tui.core.analysis.dynamics import primary_points
from hpo_tui.core.analysis.grid import build_grid, study_metric
from hpo_tui.core.model.campaign import Campaign

CELL_COLUMNS = [
    "study_id",
    "study",
    "direction",
    "n_complete",
    "best",
    "top5_mean",
    "best_trial",
    "best_key",
    "best_epoch",
]


@dataclass
class Effects:
    """Cells along one axis (``cells``, indexed by axis value) and the winning ``params``."""

    along: str
    fixed: tuple[str, str]  # (axis, value) held fixed
    cells: pd.DataFrame
    params: pd.DataFrame  # index: param names; columns: the cells


def axis_effects(campaign: Campaign, along: str, at: str, sweep: str | None = None) -> Effects:
    """The cells along ``along`` with the other grid axis fixed at ``at``, in the grid of
    ``sweep`` (the default sweep when ``None``).

    Raises:
        ValueError: when ``along`` is not a grid axis, ``at`` is not a value of the other, or
            the sweep is unknown.
    """
    grid = build_grid(campaign, "best", sweep)
    axes = (grid.row_axis, grid.column_axis)
    if along not in axes:
        raise ValueError(f"{along!r} is not a grid axis ({', '.join(axes)})")
    ids = grid.study_ids if along == grid.column_axis else grid.study_ids.T
    other = grid.row_axis if along == grid.column_axis else grid.column_axis
    if at not in ids.index:
        raise ValueError(f"{at!r} is not a {other} of the grid ({', '.join(map(str, ids.index))})")
    cells_ids = ids.loc[at]
    studies = campaign.studies.set_index("study_id")
    best = study_metric(campaign, "best")
    top5 = study_metric(campaign, "top5_mean")
    trials = campaign.trials
    rows = []
    for study_id in cells_ids.to_numpy():
        row: dict[str, object] = dict.fromkeys(CELL_COLUMNS)
        row["n_complete"] = 0
        row["best"] = row["top5_mean"] = np.nan
        if pd.notna(study_id):
            sid = int(study_id)
            info = studies.loc[sid]
            row.update(
                study_id=sid,
                study=info["study"],
                direction=info["direction"],
                n_complete=int(info["n_complete"]),
                best=best.loc[sid],
                top5_mean=top5.loc[sid],
            )
            if pd.notna(info["best_trial"]):
                number = int(info["best_trial"])
                match = trials[(trials["study_id"] == sid) & (trials["number"] == number)]
                if len(match):
                    row["best_trial"] = number
                    row["best_key"] = int(match.index[0])
                    row["best_epoch"] = match["curve_best_step"].iloc[0]
        rows.append(row)
    cells = pd.DataFrame(rows, index=pd.Index(list(cells_ids.index), name=along))
    cells = cells.astype(
        {
            "study_id": "Int64",
            "study": object,
            "direction": object,
            "n_complete": np.int64,
            "best": float,
            "top5_mean": float,
            "best_trial": "Int64",
            "best_key": "Int64",
            "best_epoch": "Int64",
        }
    )
    for column in ("study", "direction"):  # None, not NaN, where a cell has no study
        cells[column] = pd.Series([row[column] for row in rows], index=cells.index, dtype=object)
    return Effects(along, (other, at), cells[CELL_COLUMNS], _winning_params(campaign, cells))


def _winning_params(campaign: Campaign, cells: pd.DataFrame) -> pd.DataFrame:
    """Params × cells: each cell's best trial's param values (None where it has none).

    Read from the trials' ``param_<name>`` columns (not ``details``, which is built on demand
    and costs seconds on a large campaign).
    """
    trials = campaign.trials
    keys = cells["best_key"].dropna().astype(np.int64)
    columns = [c for c in trials.columns if c.startswith("param_")]
    rows = trials.loc[keys.to_numpy(), columns] if len(keys) else trials.iloc[0:0][columns]
    present = [c for c in columns if rows[c].notna().any()]
    table: dict[str, list[object]] = {}
    for cell, key in cells["best_key"].items():
        values: list[object] = []
        for column in present:
            value = rows.at[int(key), column] if pd.notna(key) else None
            value = None if value is None or value is pd.NA or _is_nan(value) else value
            values.append(value.item() if isinstance(value, np.generic) else value)
        table[str(cell)] = values
    names = [c.removeprefix("param_") for c in present]
    return pd.DataFrame(table, index=pd.Index(names, name="param"), dtype=object)


def _is_nan(value: object) -> bool:
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


def best_curves(campaign: Campaign, effects: Effects) -> pd.DataFrame:
    """The primary curve of each cell's best trial: ``cell, number, key, curve, step, value``."""
    keys = effects.cells["best_key"].dropna().astype(np.int64)
    cell_of = pd.Series(keys.index.to_numpy(), index=keys.to_numpy())
    points = primary_points(campaign, keys.to_numpy())
    number = campaign.trials["number"]
    out = points.assign(
        cell=points["key"].map(cell_of).to_numpy(),
        number=points["key"].map(number).to_numpy(),
    )
    order = {cell: i for i, cell in enumerate(effects.cells.index)}
    out = out.assign(_order=out["cell"].map(order)).sort_values(["_order", "step"], kind="stable")
    return out[["cell", "number", "key", "curve", "step", "value"]].reset_index(drop=True)
