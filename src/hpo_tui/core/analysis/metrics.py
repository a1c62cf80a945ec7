"""The names of the metrics a grid cell or a summary row can show, without the analyses.

Constants only (no pandas, no numpy): the CLI builds its ``--metric`` choices from them
before any data is read, so ``hpo-tui --version`` and ``--help`` stay quick. The analyses
that compute them are :mod:`hpo_tui.core.analysis.grid`, ``summary`` and ``dynamics``.
"""

from __future__ import annotations

from typing import Literal, get_args

# The per-study training-dynamics statistics besides their count (each is also a metric of
# a grid cell); computed by hpo_tui.core.analysis.dynamics.
DynamicsStatistic = Literal[
    "best_epoch_q25",
    "best_epoch_median",
    "best_epoch_q75",
    "final_gap_median",
    "train_val_gap_median",
    "frac_still_improving",
]
DYNAMICS_STATISTICS: tuple[DynamicsStatistic, ...] = get_args(DynamicsStatistic)

Metric = Literal[
    "best",
    "median",
    "top5_mean",
    "n_diverged",
    "best_epoch",
    DynamicsStatistic,
]
# Training-dynamics statistics that are metrics of a cell.
DYNAMICS_METRICS: tuple[Metric, ...] = DYNAMICS_STATISTICS
# The grid's metrics, in the order ``m`` cycles through them.
METRICS: tuple[Metric, ...] = (
    "best",
    "median",
    "top5_mean",
    "n_diverged",
    "best_epoch",
    *DYNAMICS_METRICS,
)

# Per-study metrics ``summary --metric`` can append (best_value and n_diverged are already
# columns), named like their columns; see hpo_tui.core.analysis.grid and
# hpo_tui.core.analysis.dynamics.
SUMMARY_METRICS = (
    *(m for m in METRICS if m not in ("best", "n_diverged")),
    "dynamics_n",
)
