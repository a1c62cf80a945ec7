"""TrialTable's sort by cached ranks gives exactly the order of a stable pandas sort."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hpo_tui.core import load_campaign
from hpo_tui.tui.widgets.trial_table import TrialTable, sort_rows
from tests.helpers.golden import GOLDEN_SPEC


def _orders(trials: pd.DataFrame, column: str, ascending: bool, query: str) -> tuple:
    table = TrialTable(trials, [column])
    table.state.sort_column, table.state.ascending, table.state.query = column, ascending, query
    ranked = table.compute_order()
    table.state.sort_column = None
    rows = table.compute_order()
    expected = sort_rows(table.trials[column], rows, ascending)
    return ranked.tolist(), expected.tolist()


@pytest.mark.parametrize("ascending", [True, False])
@pytest.mark.parametrize("query", ["", "number % 3 != 1"])
def test_every_column_of_the_golden_campaign(ascending: bool, query: str) -> None:
    trials = load_campaign([GOLDEN_SPEC]).trials
    for column in trials.columns:
        ranked, expected = _orders(trials, column, ascending, query)
        assert ranked == expected, column


@pytest.mark.parametrize("ascending", [True, False])
def test_ties_missing_signed_zero_and_mixed_objects(ascending: bool) -> None:
    n = 9
    trials = pd.DataFrame(
        {
            "key": np.arange(n),
            "diverged": [False] * n,
            "state": ["COMPLETE"] * n,
            "number": np.arange(n),
            "value": [0.5, np.nan, -0.0, 0.0, 0.5, -np.inf, np.inf, np.nan, 0.5],
            "n_layers": pd.array([3, None, 1, 3, 2, None, 1, 3, 2], dtype="Int64"),
            "note": ["b", None, "a", 3, "b", None, 10, "a", float("nan")],
            "name": pd.array(["x", None, "y", "x", "é", "X", None, "y", "x"], dtype="str"),
            "flag": [True, False, True, False, True, False, True, False, True],
        }
    )
    for column in trials.columns:
        ranked, expected = _orders(trials, column, ascending, "")
        assert ranked == expected, column
