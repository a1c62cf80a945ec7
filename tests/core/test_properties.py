"""Property-based tests: axis parsing, exact CSV/JSON round trips, journal truncation."""

from __future__ import annotations

import io
import json
import math
import struct
import warnings
from datetime import UTC
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hpo_tui.core import SourceError, load_campaign
from hpo_tui.core.config import DEFAULT_AXIS_PATTERN
from hpo_tui.core.export.formats.csv import frame_to_csv
from hpo_tui.core.export.formats.json import dumps_strict
from hpo_tui.core.model.axes import axis_sort_key, parse_axes
from hpo_tui.core.model.build import summarize_studies
from hpo_tui.core.model.frames import STATES
from hpo_tui.core.storage.raw import external_param_values
from tests.helpers.csv_reference import csv_cell_by_cell

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(st.text(max_size=60))
def test_axis_parsing_never_fails_and_finds_substrings(name: str) -> None:
    axes = parse_axes(name, DEFAULT_AXIS_PATTERN)
    assert set(axes) == {"budget", "horizon"}
    found = [v for v in axes.values() if v is not None]
    assert len(found) in (0, 2)  # both axes or none: a grid cell needs both
    for token in found:
        assert token in name
        axis_sort_key(token)


def _bits(value: float) -> bytes:
    return struct.pack("<d", value)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True), TEXT),
        min_size=1,
        max_size=20,
    )
)
def test_csv_round_trip_is_exact(rows: list[tuple[float, str]]) -> None:
    frame = pd.DataFrame(
        {"x": [r[0] for r in rows], "s": pd.Series([r[1] for r in rows], dtype=object)}
    )
    text = frame_to_csv(frame)
    back = pd.read_csv(
        io.StringIO(text), keep_default_na=False, na_values=[""], dtype={"s": object}
    )
    for got, want in zip(back["x"].to_numpy(float), frame["x"], strict=True):
        if math.isnan(want):
            assert math.isnan(got)
        else:
            assert _bits(got) == _bits(want)  # -0.0 and subnormals included
    for got, want in zip(back["s"], frame["s"], strict=True):
        assert (got if isinstance(got, str) else "") == want  # "" is the missing value


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=30), TEXT)
def test_strict_json_round_trip(values: list[float], label: str) -> None:
    def refuse(token: str) -> None:
        raise ValueError(token)

    document = json.loads(dumps_strict({"label": label, "values": values}), parse_constant=refuse)
    assert document["label"] == label
    for got, want in zip(document["values"], values, strict=True):
        number = float(got)
        assert (math.isnan(number) and math.isnan(want)) or _bits(number) == _bits(want)


@pytest.fixture(scope="module")
def journal_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from optuna.storages.journal import JournalFileBackend

    path = tmp_path_factory.mktemp("journal") / "full.log"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    storage = optuna.storages.JournalStorage(JournalFileBackend(str(path)))
    study = optuna.create_study(study_name="j_2M_h1", storage=storage)

    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        trial.report(x, 0)
        trial.set_user_attr("val_losses", [x, float("nan")])
        return x

    study.optimize(objective, n_trials=4)
    return path.read_bytes()


@settings(
    max_examples=60,
    deadline=None,  # behaviour, not timing: a loaded machine must not fail it
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cut=st.integers(min_value=0, max_value=10**6))
def test_truncated_journal_reads_a_prefix_or_fails_cleanly(
    journal_bytes: bytes, tmp_path: Path, cut: int
) -> None:
    cut = cut % (len(journal_bytes) + 1)
    path = tmp_path / f"cut-{cut}.log"
    path.write_bytes(journal_bytes[:cut])
    try:
        campaign = load_campaign([str(path)])
    except SourceError as exc:
        assert str(path) in str(exc)
        return
    assert len(campaign.trials) <= 4
    if cut < len(journal_bytes) and not journal_bytes[:cut].endswith(b"\n"):
        assert any("incomplete" in w for w in campaign.warnings)


NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**53), max_value=2**53),
)


