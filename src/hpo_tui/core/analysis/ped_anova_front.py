"""PED-ANOVA's top set of a multi-objective study: the trials multi-objective TPE puts "below".

A port of Optuna 5.0's ``optuna.samplers._tpe.sampler._split_complete_trials_multi_objective``
and what it calls: the non-domination rank (``optuna.study._multi_objective``), the greedy
hypervolume subset selection (``optuna._hypervolume.hssp``) and the exact hypervolume
(``optuna._hypervolume.wfg``). Optuna is © Preferred Networks, Inc., MIT licence. The
operations are Optuna's, in Optuna's order, so the selected set is the same to the last
tie; the oracle tests (``tests/core/test_ped_anova.py``) compare with Optuna's evaluator on
2, 3 and 4 objectives.

Why a port: these members are private to Optuna (their names and places changed between
the 3.x and 5.x releases hpo-tui supports), and no public Optuna API selects this set.
"""

from __future__ import annotations

import math

import numpy as np

_EPS = 1e-12  # optuna.samplers._tpe.sampler.EPS


def top_mask(loss_values: np.ndarray, n_below: int) -> np.ndarray:
    """Which of the trials (rows of ``loss_values``, every objective minimised) are the
    ``n_below`` best: by non-domination rank, the last rank's ties broken by hypervolume
    subset selection."""
    n_trials = len(loss_values)
    mask = np.zeros(n_trials, dtype=bool)
    if n_below == 0:
        return mask
    if n_below == n_trials:
        mask[:] = True
        return mask
    ranks = nondomination_rank(loss_values, n_below=n_below)
    unique_ranks, rank_counts = np.unique(ranks, return_counts=True)
    last_rank = int(np.max(unique_ranks[np.cumsum(rank_counts) <= n_below], initial=-1))
    indices = np.arange(n_trials)
    below = indices[ranks <= last_rank]
    if below.size < n_below:  # tie-break with the hypervolume subset selection problem
        need_tiebreak = ranks == last_rank + 1
        rank_loss = loss_values[need_tiebreak]
        selected = solve_hssp(
            rank_loss, indices[need_tiebreak], n_below - below.size, _reference_point(rank_loss)
        )
        below = np.append(below, selected)
    mask[below] = True
    return mask


def _reference_point(loss_values: np.ndarray) -> np.ndarray:
    worst_point = np.max(loss_values, axis=0)
    reference_point = np.maximum(1.1 * worst_point, 0.9 * worst_point)
    reference_point[reference_point == 0] = _EPS
    return reference_point


# Non-domination rank (optuna.study._multi_objective).


def nondomination_rank(loss_values: np.ndarray, *, n_below: int | None = None) -> np.ndarray:
    """0 for the Pareto front, 1 for the front without it, …; exact up to the ``n_below``
    best trials, the rest share one worse rank."""
    if len(loss_values) == 0 or (n_below is not None and n_below <= 0):
        return np.zeros(len(loss_values), dtype=int)
    if loss_values.shape[1] == 1:
        _, ranks = np.unique(loss_values[:, 0], return_inverse=True)
        return np.asarray(ranks)
    # np.unique lexsorts: trials[j] never dominates trials[i] for i < j.
    unique_lexsorted, order_inv = np.unique(loss_values, return_inverse=True, axis=0)
    n_unique = unique_lexsorted.shape[0]
    n_below = min(n_below or n_unique, n_unique)
    ranks = np.zeros(n_unique, dtype=int)
    rank = 0
    indices = np.arange(n_unique)
    while n_unique - indices.size < n_below:
        on_front = is_pareto_front(unique_lexsorted, assume_unique_lexsorted=True)
        ranks[indices[on_front]] = rank
        indices = indices[~on_front]
        unique_lexsorted = unique_lexsorted[~on_front]
        rank += 1
    ranks[indices] = rank
    return ranks[order_inv.reshape(-1)]


def is_pareto_front(loss_values: np.ndarray, assume_unique_lexsorted: bool) -> np.ndarray:
    """Which rows no other row weakly dominates (duplicates: the first one only when
    ``assume_unique_lexsorted``)."""
    if not assume_unique_lexsorted:
        unique_lexsorted, order_inv = np.unique(loss_values, axis=0, return_inverse=True)
        return _front_of_unique_sorted(unique_lexsorted)[order_inv.reshape(-1)]
    return _front_of_unique_sorted(loss_values)


