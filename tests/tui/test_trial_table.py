"""TrialTable: sorting by cached ranks and formatting distinct values once change nothing shown."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hpo_tui.core import load_campaign
from hpo_tui.tui.widgets.trial_cells import _format_values, format_column
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


def test_formatting_distinct_values_once_gives_the_same_strings() -> None:
    n = 5000
    rng = np.random.default_rng(0)
    pick = rng.integers(0, 4, size=n)
    columns = {
        "float": pd.Series(np.array([0.5, np.nan, -0.0, 1.2e-05])[pick]),
        "Int64": pd.Series(pd.array([3, None, 1, 2], dtype="Int64")[pick]),
        "bool": pd.Series(np.array([True, False, True, False])[pick]),
        "str": pd.Series(pd.array(["a", None, "b\x1b[31m", "é"], dtype="str")[pick]),
        "text objects": pd.Series(np.array(["x", None, float("nan"), "y"], dtype=object)[pick]),
        "mixed objects": pd.Series(np.array([1, 1.0, True, "1"], dtype=object)[pick]),
        "all missing": pd.Series([np.nan] * n),
        "datetime": pd.Series(
            pd.to_datetime(
                ["2026-01-05 08:00:00", None, "2026-01-06 00:00:00", "2026-01-07 01:02:03"],
                utc=True,
            )[pick]
        ),
        "unique floats": pd.Series(rng.random(n)),
    }
    for name, series in columns.items():
        assert format_column(series) == _format_values(series, 4), name