@given(st.lists(st.lists(NUMBER, max_size=12), min_size=1, max_size=6), st.data())
def test_stored_number_lists_decode_like_json(
    lists: list[list[float]], data: st.DataObject
) -> None:
    """Attr texts as Optuna stores them (``json.dumps``) decode like ``json.loads``: the
    columnar parse gives the same float64 bits, and the decoded value the same Python types."""
    from hpo_tui.core.storage.raw import EncodedList, decode_attr_texts

    others = data.draw(st.lists(st.one_of(TEXT, st.booleans(), st.none()), max_size=3))
    texts = data.draw(st.permutations([json.dumps(v) for v in (*lists, *others)]))
    # As the row readers call it (Python texts) and as the Arrow readers do (an array only:
    # the lists' texts are made Python strings on demand).
    from_texts = decode_attr_texts(texts)
    from_array = decode_attr_texts(None, pa.array(texts, type=pa.large_string()))
    for text, value, same in zip(texts, from_texts, from_array, strict=True):
        expected = json.loads(text)
        if isinstance(value, EncodedList):
            assert isinstance(same, EncodedList)
            assert same.text == value.text == text
            assert [type(x) for x in same.decode()] == [type(x) for x in expected]
            assert [_bits(float(x)) for x in same.decode()] == [_bits(float(x)) for x in expected]
            assert expected and all(type(x) in (int, float) for x in expected)
            assert [_bits(float(x)) for x in expected] == [_bits(x) for x in value.numbers]
            got = value.decode()
            assert [type(x) for x in got] == [type(x) for x in expected]
            assert [_bits(float(x)) for x in got] == [_bits(float(x)) for x in expected]
        else:
            assert json.dumps(value) == json.dumps(same) == text  # not a number list: JSON
            assert not (
                isinstance(expected, list)
                and expected
                and all(type(x) in (int, float) for x in expected)
            )