def _front_of_unique_sorted(loss_values: np.ndarray) -> np.ndarray:
    n_trials, n_objectives = loss_values.shape
    if n_objectives == 1:
        on_front = np.zeros(n_trials, dtype=bool)
        on_front[0] = True
        return on_front
    if n_objectives == 2:
        cummin_value1 = np.minimum.accumulate(loss_values[:, 1])
        on_front = np.ones(n_trials, dtype=bool)
        on_front[1:] = cummin_value1[1:] < cummin_value1[:-1]
        return on_front
    rest = loss_values[:, 1:]  # sorted by the first objective: not needed to judge dominance
    on_front = np.zeros(n_trials, dtype=bool)
    remaining = np.arange(n_trials)
    while len(remaining):
        on_front[(nondominated := remaining[0])] = True
        remaining = remaining[np.any(rest[remaining] < rest[nondominated], axis=1)]
    return on_front


# Greedy hypervolume subset selection (optuna._hypervolume.hssp).


def solve_hssp(
    loss_values: np.ndarray, indices: np.ndarray, subset_size: int, reference_point: np.ndarray
) -> np.ndarray:
    """``subset_size`` of ``indices`` chosen greedily for the largest hypervolume."""
    if subset_size == indices.size:
        return indices
    unique_loss, unique_at = np.unique(loss_values, return_index=True, axis=0)
    n_unique = unique_at.size
    if n_unique < subset_size:
        chosen = np.zeros(indices.size, dtype=bool)
        chosen[unique_at] = True
        duplicated = np.arange(indices.size)[~chosen]
        chosen[duplicated[: subset_size - n_unique]] = True
        return indices[chosen]
    selected = _hssp_on_unique(unique_loss, unique_at, subset_size, reference_point)
    return indices[selected]


def _hssp_on_unique(
    loss_values: np.ndarray, indices: np.ndarray, subset_size: int, reference_point: np.ndarray
) -> np.ndarray:
    if not np.isfinite(reference_point).all():
        return indices[:subset_size]
    if indices.size == subset_size:
        return indices
    if loss_values.shape[-1] == 2:
        return _hssp_2d(loss_values, indices, subset_size, reference_point)
    n_solutions, n_objectives = loss_values.shape
    contribs = np.prod(reference_point - loss_values, axis=-1)
    selected_indices = np.zeros(subset_size, dtype=int)
    selected_vecs = np.empty((subset_size, n_objectives))
    positions = np.arange(n_solutions)
    hv = 0
    for k in range(subset_size):
        max_index = int(np.argmax(contribs))
        hv += contribs[max_index]
        selected_indices[k] = positions[max_index]
        selected_vecs[k] = loss_values[max_index].copy()
        keep = np.ones(contribs.size, dtype=bool)
        keep[max_index] = False
        contribs = contribs[keep]
        positions = positions[keep]
        loss_values = loss_values[keep]
        if k == subset_size - 1:
            break
        contribs = _lazy_contribs_update(
            contribs, loss_values, selected_vecs[: k + 2], reference_point, hv
        )
    return indices[selected_indices]


def _hssp_2d(
    loss_values: np.ndarray, indices: np.ndarray, subset_size: int, reference_point: np.ndarray
) -> np.ndarray:
    n_trials = loss_values.shape[0]
    sorted_indices = np.arange(n_trials)  # unique-lexsorted by solve_hssp
    sorted_loss = loss_values.copy()
    rect_diags = np.repeat(reference_point[np.newaxis, :], n_trials, axis=0)
    selected = np.zeros(subset_size, dtype=int)
    for i in range(subset_size):
        contribs = np.prod(rect_diags - sorted_loss, axis=-1)
        max_index = np.argmax(contribs)
        selected[i] = indices[sorted_indices[max_index]]
        chosen = sorted_loss[max_index].copy()
        keep = np.ones(n_trials - i, dtype=bool)
        keep[max_index] = False
        sorted_indices = sorted_indices[keep]
        rect_diags = rect_diags[keep]
        sorted_loss = sorted_loss[keep]
        rect_diags[:max_index, 0] = np.minimum(chosen[0], rect_diags[:max_index, 0])
        rect_diags[max_index:, 1] = np.minimum(chosen[1], rect_diags[max_index:, 1])
    return selected


def _lazy_contribs_update(
    contribs: np.ndarray,
    pareto_loss_values: np.ndarray,
    selected_vecs: np.ndarray,
    reference_point: np.ndarray,
    hv_selected: float,
) -> np.ndarray:
    """Upper bounds of the contributions, recomputed only where one may be the largest
    (submodularity of the hypervolume; see Optuna's ``_lazy_contribs_update``)."""
    if math.isinf(hv_selected):
        return np.full_like(contribs, np.inf)
    intersec = np.maximum(pareto_loss_values[:, np.newaxis], selected_vecs[:-1])
    inclusive_hvs = np.prod(reference_point - pareto_loss_values, axis=1)
    is_contrib_inf = np.isinf(inclusive_hvs)
    contribs = np.minimum(
        contribs, inclusive_hvs - np.prod(reference_point - intersec[:, -1], axis=1)
    )
    max_contrib = 0.0
    is_hv_calc_fast = pareto_loss_values.shape[1] <= 3
    for i in np.argsort(-contribs):
        if is_contrib_inf[i]:
            max_contrib = contribs[i] = np.inf
            continue
        if contribs[i] < max_contrib:
            continue
        if is_hv_calc_fast:  # incremental: H(S v {i}) - H(S)
            selected_vecs[-1] = pareto_loss_values[i].copy()
            hv_plus = hypervolume(selected_vecs, reference_point, assume_pareto=True)
            contribs[i] = hv_plus - hv_selected
        else:  # decremental: H({i}) - H(S ^ {i})
            contribs[i] = inclusive_hvs[i] - hypervolume(intersec[i], reference_point)
        max_contrib = max(contribs[i], max_contrib)
    return contribs


