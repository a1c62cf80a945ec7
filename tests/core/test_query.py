"""Filter expressions: matching rows, and errors in plain words (no pandas internals)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hpo_tui.core.model.query import QueryError, query_mask

INTERNALS = ("PandasExprVisitor", "visit_", "BACKTICK_QUOTED_STRING", "<unknown>", "nodes are")


@pytest.fixture
def trials() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "number": [0, 1, 2],
            "state": ["COMPLETE", "PRUNED", "COMPLETE"],
            "value": [0.1, 0.5, np.nan],
            "param_learning_rate": [1e-3, 1e-2, 1e-1],
            "param_lr_decay": [0.9, 0.8, 0.7],
            "param_model.width": [64, 128, 256],
            "user_attr_seed": [1, 2, 3],
        }
    )


def error_of(trials: pd.DataFrame, expression: str) -> str:
    with pytest.raises(QueryError) as caught:
        query_mask(trials, expression)
    text = str(caught.value)
    assert "\n" not in text
    for internal in INTERNALS:
        assert internal not in text, text
    return text


def test_a_good_expression_selects_rows(trials: pd.DataFrame) -> None:
    mask = query_mask(trials, "value < 0.3 and param_learning_rate > 1e-4")
    assert mask.tolist() == [True, False, False]


def test_backticks_reach_a_column_that_is_not_an_identifier(trials: pd.DataFrame) -> None:
    assert query_mask(trials, "`param_model.width` > 100").tolist() == [False, True, True]


def test_an_unsupported_operator_is_named(trials: pd.DataFrame) -> None:
    text = error_of(trials, "value << 3")
    assert "<<" in text
    assert "not supported" in text


def test_an_unknown_name_suggests_the_closest_columns(trials: pd.DataFrame) -> None:
    text = error_of(trials, "lr > 0.1")
    assert "'lr'" in text
    assert "param_lr_decay" in text


def test_an_abbreviation_suggests_the_column_it_stands_for(trials: pd.DataFrame) -> None:
    text = error_of(trials, "lr > 0.1")
    assert "param_learning_rate" in text  # l(earning) r(ate)


def test_the_column_list_puts_the_preferred_columns_first_and_says_what_it_leaves_out(
    trials: pd.DataFrame,
) -> None:
    with pytest.raises(QueryError) as caught:
        query_mask(trials, "zzzz > 1", columns_first=["value", "state"], max_listed=3)
    text = str(caught.value)
    assert "columns: value, state, number and 4 more" in text


def test_a_misspelt_column_suggests_the_right_one(trials: pd.DataFrame) -> None:
    text = error_of(trials, "param_learnng_rate > 0.1")
    assert "param_learning_rate" in text


def test_an_unknown_name_far_from_every_column_lists_the_columns(trials: pd.DataFrame) -> None:
    text = error_of(trials, "zzzz > 1")
    assert "'zzzz'" in text
    for column in trials.columns:
        assert column in text


def test_an_invalid_character_is_named_with_the_backtick_hint(trials: pd.DataFrame) -> None:
    text = error_of(trials, "value₁ > 3")
    assert "'₁'" in text
    assert "backticks" in text


def test_a_dotted_column_without_backticks_gets_the_hint(trials: pd.DataFrame) -> None:
    text = error_of(trials, "param_model.width > 100")
    assert "`param_model.width`" in text


def test_an_unknown_backticked_name_is_shown_as_typed(trials: pd.DataFrame) -> None:
    text = error_of(trials, "`param lr` > 1")
    assert "param lr" in text


def test_bare_text_is_told_to_be_quoted(trials: pd.DataFrame) -> None:
    text = error_of(trials, "state == COMPLETE")
    assert "'COMPLETE'" in text
    assert "quotes" in text


def test_an_incomplete_expression_says_where(trials: pd.DataFrame) -> None:
    text = error_of(trials, "value >")
    assert "end of the expression" in text


def test_an_unclosed_parenthesis_is_named(trials: pd.DataFrame) -> None:
    text = error_of(trials, "(value > 1")
    assert "parenthesis" in text


def test_a_lambda_is_not_supported(trials: pd.DataFrame) -> None:
    text = error_of(trials, "lambda: 1")
    assert "lambda" in text


def test_a_value_that_is_not_a_condition(trials: pd.DataFrame) -> None:
    text = error_of(trials, "value + 1")
    assert "condition" in text