@pytest.mark.parametrize("slice_size", [1, 7, 4096])
def test_number_lists_parsed_in_slices_keep_their_numbers(
    slice_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lists are parsed slice by slice; every list keeps exactly its own numbers across
    slice boundaries (empty-looking, one-number and long lists; NaN, ±inf, ints)."""
    import random

    from hpo_tui.core.storage import raw

    monkeypatch.setattr(raw, "_DECODE_SLICE", slice_size)
    rng = random.Random(slice_size)
    pool = [0.1, -2.5e-300, 1e308, float("nan"), float("inf"), -float("inf"), 3, -0.0]
    values = [[rng.choice(pool) for _ in range(rng.choice([1, 2, 5, 100]))] for _ in range(150)]
    values[10] = "not a list"
    texts = [json.dumps(v) for v in values]
    decoded = raw.decode_attr_texts(None, pa.array(texts, type=pa.large_string()))
    for text, value in zip(texts, decoded, strict=True):
        expected = json.loads(text)
        if isinstance(expected, str):
            assert value == expected
            continue
        assert isinstance(value, raw.EncodedList)
        assert [_bits(float(x)) for x in expected] == [_bits(x) for x in value.numbers]
        assert [type(x) for x in value.decode()] == [type(x) for x in expected]


@given(
    st.lists(
        st.tuples(st.integers(1, 6), st.lists(st.booleans(), min_size=6, max_size=6)),
        min_size=1,
        max_size=30,
    )
)
def test_first_last_finite_matches_a_scan_of_every_segment(
    segments: list[tuple[int, list[bool]]],
) -> None:
    """The bounds fast path and the scan of the other segments agree with a plain scan."""
    import numpy as np

    from hpo_tui.core.model.curves import first_last_finite

    lengths = np.array([length for length, _ in segments], dtype=np.int64)
    finite = np.array([f for length, flags in segments for f in flags[:length]], dtype=bool)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    first, last = first_last_finite(finite, starts, ends)
    for i, (s, e) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        rows = [r for r in range(s, e) if finite[r]]
        assert first[i] == (rows[0] if rows else -1)
        assert last[i] == (rows[-1] if rows else -1)


def _distributions() -> st.SearchStrategy[tuple[str, float]]:
    """(stored distribution JSON, an internal value) for every class Optuna can store,
    written by Optuna itself; legacy classes and the abbreviated form included."""
    from optuna import distributions as d

    def legacy(cls_name: str, **attributes: object) -> str:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return d.distribution_to_json(getattr(d, cls_name)(**attributes))

    bounds = st.tuples(
        st.floats(-1e6, 1e6, allow_nan=False), st.floats(0, 1e6, allow_nan=False)
    ).map(lambda lw: (lw[0], lw[0] + lw[1]))
    ints = st.tuples(st.integers(-1000, 1000), st.integers(0, 1000)).map(
        lambda lw: (lw[0], lw[0] + lw[1])
    )
    choice = st.one_of(
        st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False), TEXT
    )
    floats = bounds.map(lambda b: (d.distribution_to_json(d.FloatDistribution(*b)), b[0]))
    logs = st.floats(1e-8, 1e3).map(
        lambda low: (d.distribution_to_json(d.FloatDistribution(low, low * 10, log=True)), low)
    )
    int_dists = ints.map(lambda b: (d.distribution_to_json(d.IntDistribution(*b)), float(b[1])))
    categorical = st.lists(choice, min_size=1, max_size=6, unique_by=repr).flatmap(
        lambda cs: st.integers(0, len(cs) - 1).map(
            lambda i: (d.distribution_to_json(d.CategoricalDistribution(cs)), float(i))
        )
    )
    old = st.sampled_from(
        [
            (legacy("UniformDistribution", low=0.0, high=1.0), 0.25),
            (legacy("LogUniformDistribution", low=1e-5, high=1.0), 1e-3),
            (legacy("DiscreteUniformDistribution", low=0.0, high=1.0, q=0.1), 0.3),
            (legacy("IntUniformDistribution", low=0, high=10), 7.0),
            (legacy("IntLogUniformDistribution", low=1, high=64), 16.0),
            ('{"type": "float", "low": 0.0, "high": 2.0}', 1.5),
            ('{"type": "int", "low": 1, "high": 9, "log": true}', 3.0),
            ('{"type": "categorical", "choices": ["a", 2, null]}', 2.0),
        ]
    )
    return st.one_of(floats, logs, int_dists, categorical, old)


@settings(max_examples=200)
@given(st.lists(_distributions(), min_size=1, max_size=8))
def test_param_values_convert_exactly_like_optuna(cases: list[tuple[str, float]]) -> None:
    """The reader converts params without Optuna; Optuna's own conversion is the oracle
    (same values, same Python types)."""
    from optuna.distributions import json_to_distribution

    texts = pd.Series([t for t, _ in cases], dtype=object)
    internal = pd.Series([v for _, v in cases], dtype=float)
    got = external_param_values(internal, texts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = [json_to_distribution(t).to_external_repr(v) for t, v in cases]
    assert [(type(g), repr(g)) for g in got] == [(type(e), repr(e)) for e in expected]


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"name": "NoSuchDistribution", "attributes": {}}',
        '{"name": "CategoricalDistribution", "attributes": {"choices": 3}}',
    ],
)
def test_a_distribution_optuna_cannot_read_is_refused(text: str) -> None:
    with pytest.raises((ValueError, TypeError, KeyError)):
        external_param_values(pd.Series([0.0]), pd.Series([text], dtype=object))


def _study_summary_by_loop(studies: pd.DataFrame, trials: pd.DataFrame) -> pd.DataFrame:
    """The per-study counts and best trial, one study at a time (the reference)."""
    rows = []
    for study_id, direction in zip(studies["study_id"], studies["direction"], strict=True):
        mine = trials[trials["study_id"] == study_id]
        row: dict[str, object] = {"n_trials": len(mine), "n_diverged": int(mine["diverged"].sum())}
        for state in STATES:
            row[f"n_{state.lower()}"] = int((mine["state"] == state).sum())
        complete = mine[(mine["state"] == "COMPLETE") & mine["value"].notna()]
        if direction not in ("minimize", "maximize") or complete.empty:
            row["best_value"], row["best_trial"] = math.nan, pd.NA
        else:
            ordered = complete.sort_values(
                ["value", "number"], ascending=[direction == "minimize", True], kind="stable"
            )
            row["best_value"] = float(ordered["value"].iloc[0])
            row["best_trial"] = int(ordered["number"].iloc[0])
        rows.append(row)
    return pd.DataFrame(rows)


@settings(max_examples=150)
@given(
    directions=st.lists(
        st.sampled_from(["minimize", "maximize", "minimize,maximize"]), min_size=1, max_size=4
    ),
    trials=st.lists(
        st.tuples(
            st.integers(0, 4),  # study position (4: a study that is not in the studies frame)
            st.sampled_from(STATES),
            st.one_of(st.none(), st.sampled_from([0.0, -0.0, 1.0, -1.0, math.inf, -math.inf])),
            st.booleans(),
        ),
        max_size=40,
    ),
)
def test_study_summary_matches_a_loop_over_studies(
    directions: list[str], trials: list[tuple[int, str, float | None, bool]]
) -> None:
    n = len(directions)
    studies = pd.DataFrame(
        {
            "study_id": np.arange(10, 10 + n, dtype=np.int64),
            "study": [f"s{i}" for i in range(n)],
            "source": "x.db",
            "sweep": [None] * n,
            "direction": directions,
            "directions": [d.upper().split(",") for d in directions],
            "n_objectives": [len(d.split(",")) for d in directions],
            "user_attrs": [{}] * n,
            "system_attrs": [{}] * n,
        }
    )
    seen: dict[int, int] = {}
    numbers = []
    for position, *_ in trials:  # trial numbers count up within each study
        numbers.append(seen.get(position, 0))
        seen[position] = numbers[-1] + 1
    frame = pd.DataFrame(
        {
            "study_id": np.array([10 + p for p, *_ in trials], dtype=np.int64),
            "number": np.array(numbers, dtype=np.int64),
            "state": pd.Series([s for _, s, *_ in trials], dtype=object),
            "value": np.array([math.nan if v is None else v for _, _, v, _ in trials], dtype=float),
            "diverged": np.array([d for *_, d in trials], dtype=bool),
            # unconstrained studies (test_constraints checks the constrained ones)
            "feasible": pd.array([pd.NA] * len(trials), dtype="boolean"),
        }
    )
    got = summarize_studies(studies, frame, ())
    expected = _study_summary_by_loop(studies, frame)
    for column in expected.columns:
        assert got[column].tolist() == expected[column].tolist() or (
            column == "best_value" and np.array_equal(got[column], expected[column], equal_nan=True)
        ), column
    assert [str(got[c].dtype) for c in ("n_trials", "best_value", "best_trial")] == [
        "int64",
        "float64",
        "Int64",
    ]


JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),  # beyond 64 bits too
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
)
JSON_DATA = st.recursive(
    JSON_LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(TEXT, inner, max_size=5)),
    max_leaves=30,
)


@settings(max_examples=300)
@given(JSON_DATA)
def test_strict_json_text_holds_the_same_data_however_it_is_encoded(data: object) -> None:
    """The export's compact JSON goes through orjson (about 20× faster than the standard
    library on a 24k-trial export), and through ``json`` for what orjson refuses (integers
    beyond 64 bits): the same data either way, exactly."""
    from hpo_tui.core.export.formats.json import strict_json

    reference = json.dumps(strict_json(data), ensure_ascii=False, allow_nan=False)
    text = dumps_strict(data)
    assert json.loads(text) == json.loads(reference)
    assert _float_bits(json.loads(text)) == _float_bits(json.loads(reference))


def _strict_reference(data: object) -> object:
    """What strict JSON means, one value at a time (no fast paths)."""
    if isinstance(data, float) and not math.isfinite(data):
        return "NaN" if math.isnan(data) else ("Infinity" if data > 0 else "-Infinity")
    if isinstance(data, (list, tuple)):
        return [_strict_reference(v) for v in data]
    if isinstance(data, dict):
        return {str(k): _strict_reference(v) for k, v in data.items()}
    return data


FLOAT_LISTS = st.lists(
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([1e308, -1e308, 0.0, -0.0]),  # sums that overflow to ±inf
    ),
    max_size=12,
)


@settings(max_examples=300)
@given(
    st.recursive(
        st.one_of(JSON_LEAVES, FLOAT_LISTS, st.lists(st.integers(), max_size=5)),
        lambda inner: st.one_of(
            st.lists(inner, max_size=5),
            st.dictionaries(st.one_of(TEXT, st.integers()), inner, max_size=5),
        ),
        max_leaves=30,
    )
)
def test_strict_json_fast_paths_equal_the_value_by_value_reference(data: object) -> None:
    """Lists of floats are checked by ``sum`` in C, dict values inline: the result is still
    exactly the value-by-value definition, overflowing sums and mixed lists included."""
    from hpo_tui.core.export.formats.json import strict_json

    got = strict_json(data)
    want = _strict_reference(data)
    assert json.dumps(got, allow_nan=False) == json.dumps(want, allow_nan=False)
    assert _float_bits(got) == _float_bits(want)


def _float_bits(data: object) -> object:
    """``data`` with every float replaced by its bits (-0.0 vs 0.0, exact digits)."""
    if isinstance(data, float):
        return _bits(data)
    if isinstance(data, list):
        return [_float_bits(v) for v in data]
    if isinstance(data, dict):
        return {k: _float_bits(v) for k, v in data.items()}
    return data


def test_compact_export_json_does_not_use_the_standard_encoder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def slow(*args: object, **kwargs: object) -> str:
        raise AssertionError("json.dumps was used")

    monkeypatch.setattr(json, "dumps", slow)
    assert json.loads.__module__ == "json"  # reading is still the standard library
    text = dumps_strict({"values": [0.1, float("nan"), 1e-05], "name": "ß"})
    assert text == '{"values":[0.1,"NaN",0.00001],"name":"ß"}'


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True),
            st.integers(-(2**62), 2**62),
            st.booleans(),
            st.one_of(st.none(), TEXT),
            st.one_of(st.none(), st.integers(-5, 5)),
            st.one_of(st.none(), st.datetimes(timezones=st.just(UTC))),
        ),
        max_size=20,
    )
)
def test_csv_columns_at_once_equal_cell_by_cell(rows: list[tuple]) -> None:  # type: ignore[type-arg]
    columns = ["f", "i", "b", "s", "n", "t"]
    frame = pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)
    if rows:
        frame["s"] = frame["s"].astype(object)
        frame["n"] = frame["n"].astype("Int64")
        frame["t"] = pd.to_datetime(frame["t"], utc=True)
    assert frame_to_csv(frame) == csv_cell_by_cell(frame)
