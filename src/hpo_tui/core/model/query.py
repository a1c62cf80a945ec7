"""Filter expressions over a trials frame (pandas ``eval`` syntax), with errors in plain
words: the offending token, the closest column names, and how to write what was meant.

pandas reports a bad expression in its own terms (``'PandasExprVisitor' object has no
attribute 'visit_LShift'``, ``name 'lr' is not defined``, ``invalid character '₁' (U+2081)
(<unknown>, line 1)``); :func:`explain_query_error` turns those into one line a user can act
on. UI-free: the TUI's filter field and any other caller share it.
"""

from __future__ import annotations

import difflib
import re
import tokenize
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

MAX_COLUMNS_LISTED = 30  # beyond that the list says how many more there are
OPERATORS = {
    "LShift": "<<",
    "RShift": ">>",
    "BitXor": "^",
    "MatMult": "@",
    "FloorDiv": "//",
    "Invert": "~",
    "Starred": "*",
    "Walrus": ":=",
    "NamedExpr": ":=",
}
# pandas' own name for a backticked column: the text between the backticks, mangled
_BACKTICK_PREFIX = "BACKTICK_QUOTED_STRING_"


class QueryError(ValueError):
    """A filter expression that cannot be applied; ``str()`` is one line for the user."""


def query_mask(
    frame: pd.DataFrame,
    expression: str,
    *,
    columns_first: Sequence[str] = (),
    max_listed: int = MAX_COLUMNS_LISTED,
    aliases: Mapping[str, str] | None = None,
) -> np.ndarray:
    """Rows of ``frame`` matching a pandas expression (``value < 0.3 and param_lr > 1e-4``).

    Missing values never match.

    Args:
        frame: The trials.
        expression: The condition, in pandas ``eval`` syntax.
        columns_first: Columns an error message lists first (e.g. those on screen).
        max_listed: How many columns an error message lists before ``and N more``.
        aliases: More names for columns (``{"val_loss": "values_0"}``: the objectives by
            the names a table's header shows); only names that are Python identifiers, and
            none that is already a column.

    Raises:
        QueryError: with a one-line message in plain words when the expression is invalid.
    """
    usable = {
        alias: column
        for alias, column in (aliases or {}).items()
        if alias.isidentifier() and alias not in frame.columns and column in frame.columns
    }
    try:
        result = frame.eval(
            expression,
            engine="python",
            resolvers=({alias: frame[column] for alias, column in usable.items()},),
        )
    except Exception as exc:
        message = explain_query_error(
            expression,
            frame,
            exc,
            columns_first=[*usable, *columns_first],
            max_listed=max_listed,
            aliases=list(usable),
        )
        raise QueryError(message) from None
    if isinstance(result, pd.Series) and str(result.dtype) == "boolean":
        return result.fillna(False).to_numpy(dtype=bool)  # comparisons on nullable columns
    not_a_condition = QueryError(
        "the expression must be a condition, true or false per trial, e.g. value < 0.3"
    )
    if not isinstance(result, pd.Series):
        raise not_a_condition
    if result.dtype != bool and pd.api.types.is_numeric_dtype(result.dtype):
        raise not_a_condition  # a number per trial, e.g. ``value + 1``
    if result.dtype != bool:  # e.g. an object column of True/False
        try:
            result = result.astype(bool)
        except (TypeError, ValueError):
            raise not_a_condition from None
    return result.fillna(False).to_numpy(dtype=bool)


def explain_query_error(
    expression: str,
    frame: pd.DataFrame,
    error: Exception,
    *,
    columns_first: Sequence[str] = (),
    max_listed: int = MAX_COLUMNS_LISTED,
    aliases: Sequence[str] = (),
) -> str:
    """One line saying what is wrong with ``expression`` and how to write it.

    Args:
        expression: The expression as the user typed it.
        frame: The frame it was applied to (its columns are the names it may use).
        error: What pandas raised.
        columns_first: Columns to list first when the message lists the columns.
        max_listed: How many columns to list before ``and N more``.
        aliases: Other names the expression may use (see :func:`query_mask`).

    Returns:
        The message, without pandas internals.
    """
    names = [*aliases, *(str(c) for c in frame.columns)]
    first = [c for c in columns_first if c in names]
    columns = first + [c for c in names if c not in first]
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    name = _undefined_name(text)
    if name is not None:
        return _unknown_name(expression, frame, columns, name, max_listed)
    if isinstance(error, SyntaxError):
        return _syntax(expression, error, columns)
    if isinstance(error, tokenize.TokenError) or "EOF in multi-line" in text:
        return "unclosed parenthesis or quote in the expression"
    visitor = re.search(r"has no attribute 'visit_(\w+)'", text)
    if visitor:
        node = visitor.group(1)
        symbol = OPERATORS.get(node, node)
        return f"operator {symbol} is not supported in a filter" + _operators_hint()
    not_implemented = re.search(r"'(\w+)' nodes are not implemented", text)
    if not_implemented:
        node = not_implemented.group(1)
        what = {"Lambda": "lambda", "IfExp": "if … else", "Import": "import"}.get(node, node)
        return f"{what} is not supported in a filter" + _operators_hint()
    attribute = re.search(r"'Series' object has no attribute '([^']+)'", text)
    if attribute:
        return (
            f"unknown attribute .{attribute.group(1)} after a column; "
            "if the dot is part of the column name, " + backtick_hint(columns)
        )
    comparison = re.search(r"Invalid comparison between dtype=(\S+) and (\w+)", text)
    if comparison:
        return (
            f"cannot compare a column of {comparison.group(1)} with a {comparison.group(2)} "
            "value (numbers are written bare, text in quotes)"
        )
    return f"invalid filter: {text or type(error).__name__}"


