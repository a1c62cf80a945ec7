"""The contour's best value per cell, checked against the same cells computed directly from
``study.trials`` in the test (bins worked out by hand from the stored distributions)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import optuna
import pytest
from optuna.distributions import CategoricalDistribution, IntDistribution

from hpo_tui.core.analysis.contour import (
    EMPTY_GLYPH,
    GLYPHS,
    contour,
    contour_lines,
    glyph_levels,
)
from hpo_tui.core.errors import HpoTuiError
from tests.core.conftest import Loaded
from tests.helpers.multi_objective import KEYED, LISTED, NSGA, RANDOM
from tests.helpers.patterns_campaign import STRONG, TRAP
from tests.helpers.studies import study_id_of


def _bin(value: Any, distribution: Any, n_bins: int) -> int:
    """The bin of ``value``, by the rules of the contour's docstring, worked out here."""
    if isinstance(distribution, CategoricalDistribution):
        return list(distribution.choices).index(value)
    low, high = distribution.low, distribution.high
    if isinstance(distribution, IntDistribution) and high - low + 1 <= n_bins:
        return int(value - low)  # one bin per integer
    if distribution.log:
        low, high, value = math.log10(low), math.log10(high), math.log10(value)
    return min(n_bins - 1, math.floor((value - low) / (high - low) * n_bins))


def _expected_cells(
    storage: Any, name: str, x: str, y: str, bins: tuple[int, int], objective: int
) -> dict[tuple[int, int], tuple[int, float, int]]:
    """(x bin, y bin) → (trials, best value, its number), straight from study.trials."""
    study = optuna.load_study(study_name=name, storage=storage)
    maximize = study.directions[objective].name == "MAXIMIZE"
    cells: dict[tuple[int, int], list[tuple[float, int]]] = {}
    for trial in study.trials:
        if trial.state.name != "COMPLETE" or x not in trial.params or y not in trial.params:
            continue
        if any(v > 0 for v in trial.constraints.values()):
            continue
        cell = (
            _bin(trial.params[x], trial.distributions[x], bins[0]),
            _bin(trial.params[y], trial.distributions[y], bins[1]),
        )
        cells.setdefault(cell, []).append((trial.values[objective], trial.number))
    expected = {}
    for cell, found in cells.items():
        value, number = sorted(found, key=lambda p: (-p[0] if maximize else p[0], p[1]))[0]
        expected[cell] = (len(found), value, number)
    return expected


def _check(loaded: Loaded, case: Case) -> None:
    campaign, storage = loaded
    name, x, y, bins, objective = case
    result = contour(campaign, study_id_of(campaign, name), x, y, bins, objective)
    expected = _expected_cells(storage, name, x, y, bins, objective)
    found = {
        (row.x_bin, row.y_bin): (row.n_trials, row.best_value, row.best_number)
        for row in result.cells.itertuples(index=False)
    }
    assert found == expected
    assert result.n_trials == sum(n for n, _, _ in expected.values())


Case = tuple[str, str, str, tuple[int, int], int]  # study, x, y, bins, objective

PATTERN_CASES: list[Case] = [
    (STRONG, "learning_rate", "width", (10, 10), 0),  # log × int (step 16, more than bins)
    (STRONG, "activation", "dropout", (10, 7), 0),  # categorical × linear
    (TRAP, "x", "y", (20, 8), 0),  # maximize
]
MULTI_CASES: list[Case] = [
    (NSGA, "learning_rate", "activation", (12, 10), 1),  # accuracy, maximized
    (RANDOM, "x", "z", (10, 10), 0),  # an int with one bin per value; an inf value
    (LISTED, "x", "y", (5, 5), 1),  # constrained: infeasible trials are never the best
]


def _case_id(case: Case) -> str:
    return "-".join(map(str, case))


@pytest.mark.parametrize("case", PATTERN_CASES, ids=_case_id)
def test_cells_of_single_objective_studies(patterns_loaded: Loaded, case: Case) -> None:
    _check(patterns_loaded, case)


