"""The Pareto front of a study and its hypervolume history, as Optuna defines them.

**Front** (``study.best_trials``): among the COMPLETE trials, those no other COMPLETE trial
dominates (at least as good in every objective, better in one; maximized objectives are
negated). In a constrained study only feasible trials take part: an infeasible trial is
never on the front, and a trial without constraint values counts as feasible
(``hpo_tui.core.model.constraints``). Trials with equal values are all on the front or all
off it.

**Hypervolume history** (``optuna.visualization.plot_hypervolume_history``): after each
COMPLETE trial, by trial number, the hypervolume that the feasible trials so far dominate
up to the reference point (given in the objectives' own directions); a trial worse than
the reference point in any objective adds nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.errors import HpoTuiError
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.model.constraints import infeasible_mask
from hpo_tui.core.model.objectives import StudyObjectives, objective_values, study_objectives

# Columns of :func:`pareto_points` (besides one per objective, named as in the trials frame).
POINT_COLUMNS = ["key", "number", "feasible", "constraint_violation", "on_front"]
# Columns of :func:`pareto_table` around the objectives (named by the study's metric names).
PARETO_HEAD = ["number"]
PARETO_TAIL = ["on_front", "feasible", "constraint_violation"]
HYPERVOLUME_COLUMNS = ["number", "hypervolume"]


def objectives_of(
    campaign: Campaign, study_id: int, taken: tuple[str, ...] = ()
) -> StudyObjectives:
    """The study's objectives, named for headers beside the columns ``taken``."""
    study = campaign.studies.set_index("study_id").loc[study_id]
    return study_objectives(study, taken)


def losses(values: np.ndarray, directions: list[str]) -> np.ndarray:
    """Objective values as losses: maximized objectives negated (as Optuna normalizes)."""
    signs = np.array([-1.0 if d == "maximize" else 1.0 for d in directions])
    return values * signs