def backtick_hint(columns: Sequence[str]) -> str:
    """How to write a column name that is not a Python identifier, with one of ``columns``
    as the example when there is such a column."""
    example = next((c for c in columns if not c.isidentifier() and "`" not in c), "my column")
    return f"names that are not identifiers go in backticks, e.g. `{example}` > 1"


def _operators_hint() -> str:
    return " (use < <= == != >= >, and, or, not, in, + - * / **, and parentheses)"


def _undefined_name(text: str) -> str | None:
    match = re.fullmatch(r"name '(.+)' is not defined", text)
    return match.group(1) if match else None


def _typed_name(expression: str, name: str) -> tuple[str, bool]:
    """The name as the user typed it, and whether it was in backticks."""
    if not name.startswith(_BACKTICK_PREFIX):
        return name, False
    for quoted in re.findall(r"`([^`]*)`", expression):
        if re.sub(r"\W", "_", quoted) == name[len(_BACKTICK_PREFIX) :]:
            return quoted, True
    return name[len(_BACKTICK_PREFIX) :], True


def _unknown_name(
    expression: str, frame: pd.DataFrame, columns: Sequence[str], name: str, max_listed: int
) -> str:
    typed, quoted = _typed_name(expression, name)
    shown = f"`{typed}`" if quoted else f"'{typed}'"
    message = f"unknown column {shown}"
    # A column whose name goes on past the token with a character Python stops at
    # (``param_model.width``): the user meant the whole name, which needs backticks.
    if not quoted:
        whole = _dotted_column(expression, typed, columns)
        if whole is not None:
            return f"{message}: the column {whole} needs backticks: `{whole}`"
        if _is_a_text_value(frame, typed):
            return (
                f"{message}: text goes in quotes, e.g. state == '{typed}'"
                if typed.isupper()
                else f"{message}: text goes in quotes, e.g. == '{typed}'"
            )
    close = closest_columns(typed, columns)
    if close:
        return f"{message}; closest columns: {', '.join(close)}; {backtick_hint(columns)}"
    listed = list_columns(columns, max_listed)
    return f"{message}; columns: {listed}; {backtick_hint(columns)}"


def _dotted_column(expression: str, token: str, columns: Sequence[str]) -> str | None:
    """The column ``token`` begins, when the expression goes on with the rest of its name."""
    for column in sorted(columns, key=len, reverse=True):
        longer = len(column) > len(token) and column.startswith(token)
        if longer and column in expression and not column[len(token)].isidentifier():
            return column
    return None


def _is_a_text_value(frame: pd.DataFrame, token: str) -> bool:
    """Whether ``token`` is a value of some text column (bare text meant as a string)."""
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
            continue
        try:
            if bool((series.astype(str) == token).any()):
                return True
        except (TypeError, ValueError):
            continue
    return False


def closest_columns(token: str, columns: Sequence[str], limit: int = 5) -> list[str]:
    """Columns that ``token`` probably meant: ``param_``/``user_attr_`` + token, columns
    containing it, columns it abbreviates (``lr``: ``param_learning_rate``), then the most
    similar names (difflib)."""
    lowered = token.lower()
    found: list[str] = []

    def add(column: str) -> None:
        if column not in found and len(found) < limit:
            found.append(column)

    for prefix in ("param_", "user_attr_", "values_", "curve_"):
        if prefix + token in columns:
            add(prefix + token)
    if len(lowered) >= 2:
        for column in columns:
            if lowered in column.lower():
                add(column)
    if len(lowered) >= 2:
        for column in columns:
            if _initials(column) == lowered:
                add(column)
    for column in difflib.get_close_matches(token, list(columns), n=limit, cutoff=0.6):
        add(column)
    return found


def _initials(column: str) -> str:
    """``param_learning_rate`` → ``lr``: what an abbreviation of the name would be."""
    for prefix in ("param_", "user_attr_"):
        if column.startswith(prefix):
            column = column[len(prefix) :]
    return "".join(part[0] for part in re.split(r"[\W_]+", column.lower()) if part)


def list_columns(columns: Sequence[str], limit: int = MAX_COLUMNS_LISTED) -> str:
    """The column names, comma-separated; past ``limit``, how many more there are."""
    listed = ", ".join(columns[:limit])
    more = len(columns) - limit
    return listed + (f" and {more} more" if more > 0 else "")


def _syntax(expression: str, error: SyntaxError, columns: Sequence[str]) -> str:
    message = error.msg or "invalid syntax"
    character = re.match(r"invalid character '(.)'", message)
    if character:
        close = [c for c in columns if character.group(1) in c]
        where = f"; columns with it: {', '.join(close[:5])}" if close else ""
        return (
            f"invalid character '{character.group(1)}' in the expression{where}; "
            + backtick_hint(columns)
        )
    offset = error.offset
    # pandas rewrites backticked names before parsing, so its offsets fit the typed text
    # only when there are none.
    if "`" in expression or offset is None:
        return f"not a valid expression; {backtick_hint(columns)}"
    if offset > len(expression.rstrip()):
        return "something is missing at the end of the expression"
    token = expression[offset - 1 :].split()[0] if expression[offset - 1 :].strip() else ""
    return f"not a valid expression at position {offset}: near '{token}'"
