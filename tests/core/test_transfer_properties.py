"""Cross-budget transfer against its definitions applied trial by trial to Optuna's own trials
(param dicts, distributions), on small random campaigns: ties, the same config in several
trials and studies, missing params, a categorical param mixing None, str, int and float,
±inf values, multi-objective studies. Every number of every pair and param row, exactly.
And the value codes configs are matched by, against the definition (type name and repr)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optuna.distributions import CategoricalDistribution
from optuna.trial import FrozenTrial, TrialState

from hpo_tui.core.analysis.importance import ImportanceCache
from hpo_tui.core.analysis.patterns import TOP_FRACTION
from hpo_tui.core.analysis.transfer import MIN_RANKED, spearman, transfer
from hpo_tui.core.analysis.transfer_inputs import value_codes
from tests.helpers.random_campaign import RandomCampaign, random_campaigns


class _Study:
    """One study as the definitions see it, from Optuna's trials."""

    def __init__(self, rc: RandomCampaign, name: str) -> None:
        self.name = name
        directions = rc.directions[name]
        single = len(directions) == 1
        self.sign = 1.0 if directions == ("minimize",) else -1.0
        trials = rc.trials[name]
        self.reference = [
            t
            for t in trials
            if t.state == TrialState.COMPLETE and single and math.isfinite(t.values[0])
        ]
        ranked = sorted(self.reference, key=lambda t: (self.sign * t.values[0], t.number))
        self.top_k = ranked[: math.ceil(TOP_FRACTION * len(ranked))] if single else []
        # Optuna's best trial: the best value among COMPLETE ones, the first on ties.
        complete = [t for t in trials if t.state == TrialState.COMPLETE and single]
        best = min(complete, key=lambda t: (self.sign * t.values[0], t.number), default=None)
        self.best: FrozenTrial | None = best if best in self.reference else None


def _values_of(param: str, trials: list[FrozenTrial]) -> list[Any]:
    return [t.params[param] for t in trials if t.params.get(param) is not None]


def _shared(a: _Study, b: _Study) -> tuple[float, int]:
    def means(study: _Study) -> pd.Series:
        keys = [
            repr(sorted((k, type(v).__name__, repr(v)) for k, v in t.params.items()))
            for t in study.reference
        ]
        values = [t.values[0] for t in study.reference]
        return (
            pd.Series(values, index=pd.Index(keys, dtype=object))
            .groupby(level=0, sort=False)
            .mean()
        )

    if not a.reference or not b.reference:
        return math.nan, 0
    ma, mb = means(a), means(b)
    common = [k for k in ma.index if k in mb.index]
    return (spearman(ma.loc[common], mb.loc[common]) if common else math.nan), len(common)


def _position(value: float, low: float, high: float, log: bool) -> float:
    if log:
        value, low, high = math.log10(value), math.log10(low), math.log10(high)
    return 0.5 if high == low else (value - low) / (high - low)


def _best_params(a: _Study, b: _Study) -> tuple[float, int]:
    if a.best is None or b.best is None:
        return math.nan, 0
    xs, ys = [], []
    for param in sorted(set(a.best.params) & set(b.best.params)):
        da, db = a.best.distributions[param], b.best.distributions[param]
        if isinstance(da, CategoricalDistribution) or isinstance(db, CategoricalDistribution):
            continue
        low, high = min(da.low, db.low), max(da.high, db.high)
        log = bool(da.log and db.log)
        xs.append(_position(float(a.best.params[param]), low, high, log))
        ys.append(_position(float(b.best.params[param]), low, high, log))
    return spearman(xs, ys), len(xs)


