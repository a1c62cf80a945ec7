"""Cross-budget transfer: does what one cell of the grid found hold in another?

For every sweep's grid (:func:`hpo_tui.core.analysis.grid.build_grid`: rows are the first
axis, ``budget`` by default; columns the second, ``horizon``), every pair of cells in the same
column (two budgets at one horizon) and every pair in the same row (two horizons at one
budget) is compared. A pair is ``a`` (the smaller axis value) and ``b``. Three Spearman rank
correlations per pair (:func:`spearman`, ``NaN`` with a note when undefined):

- ``importance_rho``: of the two studies' param importances (the default evaluator of
  :mod:`hpo_tui.core.analysis.importance`, PED-ANOVA), over the params both have a number
  for; at least 3 such params.
- ``best_params_rho``: the two best trials (``study.best_trial``; the best feasible one in a
  constrained study) as profiles: each numeric param (float/int distribution) the two best
  trials share is placed at its position in the union of the two studies' ranges of that
  param, 0 at the low end and 1 at the high end (on a log10 scale for log distributions), and
  the positions of a's best are rank-correlated with b's over those params (at least 3).
  +1: the two winners order their params' positions alike. It says how alike the winners
  look; which param transfers is the per-param table's job, below.
- ``shared_rho``: of the objective values of configs that appear in both studies (the same
  param dict, exactly: names, types and values), over those configs (at least 3; ``shared_n``
  says how many). A config tried several times in one study counts with its mean value.

Only COMPLETE trials with a finite value take part (the *reference trials*, as in the pruner
audit), so does a study's best trial.

The per-param table (:attr:`Transfer.params`) answers "would the 2M sweep have picked the 2B
winner's learning rate?": per pair and param, each study's best value, then for b's best
value its **percentile in a** (100 × (trials of a with a smaller value + half those with an
equal value) / a's reference trials with that param: the mid-rank empirical CDF, the same on
a log scale) and whether it lies **in a's top k** (within the range of the values a's top k
trials used; for a categorical param: among the choices they used), and the same for a's
best value in b. The top k are the first ``ceil(10 % × n)`` reference trials by value,
direction-aware, ties by number (the pruner audit's and PED-ANOVA's top set).

This module is part of the UI-free core: it must not import textual or rich.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.analysis.grid import build_grid, sweeps
from hpo_tui.core.analysis.importance import ImportanceCache
from hpo_tui.core.analysis.patterns import TOP_FRACTION
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.storage.raw import parse_distribution

MIN_RANKED = 3  # fewest points a Spearman correlation is reported for
PAIR_COLUMNS = [
    "sweep",
    "axis",
    "fixed",
    "a",
    "b",
    "study_a",
    "study_b",
    "importance_rho",
    "importance_n",
    "best_params_rho",
    "best_params_n",
    "shared_rho",
    "shared_n",
    "note",
]
PARAM_COLUMNS = [
    "sweep",
    "axis",
    "fixed",
    "a",
    "b",
    "study_a",
    "study_b",
    "param",
    "kind",
    "best_a",
    "best_b",
    "best_b_percentile_in_a",
    "best_b_in_top_k_of_a",
    "best_a_percentile_in_b",
    "best_a_in_top_k_of_b",
    "n_a",
    "n_b",
]


def spearman(x: Any, y: Any) -> float:
    """Spearman's rank correlation of two equally long sequences: Pearson's correlation of
    their ranks, ties given their average rank (what ``scipy.stats.spearmanr`` computes).

    NaN when fewer than :data:`MIN_RANKED` pairs, or when either side is constant (no ranking).
    """
    a = pd.Series(np.asarray(x, dtype=float))
    b = pd.Series(np.asarray(y, dtype=float))
    if len(a) != len(b):
        raise ValueError("spearman needs two sequences of the same length")
    if len(a) < MIN_RANKED:
        return math.nan
    ra = a.rank(method="average").to_numpy()
    rb = b.rank(method="average").to_numpy()
    da, db = ra - ra.mean(), rb - rb.mean()
    denominator = math.sqrt(float((da * da).sum()) * float((db * db).sum()))
    if denominator == 0:
        return math.nan
    return float((da * db).sum() / denominator)


@dataclass
class Transfer:
    """``pairs``: one row per pair of studies (:data:`PAIR_COLUMNS`); ``params``: one row per
    pair and param (:data:`PARAM_COLUMNS`). Both in grid order: per sweep, pairs of the first
    axis (per value of the second), then pairs of the second axis (per value of the first)."""

    pairs: pd.DataFrame
    params: pd.DataFrame


@dataclass
class _Study:
    """What the comparisons need of one study."""

    study_id: int
    name: str
    direction: str
    reference: pd.DataFrame  # number, value, params (dict), distributions (dict)
    best: dict[str, Any] | None  # the best trial's params
    best_distributions: dict[str, Any]
    top_k: pd.DataFrame  # the first ceil(10 % n) reference trials, best first


def _study(campaign: Campaign, study_id: int) -> _Study:
    studies = campaign.studies.set_index("study_id")
    info = studies.loc[study_id]
    trials = campaign.trials
    positions = np.flatnonzero(trials["study_id"].to_numpy() == study_id)
    rows = trials.iloc[positions]
    values = rows["value"].to_numpy(dtype=float)
    keep = (rows["state"].to_numpy() == "COMPLETE") & np.isfinite(values)
    details = campaign.details
    params = details["params"].to_numpy(dtype=object)[positions][keep]
    distributions = details["distributions"].to_numpy(dtype=object)[positions][keep]
    reference = pd.DataFrame(
        {
            "number": rows["number"].to_numpy()[keep],
            "value": values[keep],
            "params": list(params),
            "distributions": list(distributions),
        }
    )
    direction = str(info["direction"])
    best: dict[str, Any] | None = None
    best_distributions: dict[str, Any] = {}
    if direction in ("minimize", "maximize") and not pd.isna(info["best_trial"]):
        match = reference[reference["number"] == int(info["best_trial"])]
        if not match.empty:
            best = dict(match["params"].iloc[0])
            best_distributions = dict(match["distributions"].iloc[0])
    top_k = reference.iloc[0:0]
    if direction in ("minimize", "maximize") and len(reference):
        ordered = reference.assign(
            order=reference["value"] if direction == "minimize" else -reference["value"]
        ).sort_values(["order", "number"], kind="stable")
        top_k = ordered.head(math.ceil(TOP_FRACTION * len(ordered)))
    return _Study(
        study_id, str(info["study"]), direction, reference, best, best_distributions, top_k
    )


def _pairs(campaign: Campaign) -> Iterator[tuple[str, str, str, str, str, int, int]]:
    """(sweep, axis, fixed, a, b, study_a, study_b) of every pair, in grid order."""
    if len(campaign.axis_names) < 2:
        return
    for sweep in sweeps(campaign):
        grid = build_grid(campaign, "best", sweep)
        ids = grid.study_ids
        for column in ids.columns:  # two row-axis values (budgets) at one column value
            cells = [(r, ids.loc[r, column]) for r in ids.index if not pd.isna(ids.loc[r, column])]
            for i, (ra, sa) in enumerate(cells):
                for rb, sb in cells[i + 1 :]:
                    yield sweep, grid.row_axis, str(column), str(ra), str(rb), int(sa), int(sb)
        for row in ids.index:  # two column-axis values (horizons) at one row value
            cells = [(c, ids.loc[row, c]) for c in ids.columns if not pd.isna(ids.loc[row, c])]
            for i, (ca, sa) in enumerate(cells):
                for cb, sb in cells[i + 1 :]:
                    yield sweep, grid.column_axis, str(row), str(ca), str(cb), int(sa), int(sb)


def _importance_rho(
    importance: pd.DataFrame, a: _Study, b: _Study
) -> tuple[float, int, str | None]:
    def scores(study: _Study) -> pd.Series:
        rows = importance[importance["study_id"] == study.study_id]
        return rows.set_index("param")["importance"].dropna()

    sa, sb = scores(a), scores(b)
    if sa.empty or sb.empty:
        which = " and ".join(s.name for s, v in ((a, sa), (b, sb)) if v.empty)
        return math.nan, 0, f"importance: no numbers for {which} (too few completed trials)"
    common = sorted(set(sa.index) & set(sb.index))
    rho = spearman(sa.loc[common], sb.loc[common])
    if len(common) < MIN_RANKED:
        return rho, len(common), f"importance: {len(common)} common params (< {MIN_RANKED})"
    return rho, len(common), None


def _is_numeric(distribution_text: str | None) -> bool | None:
    """True for a float/int distribution, False for categorical, None when unknown."""
    if not distribution_text:
        return None
    from optuna.distributions import CategoricalDistribution

    return not isinstance(parse_distribution(distribution_text), CategoricalDistribution)


def _position(value: float, low: float, high: float, log: bool) -> float:
    if log:
        value, low, high = math.log10(value), math.log10(low), math.log10(high)
    return 0.5 if high == low else (value - low) / (high - low)


def _best_params_rho(a: _Study, b: _Study) -> tuple[float, int, str | None]:
    if a.best is None or b.best is None:
        which = " and ".join(s.name for s in (a, b) if s.best is None)
        return math.nan, 0, f"best params: no single best trial in {which}"
    positions_a, positions_b = [], []
    for param in sorted(set(a.best) & set(b.best)):
        da, db = a.best_distributions.get(param), b.best_distributions.get(param)
        if not (_is_numeric(da) and _is_numeric(db)):
            continue
        va, vb = a.best[param], b.best[param]
        if va is None or vb is None:
            continue
        dist_a, dist_b = parse_distribution(da), parse_distribution(db)
        low = min(dist_a.low, dist_b.low)
        high = max(dist_a.high, dist_b.high)
        log = bool(dist_a.log and dist_b.log)
        positions_a.append(_position(float(va), low, high, log))
        positions_b.append(_position(float(vb), low, high, log))
    n = len(positions_a)
    rho = spearman(positions_a, positions_b)
    if n < MIN_RANKED:
        return rho, n, f"best params: {n} common numeric params (< {MIN_RANKED})"
    if math.isnan(rho):
        return rho, n, "best params: a best trial's positions are all equal (no ranking)"
    return rho, n, None


def _config_key(params: dict[str, Any]) -> str:
    """The same text for the same param dict exactly (names, types, values)."""
    return repr(sorted((k, type(v).__name__, repr(v)) for k, v in params.items()))


def _shared_rho(a: _Study, b: _Study) -> tuple[float, int, str | None]:
    def means(study: _Study) -> pd.Series:
        keys = [_config_key(p) for p in study.reference["params"]]
        values = pd.Series(study.reference["value"].to_numpy(), index=pd.Index(keys, dtype=object))
        return values.groupby(level=0, sort=False).mean()

    if a.reference.empty or b.reference.empty:
        return math.nan, 0, f"shared configs: fewer than {MIN_RANKED} in both studies (0)"
    ma, mb = means(a), means(b)
    common = [k for k in ma.index if k in mb.index]
    rho = spearman(ma.loc[common], mb.loc[common]) if common else math.nan
    if len(common) < MIN_RANKED:
        return rho, len(common), f"shared configs: {len(common)} (< {MIN_RANKED})"
    return rho, len(common), None


def _values_of(param: str, frame: pd.DataFrame) -> list[Any]:
    """The values ``param`` took in ``frame`` (a study's reference or top k trials)."""
    return [p[param] for p in frame["params"] if param in p and p[param] is not None]


def _percentile(values: list[Any], value: float) -> float:
    if not values:
        return math.nan
    array = np.asarray(values, dtype=float)
    below = float((array < value).sum())
    equal = float((array == value).sum())
    return 100.0 * (below + 0.5 * equal) / len(array)


def _in_top_k(top_values: list[Any], value: Any, numeric: bool) -> Any:
    if not top_values:
        return pd.NA
    if numeric:
        array = np.asarray(top_values, dtype=float)
        return bool(array.min() <= float(value) <= array.max())
    keys = {(type(v).__name__, repr(v)) for v in top_values}
    return (type(value).__name__, repr(value)) in keys


def _param_rows(a: _Study, b: _Study) -> Iterator[dict[str, Any]]:
    if a.best is None or b.best is None:
        return
    for param in sorted(set(a.best) | set(b.best)):
        text = a.best_distributions.get(param) or b.best_distributions.get(param)
        numeric = bool(_is_numeric(text))
        va, vb = a.best.get(param), b.best.get(param)
        row: dict[str, Any] = {
            "param": param,
            "kind": "numeric" if numeric else "categorical",
            "best_a": va,
            "best_b": vb,
            "best_b_percentile_in_a": math.nan,
            "best_b_in_top_k_of_a": pd.NA,
            "best_a_percentile_in_b": math.nan,
            "best_a_in_top_k_of_b": pd.NA,
        }
        for this, value, first, second in ((a, vb, "b", "a"), (b, va, "a", "b")):
            if value is None:  # the other best trial has no such param (or None)
                continue
            top = _values_of(param, this.top_k)
            if numeric:
                values = _values_of(param, this.reference)
                row[f"best_{first}_percentile_in_{second}"] = _percentile(values, float(value))
            row[f"best_{first}_in_top_k_of_{second}"] = _in_top_k(top, value, numeric)
        row["n_a"] = len(_values_of(param, a.reference))
        row["n_b"] = len(_values_of(param, b.reference))
        yield row


def transfer(campaign: Campaign, cache: ImportanceCache | None = None) -> Transfer:
    """Every pair of the campaign's grids compared (see the module's definitions).

    Args:
        campaign: The loaded campaign.
        cache: Importances already computed (the TUI keeps one); a new one by default.
    """
    importance = (cache or ImportanceCache()).get(campaign)
    studies: dict[int, _Study] = {}

    def study(study_id: int) -> _Study:
        if study_id not in studies:
            studies[study_id] = _study(campaign, study_id)
        return studies[study_id]

    pair_rows: list[dict[str, Any]] = []
    param_rows: list[dict[str, Any]] = []
    for sweep, axis, fixed, a_label, b_label, id_a, id_b in _pairs(campaign):
        a, b = study(id_a), study(id_b)
        head = {
            "sweep": sweep,
            "axis": axis,
            "fixed": fixed,
            "a": a_label,
            "b": b_label,
            "study_a": a.name,
            "study_b": b.name,
        }
        notes = []
        importance_rho, importance_n, note = _importance_rho(importance, a, b)
        notes.append(note)
        best_rho, best_n, note = _best_params_rho(a, b)
        notes.append(note)
        shared_rho, shared_n, note = _shared_rho(a, b)
        notes.append(note)
        pair_rows.append(
            {
                **head,
                "importance_rho": importance_rho,
                "importance_n": importance_n,
                "best_params_rho": best_rho,
                "best_params_n": best_n,
                "shared_rho": shared_rho,
                "shared_n": shared_n,
                "note": "; ".join(n for n in notes if n),
            }
        )
        param_rows.extend({**head, **row} for row in _param_rows(a, b))
    pairs = pd.DataFrame(pair_rows, columns=PAIR_COLUMNS)
    params = pd.DataFrame(param_rows, columns=PARAM_COLUMNS)
    for column in ("importance_rho", "best_params_rho", "shared_rho"):
        pairs[column] = pairs[column].astype(float)
    for column in ("importance_n", "best_params_n", "shared_n"):
        pairs[column] = pairs[column].astype(np.int64)
    for column in ("best_b_percentile_in_a", "best_a_percentile_in_b"):
        params[column] = params[column].astype(float)
    for column in ("best_b_in_top_k_of_a", "best_a_in_top_k_of_b"):
        params[column] = params[column].astype("boolean")
    for column in ("n_a", "n_b"):
        params[column] = params[column].astype(np.int64)
    for column in ("sweep", "axis", "fixed", "a", "b", "study_a", "study_b", "note"):
        pairs[column] = pairs[column].astype(object)
    for column in ("sweep", "axis", "fixed", "a", "b", "study_a", "study_b", "param", "kind"):
        params[column] = params[column].astype(object)
    params["best_a"] = params["best_a"].astype(object)
    params["best_b"] = params["best_b"].astype(object)
    return Transfer(pairs, params)
