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
from hpo_tui.core.analysis.transfer_inputs import ParamValues, StudyInputs, study_inputs
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


def _importance_rho(a: StudyInputs, b: StudyInputs) -> tuple[float, int, str | None]:
    if not a.scores or not b.scores:
        which = " and ".join(s.name for s in (a, b) if not s.scores)
        return math.nan, 0, f"importance: no numbers for {which} (too few completed trials)"
    common = sorted(set(a.scores) & set(b.scores))
    rho = spearman([a.scores[p] for p in common], [b.scores[p] for p in common])
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


def _best_params_rho(a: StudyInputs, b: StudyInputs) -> tuple[float, int, str | None]:
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


def _shared_rho(a: StudyInputs, b: StudyInputs) -> tuple[float, int, str | None]:
    if len(a.values) == 0 or len(b.values) == 0:
        return math.nan, 0, f"shared configs: fewer than {MIN_RANKED} in both studies (0)"
    ma, mb = a.config_means, b.config_means
    in_b = mb.index.get_indexer(ma.index)
    shared = in_b >= 0  # a's configs that b has, in a's order
    n = int(shared.sum())
    rho = spearman(ma.to_numpy()[shared], mb.to_numpy()[in_b[shared]]) if n else math.nan
    if n < MIN_RANKED:
        return rho, n, f"shared configs: {n} (< {MIN_RANKED})"
    return rho, n, None


def _percentile(values: np.ndarray, value: float) -> float:
    if len(values) == 0:
        return math.nan
    array = np.asarray(values, dtype=float)
    below = float((array < value).sum())
    equal = float((array == value).sum())
    return 100.0 * (below + 0.5 * equal) / len(array)


def _in_top_k(param: ParamValues | None, value: Any, code: int, numeric: bool) -> Any:
    """Whether ``value`` (value code ``code``) lies within what the top k trials used."""
    if param is None or not param.in_top.any():
        return pd.NA
    if numeric:
        array = np.asarray(param.values[param.in_top], dtype=float)
        return bool(array.min() <= float(value) <= array.max())
    return bool(np.isin(code, param.codes[param.in_top]))


def _param_rows(a: StudyInputs, b: StudyInputs) -> Iterator[dict[str, Any]]:
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
        for this, other, first, second in ((a, b, "b", "a"), (b, a, "a", "b")):
            value = other.best.get(param)  # type: ignore[union-attr]
            if value is None:  # the other best trial has no such param (or None)
                continue
            values = this.params.get(param)
            if numeric:
                row[f"best_{first}_percentile_in_{second}"] = _percentile(
                    values.values if values is not None else np.zeros(0), float(value)
                )
            code = other.best_codes[param]
            row[f"best_{first}_in_top_k_of_{second}"] = _in_top_k(values, value, code, numeric)
        row["n_a"] = len(a.params[param].values) if param in a.params else 0
        row["n_b"] = len(b.params[param].values) if param in b.params else 0
        yield row


def transfer(
    campaign: Campaign,
    cache: ImportanceCache | None = None,
    importance: pd.DataFrame | None = None,
) -> Transfer:
    """Every pair of the campaign's grids compared (see the module's definitions).

    Args:
        campaign: The loaded campaign.
        cache: Importances already computed (the TUI keeps one); a new one by default.
        importance: The campaign's importance frame (the default method's), when the caller
            has it already (the export writes it too); ``cache`` is then not used.
    """
    if importance is None:
        importance = (cache or ImportanceCache()).get(campaign)
    studies = study_inputs(campaign, importance)

    pair_rows: list[dict[str, Any]] = []
    param_rows: list[dict[str, Any]] = []
    for sweep, axis, fixed, a_label, b_label, id_a, id_b in _pairs(campaign):
        a, b = studies[id_a], studies[id_b]
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
        importance_rho, importance_n, note = _importance_rho(a, b)
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
