"""Per-trial details (params, distributions, attrs as dicts) built from the long tables by
key groups: the same dicts as a row-by-row loop, on odd tables."""

from __future__ import annotations

import json
import math
import struct
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hpo_tui.core import load_campaign
from hpo_tui.core.model.details import DetailTables, details_frame
from hpo_tui.core.storage.raw import EncodedList, decode_attr_texts, decoded
from tests.helpers.golden import GOLDEN_SPEC

KEYS = st.integers(0, 12)
NAMES = st.sampled_from(["lr", "n_layers", "optimizer", "β", "a,b", 'q"uote', "x\ny"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True),
    st.text(max_size=8),
)
JSON_VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner)
)
NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True),
    st.integers(-(2**53), 2**53),
)


def _loop_reference(
    key_index: pd.Index, params: pd.DataFrame, users: pd.DataFrame, systems: pd.DataFrame
) -> pd.DataFrame:
    """The details as they were built before key groups: a dict per key, row by row (the
    last of two rows with the same key and name wins, at the first one's place)."""
    out = pd.DataFrame(index=key_index)

    def grouped(table: pd.DataFrame, name: str, value: str) -> pd.Series:
        result: dict[int, dict[str, Any]] = {}
        for key, attr, item in zip(table["key"], table[name], table[value], strict=True):
            result.setdefault(int(key), {})[str(attr)] = item
        return pd.Series({k: result.get(k, {}) for k in key_index}, dtype=object)

    out["params"] = grouped(params, "param_name", "value")
    out["distributions"] = grouped(params, "param_name", "distribution_json")
    users = users.assign(value=[decoded(v) for v in users["value"]])
    systems = systems.assign(value=[decoded(v) for v in systems["value"]])
    out["user_attrs"] = grouped(users, "attr", "value")
    out["system_attrs"] = grouped(systems, "attr", "value")
    return out


def _bits(data: Any) -> Any:
    """``data`` with its exact types and float bits visible (NaN == NaN, -0.0 != 0.0)."""
    if isinstance(data, float):
        return ("float", struct.pack("<d", data))
    if isinstance(data, dict):
        return ("dict", [(k, _bits(v)) for k, v in data.items()])  # order matters too
    if isinstance(data, list):
        return ("list", [_bits(v) for v in data])
    return (type(data).__name__, data)


