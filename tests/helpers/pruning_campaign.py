"""Studies whose pruner audit is worked out by hand, written with real Optuna calls
(``study.add_trial(optuna.trial.create_trial(...))``), so every number is known.

``pr_2M_h1`` (minimize). COMPLETE trials report at steps 0, 2, 4, 6, 8 (so the full run is
step 8); their value is the value at step 8:

====== ====== ====== ====== ====== ====== ===== ==========
number step 0 step 2 step 4 step 6 step 8 value final rank
====== ====== ====== ====== ====== ====== ===== ==========
0      1.0    0.95   0.7    0.5    0.40   0.40  1
1      1.0    0.8    0.6    0.55   0.50   0.50  2
2      1.0    0.7    0.65   0.6    0.55   0.55  3
3      1.0    0.9    0.8    0.7    0.60   0.60  4
====== ====== ====== ====== ====== ====== ===== ==========

Trial 0 is a late bloomer: fourth of four at step 2, best at the end. PRUNED trials 4-9
(see :data:`PRUNED`), then a FAIL and a RUNNING trial, which the audit ignores.

``pr_2M_h3`` (maximize) mirrors it: every number ``x`` above becomes ``1 - x`` written out by
hand, so every rank is the same. ``pr_20M_h1`` has COMPLETE trials only. ``pr_multi_20M_h3``
is a two-objective study with one PRUNED trial.
"""

from __future__ import annotations

from typing import Any

import optuna
from optuna.trial import TrialState, create_trial

MINIMIZED = "pr_2M_h1"
MAXIMIZED = "pr_2M_h3"
NO_PRUNED = "pr_20M_h1"
MULTI = "pr_multi_20M_h3"
STEPS = (0, 2, 4, 6, 8)
FULL_STEP = 8

COMPLETE_CURVES = {
    0: (1.0, 0.95, 0.7, 0.5, 0.40),
    1: (1.0, 0.8, 0.6, 0.55, 0.50),
    2: (1.0, 0.7, 0.65, 0.6, 0.55),
    3: (1.0, 0.9, 0.8, 0.7, 0.60),
}
# number -> intermediate values (step -> value) of the pruned trials of the minimized study.
PRUNED: dict[int, dict[int, float]] = {
    4: {0: 1.0, 2: 0.92},
    5: {0: 1.0, 2: 0.99, 4: 0.95},
    6: {0: 1.0, 2: 0.8},  # ties trial 1 at step 2
    7: {0: 1.0, 2: 0.85, 4: 0.75, 6: 0.65},
    8: {},  # pruned before it reported anything
    9: {0: 1.0, 3: 0.5},  # step 3: no COMPLETE trial reported it
}

# The maximized mirror, written out: 1 - x of the numbers above.
COMPLETE_CURVES_MAX = {
    0: (0.0, 0.05, 0.3, 0.5, 0.60),
    1: (0.0, 0.2, 0.4, 0.45, 0.50),
    2: (0.0, 0.3, 0.35, 0.4, 0.45),
    3: (0.0, 0.1, 0.2, 0.3, 0.40),
}
PRUNED_MAX: dict[int, dict[int, float]] = {
    4: {0: 0.0, 2: 0.08},
    5: {0: 0.0, 2: 0.01, 4: 0.05},
    6: {0: 0.0, 2: 0.2},  # ties trial 1 at step 2
    7: {0: 0.0, 2: 0.15, 4: 0.25, 6: 0.35},
    8: {},
    9: {0: 0.0, 3: 0.5},
}


def _write(
    storage: Any,
    name: str,
    direction: str,
    complete: dict[int, tuple[float, ...]],
    pruned: dict[int, dict[int, float]],
) -> None:
    study = optuna.create_study(study_name=name, storage=storage, direction=direction)
    for curve in complete.values():
        study.add_trial(
            create_trial(
                state=TrialState.COMPLETE,
                value=curve[-1],
                intermediate_values=dict(zip(STEPS, curve, strict=True)),
            )
        )
    for values in pruned.values():
        study.add_trial(create_trial(state=TrialState.PRUNED, intermediate_values=values))
    # Neither FAIL nor RUNNING trials take part in the audit.
    study.add_trial(create_trial(state=TrialState.FAIL, intermediate_values={0: 1.0, 2: 0.1}))
    study.ask()


def populate_pruning(storage: Any) -> None:
    """Write the four studies of the module docstring into ``storage``."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    _write(storage, MINIMIZED, "minimize", COMPLETE_CURVES, PRUNED)
    _write(storage, MAXIMIZED, "maximize", COMPLETE_CURVES_MAX, PRUNED_MAX)
    plain = optuna.create_study(study_name=NO_PRUNED, storage=storage)
    for value in (0.3, 0.2):
        plain.add_trial(
            create_trial(state=TrialState.COMPLETE, value=value, intermediate_values={0: value})
        )
    multi = optuna.create_study(
        study_name=MULTI, storage=storage, directions=["minimize", "maximize"]
    )
    multi.add_trial(create_trial(state=TrialState.COMPLETE, values=[1.0, 2.0]))
    multi.add_trial(create_trial(state=TrialState.PRUNED))