def on_pareto_front(loss: np.ndarray) -> np.ndarray:
    """Whether each row of ``loss`` (n × d, lower is better) is dominated by no other row.

    Equal rows share the answer. Rows are deduplicated and sorted lexicographically, so a
    row can be dominated only by an earlier one: in 2-D a row is on the front when its
    second loss is below every earlier row's; in more dimensions the first row left is on
    the front and every row it dominates leaves.
    """
    n, d = loss.shape
    if n == 0:
        return np.zeros(0, dtype=bool)
    unique, inverse = np.unique(loss, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    front = np.zeros(len(unique), dtype=bool)
    if d == 1:
        front[0] = True
    elif d == 2:
        running_min = np.minimum.accumulate(unique[:, 1])
        front[0] = True
        front[1:] = running_min[1:] < running_min[:-1]
    else:
        rest = unique[:, 1:]
        left = np.arange(len(unique))
        while len(left):
            first = left[0]
            front[first] = True
            # Rows no better than ``first`` in any loss (and, sorted after it, not better in
            # the first loss either) are dominated or equal: they leave.
            left = left[np.any(rest[left] < rest[first], axis=1)]
    return front[inverse]


def pareto_points(campaign: Campaign, study_id: int) -> tuple[pd.DataFrame, StudyObjectives]:
    """The study's COMPLETE trials with every objective value stored, by trial number, with
    ``on_front`` (``study.best_trials`` semantics, see the module docstring).

    Columns: ``key, number, feasible, constraint_violation, on_front`` and one per objective
    (``value`` or ``values_<i>``, as in the trials frame).
    """
    objectives = objectives_of(campaign, study_id)
    trials = campaign.study_trials(study_id)
    complete = trials[trials["state"].to_numpy(dtype=object) == "COMPLETE"]
    stored = ~np.isnan(objective_values(complete, objectives.columns)).any(axis=1)
    complete = complete[stored]
    values = objective_values(complete, objectives.columns)
    eligible = ~infeasible_mask(complete)
    front = np.zeros(len(complete), dtype=bool)
    front[eligible] = on_pareto_front(losses(values[eligible], objectives.directions))
    frame = pd.DataFrame(
        {
            "key": complete["key"].to_numpy(dtype=np.int64),
            "number": complete["number"].to_numpy(dtype=np.int64),
            **{c: values[:, i] for i, c in enumerate(objectives.columns)},
            "feasible": complete["feasible"].array,
            "constraint_violation": complete["constraint_violation"].to_numpy(dtype=float),
            "on_front": front,
        }
    )
    return frame.reset_index(drop=True), objectives


def pareto_table(
    campaign: Campaign,
    study_id: int,
    objectives: tuple[int, ...] | None = None,
    all_trials: bool = False,
) -> pd.DataFrame:
    """The front (or every COMPLETE trial, ``all_trials``), best first in the first objective
    shown, as ``hpo-tui pareto`` prints it.

    Columns: ``number``, one per objective shown (named by the study's ``metric_names`` when
    stored, else ``value`` / ``values_<i>``), ``on_front, feasible, constraint_violation``,
    then the params sampled in the study (``param_<name>``).

    Args:
        campaign: The loaded campaign.
        study_id: The study.
        objectives: Which objectives to show, by index (default: all); the front is always
            the study's (over every objective), as ``study.best_trials``.
        all_trials: Every COMPLETE trial with its values, not only the front.

    Raises:
        HpoTuiError: an objective index the study does not have.
    """
    points, info = pareto_points(campaign, study_id)
    shown = list(range(len(info))) if objectives is None else list(objectives)
    for index in shown:
        if not 0 <= index < len(info):
            raise HpoTuiError(
                f"objective {index} does not exist: the study has {len(info)} "
                f"(0 to {len(info) - 1}: {', '.join(info.names)})"
            )
    if not all_trials:
        points = points[points["on_front"].to_numpy(dtype=bool)]
    first = info.columns[shown[0]]
    points = points.sort_values(
        [first, "number"], ascending=[info.directions[shown[0]] != "maximize", True], kind="stable"
    )
    trials = campaign.study_trials(study_id)
    params = [c for c in trials.columns if c.startswith("param_") and trials[c].notna().any()]
    taken = {*PARETO_HEAD, *PARETO_TAIL, *params}
    names = objectives_of(campaign, study_id, tuple(taken)).names
    rows = trials.set_index("key").loc[points["key"].to_numpy(dtype=np.int64)]
    table: dict[str, Any] = {"number": points["number"].to_numpy(dtype=np.int64)}
    for index in shown:
        table[names[index]] = points[info.columns[index]].to_numpy(dtype=float)
    table["on_front"] = points["on_front"].to_numpy(dtype=bool)
    table["feasible"] = points["feasible"].array
    table["constraint_violation"] = points["constraint_violation"].to_numpy(dtype=float)
    for column in params:
        table[column] = rows[column].array
    return pd.DataFrame(table).reset_index(drop=True)


def parse_reference_point(text: str, n_objectives: int) -> list[float]:
    """``"1.0,0.5"`` as one finite number per objective.

    Raises:
        HpoTuiError: not numbers, not finite, or not one per objective.
    """
    parts = [p.strip() for p in text.split(",")]
    try:
        point = [float(p) for p in parts]
    except ValueError:
        raise HpoTuiError(
            f"reference point {text!r}: not a comma-separated list of numbers"
        ) from None
    if len(point) != n_objectives:
        raise HpoTuiError(
            f"reference point {text!r} has {len(point)} numbers; the study has "
            f"{n_objectives} objectives (one number each)"
        )
    if not all(np.isfinite(point)):
        raise HpoTuiError(f"reference point {text!r}: every number must be finite")
    return point


def hypervolume(loss: np.ndarray, reference: np.ndarray) -> float:
    """The volume dominated by the rows of ``loss`` (lower is better) and bounded by
    ``reference``; rows not better than it in every loss add nothing.

    Exact, by slicing: the rows sorted by their last loss, each slab between two successive
    last losses has the (d-1)-dimensional hypervolume of the rows below it.
    """
    inside = loss[np.all(loss < reference, axis=1)]
    if len(inside) == 0:
        return 0.0
    d = inside.shape[1]
    if d == 1:
        return float(reference[0] - inside[:, 0].min())
    if d == 2:
        inside = inside[np.lexsort((inside[:, 1], inside[:, 0]))]
        best_second = np.minimum.accumulate(inside[:, 1])
        keep = np.r_[True, best_second[1:] < best_second[:-1]]
        xs, ys = inside[keep, 0], inside[keep, 1]
        widths = np.diff(np.r_[xs, reference[0]])
        return float(np.sum(widths * (reference[1] - ys)))
    inside = inside[np.argsort(inside[:, -1], kind="stable")]
    lasts = np.r_[inside[:, -1], reference[-1]]
    total = 0.0
    for i in range(len(inside)):
        thickness = lasts[i + 1] - lasts[i]
        if thickness > 0:
            total += thickness * hypervolume(inside[: i + 1, :-1], reference[:-1])
    return total


def hypervolume_history(
    campaign: Campaign, study_id: int, reference_point: list[float]
) -> pd.DataFrame:
    """After each COMPLETE trial (by number), the hypervolume of the feasible trials so far
    up to ``reference_point`` (in the objectives' own directions).

    Columns: ``number, hypervolume``.

    Raises:
        HpoTuiError: a reference point without one number per objective.
    """
    points, info = pareto_points(campaign, study_id)
    if len(reference_point) != len(info):
        raise HpoTuiError(
            f"the reference point has {len(reference_point)} numbers; the study has "
            f"{len(info)} objectives"
        )
    reference = losses(np.asarray(reference_point, dtype=float), info.directions)
    loss = losses(points[info.columns].to_numpy(dtype=float), info.directions)
    infeasible = points["feasible"].eq(False).fillna(False).to_numpy(dtype=bool)
    volumes = np.zeros(len(points))
    front = np.zeros((0, loss.shape[1]))
    volume = 0.0
    for row in range(len(points)):
        point = loss[row]
        counts = not infeasible[row] and bool(np.all(point <= reference))
        # A point some kept point is at least as good as in every loss changes nothing.
        if counts and not (len(front) and np.any(np.all(front <= point, axis=1))):
            front = np.vstack([front[np.any(front < point, axis=1)], point])
            volume = hypervolume(front, reference)
        volumes[row] = volume
    return pd.DataFrame(
        {"number": points["number"].to_numpy(dtype=np.int64), "hypervolume": volumes}
    )


def suggested_reference_point(campaign: Campaign, study_id: int) -> list[float]:
    """The worst value of each objective among the feasible COMPLETE trials (the nadir of
    what was tried): a starting point to edit, never used unless the user accepts it."""
    points, info = pareto_points(campaign, study_id)
    eligible = points[~points["feasible"].eq(False).fillna(False).to_numpy(dtype=bool)]
    worst: list[float] = []
    for column, direction in zip(info.columns, info.directions, strict=True):
        values = eligible[column].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        if not len(values):
            worst.append(0.0)
        else:
            worst.append(float(values.min() if direction == "maximize" else values.max()))
    return worst