# Exact hypervolume (optuna._hypervolume.wfg).


def hypervolume(
    loss_values: np.ndarray, reference_point: np.ndarray, assume_pareto: bool = False
) -> float:
    """The volume the points dominate up to ``reference_point`` (every objective minimised;
    every point at or below the reference point)."""
    if not np.all(np.isfinite(reference_point)):
        return float("inf")
    if loss_values.size == 0:
        return 0.0
    if not assume_pareto:
        unique_lexsorted = np.unique(loss_values, axis=0)
        on_front = is_pareto_front(unique_lexsorted, assume_unique_lexsorted=True)
        sorted_pareto = unique_lexsorted[on_front]
    else:
        sorted_pareto = loss_values[loss_values[:, 0].argsort()]
    if reference_point.shape[0] == 2:
        hv = _hv_2d(sorted_pareto, reference_point)
    elif reference_point.shape[0] == 3:
        hv = _hv_3d(sorted_pareto, reference_point)
    else:
        hv = _hv_nd(sorted_pareto, reference_point)
    return hv if np.isfinite(hv) else float("inf")


def _hv_2d(sorted_pareto: np.ndarray, reference_point: np.ndarray) -> float:
    rect_diag_y = np.concatenate([reference_point[1:], sorted_pareto[:-1, 1]])
    edge_length_x = reference_point[0] - sorted_pareto[:, 0]
    edge_length_y = rect_diag_y - sorted_pareto[:, 1]
    return edge_length_x @ edge_length_y


def _hv_3d(sorted_pareto: np.ndarray, reference_point: np.ndarray) -> float:
    n = sorted_pareto.shape[0]
    y_order = np.argsort(sorted_pareto[:, 1])
    z_delta = np.zeros((n, n), dtype=float)
    z_delta[y_order, np.arange(n)] = reference_point[2] - sorted_pareto[y_order, 2]
    z_delta = np.maximum.accumulate(np.maximum.accumulate(z_delta, axis=0), axis=1)
    x_vals = sorted_pareto[:, 0]
    y_vals = sorted_pareto[y_order, 1]
    x_delta = np.concatenate([x_vals[1:], reference_point[:1]]) - x_vals
    y_delta = np.concatenate([y_vals[1:], reference_point[1:2]]) - y_vals
    return np.dot(np.dot(z_delta, y_delta), x_delta)


def _hv_nd(sorted_loss: np.ndarray, reference_point: np.ndarray) -> float:
    if sorted_loss.shape[0] == 1:
        inclusive_hv = 1.0
        for r, v in zip(reference_point, sorted_loss[0], strict=True):
            inclusive_hv *= r - v
        return float(inclusive_hv)
    if sorted_loss.shape[0] == 2:  # S(A v B) = S(A) + S(B) - S(A ^ B)
        hv1, hv2, intersec = 1.0, 1.0, 1.0
        for r, v1, v2 in zip(reference_point, sorted_loss[0], sorted_loss[1], strict=True):
            hv1 *= r - v1
            hv2 *= r - v2
            intersec *= r - max(v1, v2)
        return hv1 + hv2 - intersec
    inclusive_hvs = (reference_point - sorted_loss).prod(axis=-1)
    limited = np.maximum(sorted_loss[:, np.newaxis], sorted_loss)
    return inclusive_hvs[-1] + sum(
        _exclusive_hv(limited[i, i + 1 :], inclusive_hvs[i], reference_point)
        for i in range(inclusive_hvs.size - 1)
    )


def _exclusive_hv(limited: np.ndarray, inclusive_hv: float, reference_point: np.ndarray) -> float:
    if limited.shape[0] <= 3:
        return inclusive_hv - _hv_nd(limited, reference_point)
    # Drops weakly dominated points (duplicates too): same volume, much faster.
    on_front = is_pareto_front(limited, assume_unique_lexsorted=True)
    return inclusive_hv - _hv_nd(limited[on_front], reference_point)
