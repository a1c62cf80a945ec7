"""A 2 × 2 grid whose bootstrap intervals are worked out by hand (``create_trial``).

With two values ``a < b`` in a minimized cell, a resample of two draws holds ``a`` with
probability 3/4 (only ``b, b`` misses it): its best is ``a`` in ~750 of 1000 resamples and
``b`` in ~250. Both ends of the 95 % interval (the 25th and the 975th smallest of 1000) are
then the values themselves: ``[a, b]``. One value ``v``: every resample is ``v``: ``[v, v]``.

* ``ci_2M_h1``: 0.30, 0.40 → best 0.30, interval [0.30, 0.40]: the best cell.
* ``ci_2M_h3``: 0.35, 0.90 → [0.35, 0.90]: overlaps [0.30, 0.40]: tied.
* ``ci_20M_h1``: 0.45, 0.50 → [0.45, 0.50]: starts above 0.40: not tied.
* ``ci_20M_h3``: 0.41 → [0.41, 0.41]: not tied. Its PRUNED trial (value 0.1) and FAIL
  trial do not count.
"""

from __future__ import annotations

from typing import Any

import optuna
from optuna.trial import TrialState, create_trial

VALUES = {
    "ci_2M_h1": (0.30, 0.40),
    "ci_2M_h3": (0.35, 0.90),
    "ci_20M_h1": (0.45, 0.50),
    "ci_20M_h3": (0.41,),
}
BEST = ("2M", "h1")
TIED = {("2M", "h1"), ("2M", "h3")}


def populate_grid_ci(storage: Any, direction: str = "minimize") -> None:
    """Write the four studies (``direction``: the same numbers, maximized)."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    for name, values in VALUES.items():
        study = optuna.create_study(study_name=name, storage=storage, direction=direction)
        for value in values:
            study.add_trial(create_trial(state=TrialState.COMPLETE, value=value))
        if name == "ci_20M_h3":
            study.add_trial(create_trial(state=TrialState.PRUNED, value=0.1))
            study.add_trial(create_trial(state=TrialState.FAIL))
