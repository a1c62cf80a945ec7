"""Property-based tests: axis parsing, exact CSV/JSON round trips, journal truncation."""

from __future__ import annotations

import io
import json
import math
import struct
from pathlib import Path

import optuna
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hpo_tui.core import SourceError, load_campaign
from hpo_tui.core.axes import axis_sort_key, parse_axes
from hpo_tui.core.config import DEFAULT_AXIS_PATTERN
from hpo_tui.core.formats import frame_to_csv
from hpo_tui.core.tables import dumps_strict

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


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
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
    from hpo_tui.core.raw import EncodedList, decode_attr_texts

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

    from hpo_tui.core import raw

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

    from hpo_tui.core.curves import first_last_finite

    lengths = np.array([length for length, _ in segments], dtype=np.int64)
    finite = np.array([f for length, flags in segments for f in flags[:length]], dtype=bool)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    first, last = first_last_finite(finite, starts, ends)
    for i, (s, e) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        rows = [r for r in range(s, e) if finite[r]]
        assert first[i] == (rows[0] if rows else -1)
        assert last[i] == (rows[-1] if rows else -1)
