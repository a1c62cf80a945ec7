"""The grid's quality bar: per column by default (horizons differ in scale), or global."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hpo_tui.core.analysis.grid import Grid, quality_rank


def _grid(values: list[list[float]], direction: str = "minimize") -> Grid:
    frame = pd.DataFrame(values, index=["2M", "20M", "2B"], columns=["h1", "h5"], dtype=float)
    ids = pd.DataFrame(np.arange(6).reshape(3, 2), index=frame.index, columns=frame.columns)
    return Grid("best", "budget", "horizon", frame, ids.astype("Int64"), direction, None, [])


def test_each_horizon_is_ranked_on_its_own() -> None:
    # h5 losses are all worse than every h1 loss: globally every h5 cell looks bad.
    grid = _grid([[0.30, 0.90], [0.32, 0.95], [0.35, 1.00]])
    per_column = quality_rank(grid)
    assert per_column["h1"].tolist() == [0, 2, 4]
    assert per_column["h5"].tolist() == [0, 2, 4]
    overall = quality_rank(grid, per_column=False)
    assert overall["h5"].min() > overall["h1"].max()  # globally, h5 is all worse
    maximize = quality_rank(_grid([[0.30, 0.90], [0.32, 0.95], [0.35, 1.00]], "maximize"))
    assert maximize["h5"].tolist() == [4, 2, 0]


def test_a_lone_cell_is_not_ranked() -> None:
    grid = _grid([[0.3, np.nan], [0.4, 0.5], [0.2, np.nan]])
    ranks = quality_rank(grid)
    assert ranks["h1"].tolist() == [2, 4, 0]
    assert ranks["h5"].isna().all()  # one value in the column: nothing to compare with