@pytest.mark.parametrize("case", MULTI_CASES, ids=_case_id)
def test_cells_of_multi_objective_studies(multi_loaded: Loaded, case: Case) -> None:
    _check(multi_loaded, case)


def test_axes_follow_the_distributions(patterns_loaded: Loaded) -> None:
    campaign, _ = patterns_loaded
    result = contour(
        campaign, study_id_of(campaign, STRONG), "learning_rate", "activation", (3, 10)
    )
    # log: 1e-5 … 1e-1 in 3 bins of 4/3 decades each
    np.testing.assert_allclose(result.x.edges, [1e-5, 10 ** (-5 + 4 / 3), 10 ** (-5 + 8 / 3), 0.1])
    assert result.x.log and result.y.labels == ["relu", "gelu", "tanh"]
    cells = result.cells.set_index(["x_bin", "y_bin"])
    assert set(cells["y_label"]) <= {"relu", "gelu", "tanh"}
    assert cells["y_low"].isna().all()


def test_errors(multi_loaded: Loaded) -> None:
    campaign, _ = multi_loaded
    study = study_id_of(campaign, KEYED)
    with pytest.raises(HpoTuiError, match="two different params"):
        contour(campaign, study, "x", "x")
    with pytest.raises(HpoTuiError, match=r"has no param 'lr' \(params: x\)"):
        contour(campaign, study, "x", "lr")
    with pytest.raises(HpoTuiError, match="from 1 to 200"):
        contour(campaign, study_id_of(campaign, RANDOM), "x", "y", bins=(0, 5))
    with pytest.raises(HpoTuiError, match="objective 2 does not exist"):
        contour(campaign, study, "x", "y", objective=2)


def test_glyph_levels_by_hand() -> None:
    # Three distinct values, minimized: ranks 0, 1, 2 of 3 → levels 8 - floor(r·9/3) = 8, 5, 2.
    grid = np.array([[0.1, np.nan], [0.5, 0.1], [2.0, np.nan]])
    levels, legend = glyph_levels(grid, "minimize")
    assert levels.tolist() == [[8, -1], [5, 8], [2, -1]]
    assert legend.entries == [("@", 0.1, 0.1), ("*", 0.5, 0.5), ("-", 2.0, 2.0)]  # .:-=+*#%@
    maximized, _ = glyph_levels(grid, "maximize")
    assert maximized.tolist() == [[2, -1], [5, 2], [8, -1]]
    # More distinct values than glyphs: every glyph used, the densest for the best ones.
    many = np.arange(20.0).reshape(4, 5)
    levels, legend = glyph_levels(many, "minimize")
    assert levels[0, 0] == len(GLYPHS) - 1 and levels[-1, -1] == 0
    assert [g for g, _, _ in legend.entries] == list(reversed(GLYPHS))
    assert np.all(np.diff(levels.ravel()) <= 0)  # worse values never get denser glyphs


def test_picture_reads_without_colour(patterns_loaded: Loaded) -> None:
    campaign, _ = patterns_loaded
    result = contour(campaign, study_id_of(campaign, TRAP), "x", "y", (8, 4))
    lines = contour_lines(result)
    assert lines[0] == "value (maximize): best per cell of x × y"
    grid_lines = lines[2:6]  # the four y bins, top (high y) first
    best = result.cells.loc[result.cells["best_value"].idxmax()]
    row = grid_lines[3 - int(best["y_bin"])]
    cells = row.split("│")[1]
    assert cells[2 * int(best["x_bin"]) : 2 * int(best["x_bin"]) + 2] == "@@"
    assert all(ch in GLYPHS + EMPTY_GLYPH for line in grid_lines for ch in line.split("│")[1])
    axis_line = next(i for i, line in enumerate(lines) if line.endswith("x →"))
    legend = lines[axis_line + 1 :]
    assert legend[0].startswith("@ ") and legend[0].endswith("(best)")
    assert legend[-1].strip() == "blank: no trial"
