"""Feasibility of trials in constrained studies, read as Optuna reads it.

Optuna stores constraint values two ways, both as trial system attrs:

- ``constraints``: a list, written after each COMPLETE or PRUNED trial by a sampler's
  ``constraints_func`` (``TPESampler``, ``NSGAIISampler``, ``GPSampler``…); ``null`` when the
  function raised;
- ``constraints:<key>``: one value per key, from ``trial.set_constraint`` (Optuna 5).

Like ``FrozenTrial.constraints`` (``optuna.study._constrained_optimization``), the list's
values are keyed ``"0"``, ``"1"``… and a ``constraints:<key>`` attr overrides the list's value
of the same key. A trial is feasible when every value is ≤ 0. A trial without constraint
values has no feasibility of its own (``feasible`` is empty); Optuna's ``best_trial``,
``best_trials`` and ``_get_feasible_trials`` count such a trial as feasible, and so does
hpo-tui when it picks a best trial.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.storage.raw import EncodedList

CONSTRAINTS_ATTR = "constraints"
CONSTRAINT_KEY_PREFIX = "constraints:"
CONSTRAINT_COLUMNS = ["feasible", "constraint_violation"]


def _number(value: Any) -> float | None:
    """``value`` as a float when Optuna could compare it with 0, else None."""
    if isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value)):
        return float(value)
    return None


def trial_feasibility(key_index: pd.Index, systems: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    """``feasible`` (nullable boolean) and ``constraint_violation`` (the sum of the positive
    constraint values, as ``NSGAIISampler`` ranks infeasible trials; float) per trial key,
    from the trials' system attrs.

    Both are empty for a trial without constraint values, and for one whose stored
    constraints are not all numbers (Optuna could not compare them with 0 either): those
    trials' keys are returned second, so that the caller can say so.

    Args:
        key_index: The campaign's trial keys, the rows of the result.
        systems: The long system attrs table (``key, attr, value``).
    """
    attrs = systems["attr"].to_numpy(dtype=object)
    rows = [
        i
        for i, attr in enumerate(attrs.tolist())
        if isinstance(attr, str)
        and (attr == CONSTRAINTS_ATTR or attr.startswith(CONSTRAINT_KEY_PREFIX))
    ]
    listed: dict[int, list[Any]] = {}
    keyed: dict[int, dict[str, Any]] = {}
    unreadable: set[int] = set()
    keys = systems["key"].to_numpy(dtype=np.int64)[rows].tolist()
    values = systems["value"].to_numpy(dtype=object)[rows]
    for key, attr, value in zip(keys, attrs[rows], values, strict=True):
        if attr != CONSTRAINTS_ATTR:
            keyed.setdefault(key, {})[attr[len(CONSTRAINT_KEY_PREFIX) :]] = value
        elif isinstance(value, EncodedList):
            listed[key] = value.numbers.tolist()
        elif isinstance(value, list):
            listed[key] = value
        elif value is not None:  # null: the constraints_func raised, no values
            unreadable.add(key)
    # Plain arrays filled per trial, one BooleanArray at the end: a setitem per trial on a
    # nullable array costs 20 µs, which 24k constrained trials would feel.
    is_feasible = np.zeros(len(key_index), dtype=bool)
    known = np.zeros(len(key_index), dtype=bool)
    violation = np.full(len(key_index), np.nan)
    constrained_keys = sorted({*listed, *keyed})
    position = pd.Index(key_index).get_indexer(constrained_keys).tolist()
    for row, key in zip(position, constrained_keys, strict=True):
        merged = {str(i): v for i, v in enumerate(listed.get(key, ()))}
        merged.update(keyed.get(key, {}))  # Optuna: the key overrides the list's value
        if row < 0 or not merged:
            continue
        numbers = [_number(v) for v in merged.values()]
        if None in numbers:
            unreadable.add(key)
            continue
        is_feasible[row] = all(n <= 0.0 for n in numbers)  # type: ignore[operator]
        known[row] = True
        # Summed in Optuna's order, as NSGA-II's constrained domination does.
        violation[row] = float(sum(n for n in numbers if n > 0))  # type: ignore[operator, misc]
    feasible = pd.arrays.BooleanArray(is_feasible, ~known)
    frame = pd.DataFrame({"feasible": feasible, "constraint_violation": violation}, index=key_index)
    return frame, sorted(unreadable)


def infeasible_mask(trials: pd.DataFrame) -> np.ndarray:
    """True for the trials known to be infeasible (``feasible`` is False); a trial without
    constraint values is not (Optuna counts it feasible)."""
    return trials["feasible"].eq(False).fillna(False).to_numpy(dtype=bool)
