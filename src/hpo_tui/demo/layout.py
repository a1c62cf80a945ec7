"""What the demo campaign is: its studies (budget × horizon), search spaces and failure modes.

Twelve studies, one per model budget (``2M``/``20M``/``200M``/``2B``) and forecast horizon
(``h1``/``h3``/``h5``): the name pattern of a real campaign, so the grid has its two axes.
The budgets are only names: the largest model has about twenty thousand weights.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_DATASET = "synthetic-prices-v1"
"""Value of the ``dataset`` study user attribute of every demo study."""

BUDGETS: tuple[str, ...] = ("2M", "20M", "200M", "2B")
HORIZONS: tuple[int, ...] = (1, 3, 5)

DEMO_STUDY_NAMES: tuple[str, ...] = tuple(
    f"demo_{budget}_h{horizon}" for budget in BUDGETS for horizon in HORIZONS
)
"""Names of the twelve demo studies, budget-major (``demo_2M_h1``, ``demo_2M_h3``, ...)."""


@dataclass(frozen=True)
class BudgetSpec:
    """Search space and model-size convention of one budget (sizes stay tiny on purpose)."""

    hidden_units: tuple[int, ...]
    max_layers: int
    lr_low: float
    lr_high: float
    init_gain: float


BUDGET_SPECS: dict[str, BudgetSpec] = {
    "2M": BudgetSpec((4, 8, 12), 2, 1e-4, 0.05, 1.0),
    "20M": BudgetSpec((8, 16, 24), 2, 1e-4, 0.3, 1.5),
    "200M": BudgetSpec((16, 32, 48), 2, 3e-4, 0.6, 2.0),
    "2B": BudgetSpec((32, 64, 96), 3, 3e-3, 3.0, 2.0),
}

BATCH_SIZES: tuple[int, ...] = (32, 64, 128)

# Failure modes of diverged trials, cycled (study ``i`` starts at entry ``i``): half are tagged.
FAILURE_CYCLE: tuple[str, ...] = ("tag_nan", "inf", "tag_nan", "raise")
