"""``plural``: a count and the noun that agrees with it."""

from __future__ import annotations

import pytest

from hpo_tui.core.display import plural


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (1, "trial", "1 trial"),
        (0, "trial", "0 trials"),
        (2, "trial", "2 trials"),
        (1, "study", "1 study"),
        (12, "study", "12 studies"),
        (3, "key", "3 keys"),  # vowel + y: just an s
        (1, "diverged trial", "1 diverged trial"),
        (5, "diverged trial", "5 diverged trials"),
        (-1, "trial", "-1 trials"),
    ],
)
def test_plural(count: int, noun: str, expected: str) -> None:
    assert plural(count, noun) == expected


def test_an_irregular_plural_is_given() -> None:
    assert plural(2, "matrix", "matrices") == "2 matrices"
    assert plural(1, "matrix", "matrices") == "1 matrix"
