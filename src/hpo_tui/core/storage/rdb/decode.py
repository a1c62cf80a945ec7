"""Optuna's RDB encodings decoded: value types (FINITE/INF_POS/INF_NEG/NAN) and attributes as
Python-flavoured JSON, into numpy columns and frames."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.errors import SourceError
from hpo_tui.core.storage.raw import ATTR_COLUMNS, decode_attr_texts, decoded, frame
from hpo_tui.core.storage.sources import Source

SPECIAL_FLOATS = {"INF_POS": np.inf, "INF_NEG": -np.inf, "NAN": np.nan}


def decode_special(values: pd.Series, types: pd.Series | None) -> np.ndarray:
    """Stored values as floats, their value types applied (``types``: None for pre-3.0
    heads, where NULL meant NaN and infinities were stored as floats)."""
    out = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan, copy=True)
    if types is None:
        return out
    kinds = types.astype(str).to_numpy()
    for name, special in SPECIAL_FLOATS.items():
        out[kinds == name] = special
    return out


def apply_value_types(values: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    """``values`` (a float copy) with the rows whose type is special set to it."""
    for name, special in SPECIAL_FLOATS.items():
        values[kinds == name] = special
    return values


def column_numpy(table: Any, name: str) -> np.ndarray:
    """One Arrow column as numpy (nulls of a float column become NaN)."""
    return np.asarray(table.column(name).to_numpy())


def object_column(values: list[Any]) -> np.ndarray:
    """A 1-D object array holding each value as one element (a list stays one element)."""
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return column


def attr_frame(rows: list[tuple[Any, ...]], what: str, source: Source) -> pd.DataFrame:
    """``owner, key, value`` rows of an attribute table, their JSON decoded.

    Raises:
        SourceError: a value is not JSON (``what`` names the table in the message).
    """
    try:
        values = decode_attr_texts([text for _owner, _key, text in rows])
    except ValueError as exc:
        raise SourceError(source.display, f"{what} holds invalid JSON ({exc})") from None
    if not rows:
        return frame([], ATTR_COLUMNS)
    owners, keys, _texts = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "trial_id": pd.Series(owners),
            "key": pd.Series(keys, dtype=object),
            "value": object_column(values),
        }
    )


def arrow_attr_frame(table: Any) -> pd.DataFrame:
    """``trial_id, key, value`` of an Arrow attribute table, its JSON decoded by Arrow kernels
    (which release the GIL). Raises ``ValueError`` for a value that is not JSON."""
    values = decode_attr_texts(None, table.column("value_json").combine_chunks())
    return pd.DataFrame(
        {
            "trial_id": column_numpy(table, "trial_id"),
            "key": np.asarray(table.column("key").to_pylist(), dtype=object),
            "value": object_column(values),
        }
    )


def study_attr_dicts(rows: list[tuple[Any, ...]], source: Source) -> dict[Any, dict[str, Any]]:
    """Study id → its attributes, from an attribute table's rows."""
    out: dict[Any, dict[str, Any]] = {}
    for owner, key, value in attr_frame(rows, "a study attribute", source).itertuples(index=False):
        # A few per study, kept whole: number lists (NSGA-II's parent populations) decoded.
        out.setdefault(owner, {})[key] = decoded(value)
    return out