def _param_rows(a: _Study, b: _Study) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if a.best is None or b.best is None:
        return rows
    for param in sorted(set(a.best.params) | set(b.best.params)):
        dist = a.best.distributions.get(param) or b.best.distributions.get(param)
        numeric = not isinstance(dist, CategoricalDistribution)
        va, vb = a.best.params.get(param), b.best.params.get(param)
        row: dict[str, Any] = {"param": param, "kind": "numeric" if numeric else "categorical"}
        row |= {"best_a": va, "best_b": vb}
        for this, value, first, second in ((a, vb, "b", "a"), (b, va, "a", "b")):
            percentile, in_top = math.nan, None
            top = _values_of(param, this.top_k)
            if value is not None:
                if numeric:
                    values = np.asarray(_values_of(param, this.reference), dtype=float)
                    if len(values):
                        below = float((values < float(value)).sum())
                        equal = float((values == float(value)).sum())
                        percentile = 100.0 * (below + 0.5 * equal) / len(values)
                    if top:
                        in_top = bool(min(map(float, top)) <= float(value) <= max(map(float, top)))
                elif top:
                    keys = {(type(v).__name__, repr(v)) for v in top}
                    in_top = (type(value).__name__, repr(value)) in keys
            row[f"best_{first}_percentile_in_{second}"] = percentile
            row[f"best_{first}_in_top_k_of_{second}"] = in_top
        row["n_a"] = len(_values_of(param, a.reference))
        row["n_b"] = len(_values_of(param, b.reference))
        rows.append(row)
    return rows


def _same(got: Any, want: Any) -> bool:
    """Equal, NaN and NA included. A column of numbers only holds floats (an int param's
    best value of 3 shows as 3.0 when no string shares its column): numbers compare equal."""
    if want is None:
        return got is None or bool(pd.isna(got))
    if isinstance(want, float) and math.isnan(want):
        return isinstance(got, float) and math.isnan(got)
    if isinstance(want, bool) or isinstance(got, bool):
        return type(got) is type(want) and got == want
    return bool(got == want) and type(got) in (type(want), float)


def _importance_rho(importance: pd.DataFrame, a: str, b: str) -> tuple[float, int]:
    def scores(name: str) -> pd.Series:
        rows = importance[importance["study"] == name]
        return rows.set_index("param")["importance"].dropna()

    sa, sb = scores(a), scores(b)
    if sa.empty or sb.empty:
        return math.nan, 0
    common = sorted(set(sa.index) & set(sb.index))
    return spearman(sa.loc[common], sb.loc[common]), len(common)


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(random_campaigns())
def test_transfer_matches_its_definitions_on_optunas_trials(rc: RandomCampaign) -> None:
    cache = ImportanceCache()
    importance = cache.get(rc.campaign)
    result = transfer(rc.campaign, cache)
    studies = {name: _Study(rc, name) for name in rc.trials}
    params = result.params.groupby(["study_a", "study_b"], sort=False)
    for pair in result.pairs.to_dict("records"):
        a, b = studies[pair["study_a"]], studies[pair["study_b"]]
        rho, n = _importance_rho(importance, a.name, b.name)
        assert _same(pair["importance_rho"], rho) and pair["importance_n"] == n
        rho, n = _best_params(a, b)
        assert _same(pair["best_params_rho"], rho) and pair["best_params_n"] == n, pair
        rho, n = _shared(a, b)
        assert _same(pair["shared_rho"], rho) and pair["shared_n"] == n, pair
        want = _param_rows(a, b)
        got = (
            params.get_group((a.name, b.name)).to_dict("records")
            if (a.name, b.name) in params.groups
            else []
        )
        assert len(got) == len(want)
        for got_row, want_row in zip(got, want, strict=True):
            for column, value in want_row.items():
                assert _same(got_row[column], value), (pair["study_a"], column, got_row)
    assert result.pairs["shared_n"].dtype == np.int64
    assert {str(result.params[c].dtype) for c in ("n_a", "n_b")} <= {"int64"}
    assert str(result.params["best_b_in_top_k_of_a"].dtype) == "boolean"
    assert (result.pairs["shared_n"] < MIN_RANKED).sum() == result.pairs["note"].str.contains(
        "shared configs"
    ).sum()


PARAM_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.integers(min_value=2**63, max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.0, math.nan, -math.nan]),
    st.text(max_size=2),
    st.sampled_from([np.float64(1.0), np.int64(1), (1, "a"), (1, "a")]),
)


@given(st.lists(PARAM_VALUES, max_size=30))
def test_value_codes_are_equal_exactly_for_equal_type_and_repr(values: list[Any]) -> None:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    codes = value_codes(array)
    keys = [(type(v).__name__, repr(v)) for v in values]
    for i in range(len(values)):
        for j in range(len(values)):
            assert (codes[i] == codes[j]) == (keys[i] == keys[j]), (values[i], values[j])
