"""Grid axes parsed from study names, ordered by magnitude."""

from __future__ import annotations

import re
from collections.abc import Iterable

_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12}
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*([KkMmBbGgTt]?)")


def parse_axes(name: str, pattern: str) -> dict[str, str | None]:
    """The axis values found in a study name.

    Args:
        name: The study name.
        pattern: A regex whose named groups are the axes.

    Returns:
        One entry per named group; all ``None`` when the name fits no grid.
    """
    compiled = re.compile(pattern)
    match = compiled.search(name)
    if match is None:
        return dict.fromkeys(compiled.groupindex)
    return {axis: match.group(axis) for axis in compiled.groupindex}


_SEPARATORS = re.compile(r"[\s_\-.:/]+")


def sweep_name(name: str, pattern: str) -> str | None:
    """The part of a study name outside its axes: ``phase6a`` for ``phase6a_2M_h1``.

    Separators (``_ - . : /`` and spaces) left around the removed tokens are collapsed, so
    ``phase6a-h1-2M`` gives ``phase6a`` too; a name made of axes only gives ``""``. ``None``
    when the name fits no grid.
    """
    match = re.compile(pattern).search(name)
    if match is None:
        return None
    spans = sorted(match.span(group) for group in match.re.groupindex if match.group(group))
    parts, position = [], 0
    for start, end in spans:
        if start >= position:
            parts.append(name[position:start])
            position = end
    parts.append(name[position:])
    words = [w for part in parts for w in _SEPARATORS.split(part) if w]
    return "_".join(words)


def axis_sort_key(token: str) -> tuple[int, float, str]:
    """Sort key ordering tokens by magnitude: 350K < 2M < 20M < 1.5B < 2B; h1 < h3 < h10.

    Tokens without a number sort after those with one, alphabetically.
    """
    match = _NUMBER.search(token)
    if match is None:
        return (1, 0.0, token)
    number = float(match.group(1)) * _SUFFIX.get(match.group(2).lower(), 1.0)
    return (0, number, token)


def ordered(tokens: Iterable[str | None]) -> list[str]:
    """Distinct non-missing tokens in magnitude order."""
    return sorted({t for t in tokens if isinstance(t, str)}, key=axis_sort_key)