def _same_details(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert got.index.equals(want.index)
    for column in want.columns:
        assert [_bits(v) for v in got[column]] == [_bits(v) for v in want[column]], column


@st.composite
def detail_tables(draw: st.DrawFn) -> tuple[pd.Index, DetailTables]:
    """Long tables in any row order (keys unsorted, repeated names, keys without a trial),
    attr values as readers give them (number lists as :class:`EncodedList`)."""
    params = draw(
        st.lists(st.tuples(KEYS, NAMES, SCALARS, st.sampled_from(["{}", '{"a": 1}'])), max_size=30)
    )
    attr_rows = draw(
        st.lists(
            st.tuples(
                KEYS,
                st.booleans(),
                NAMES,
                st.one_of(JSON_VALUES, st.lists(NUMBER, min_size=1, max_size=6)),
            ),
            max_size=30,
        )
    )
    texts = [json.dumps(value) for *_, value in attr_rows]
    values = decode_attr_texts(texts) if texts else []
    users = [(k, n, v) for (k, user, n, _), v in zip(attr_rows, values, strict=True) if user]
    systems = [(k, n, v) for (k, user, n, _), v in zip(attr_rows, values, strict=True) if not user]
    keys = draw(st.lists(KEYS, unique=True, max_size=10))

    def table(rows: list[tuple[Any, ...]], columns: list[str]) -> pd.DataFrame:
        frame = pd.DataFrame(
            {c: pd.Series([r[i] for r in rows], dtype=object) for i, c in enumerate(columns)}
        )
        return frame.astype({"key": np.int64})

    return pd.Index(keys, dtype=np.int64), DetailTables(
        table(params, ["key", "param_name", "value", "distribution_json"]),
        table(users, ["key", "attr", "value"]),
        table(systems, ["key", "attr", "value"]),
    )


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(detail_tables())
def test_key_groups_give_the_dicts_of_a_row_by_row_loop(
    case: tuple[pd.Index, DetailTables],
) -> None:
    key_index, tables = case
    got = details_frame(key_index, tables.params, tables.user_attrs, tables.system_attrs)
    want = _loop_reference(key_index, tables.params, tables.user_attrs, tables.system_attrs)
    _same_details(got, want)
    # Number lists left encoded: the same dicts once decoded, nothing else changed.
    encoded = tables.decoded(key_index, decode_lists=False)
    for column in ("params", "distributions"):
        assert [_bits(v) for v in encoded[column]] == [_bits(v) for v in got[column]]
    for column in ("user_attrs", "system_attrs"):
        kept = [v for d in encoded[column] for v in d.values()]
        assert not any(isinstance(v, list) and v and _numbers_only(v) for v in kept)
        again = [{k: decoded(v) for k, v in d.items()} for d in encoded[column]]
        assert [_bits(v) for v in again] == [_bits(v) for v in want[column]]


def _numbers_only(values: list[Any]) -> bool:
    return all(type(v) in (int, float) for v in values)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(detail_tables(), st.data())
def test_details_of_some_keys_are_those_rows_of_all(
    case: tuple[pd.Index, DetailTables], data: st.DataObject
) -> None:
    key_index, tables = case
    some = data.draw(
        st.lists(st.sampled_from(list(key_index)), unique=True) if len(key_index) else st.just([])
    )
    whole = tables.decoded(key_index)
    _same_details(tables.decoded(pd.Index(some, dtype=np.int64)), whole.loc[some])
    for key in some:
        one = tables.decoded_trial(key)
        assert [_bits(v) for v in one] == [_bits(v) for v in whole.loc[key]]


def test_number_lists_decode_to_python_numbers_with_their_ints() -> None:
    texts = ["[0.5, NaN, -Infinity, 1e-300]", "[1, 2.5, 3]", "[-0.0]", '"text"']
    values = decode_attr_texts(texts)
    assert sum(isinstance(v, EncodedList) for v in values) == 3
    users = pd.DataFrame({"key": [3, 3, 4, 4], "attr": ["a", "b", "a", "c"], "value": values})
    none = pd.DataFrame({"key": pd.Series([], dtype=np.int64), "attr": [], "value": []})
    params = none.rename(columns={"attr": "param_name"}).assign(distribution_json=[])
    got = details_frame(pd.Index([4, 3, 5]), params, users, none)["user_attrs"]
    assert got.loc[3]["a"][:1] == [0.5] and math.isnan(got.loc[3]["a"][1])
    assert got.loc[3]["a"][2:] == [-math.inf, 1e-300]
    assert [type(v) for v in got.loc[3]["b"]] == [int, float, int]
    assert struct.pack("<d", got.loc[4]["a"][0]) == struct.pack("<d", -0.0)
    assert got.loc[4] == {"a": [-0.0], "c": "text"}
    assert got.loc[5] == {}


def test_campaign_details_for_some_trials_build_only_those() -> None:
    campaign = load_campaign([GOLDEN_SPEC])
    keys = campaign.trials["key"].to_numpy()[[5, 0, 3]]
    some = campaign.details_for(keys)
    assert not campaign.details_built  # built for these trials alone, not kept
    _same_details(some, campaign.details.loc[keys])
    assert campaign.details_built
    _same_details(campaign.details_for(keys), some)  # now read from the built frame
    encoded = campaign.details_for(keys, decode_lists=False)
    lists = [v for d in encoded["user_attrs"] for v in d.values() if isinstance(v, EncodedList)]
    assert lists  # the golden campaign's trials store curves as user attrs
    campaign.drop_details()
    assert not campaign.details_built
