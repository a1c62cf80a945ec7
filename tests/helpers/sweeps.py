"""Two sweeps in two storages (``phase6a`` and ``phase5``), with a study that fits no grid."""

from __future__ import annotations

from pathlib import Path

import optuna


def write_sweep(path: Path, prefix: str, budgets: list[str], horizons: list[str]) -> None:
    url = f"sqlite:///{path}"
    for budget in budgets:
        for horizon in horizons:
            study = optuna.create_study(study_name=f"{prefix}_{budget}_{horizon}", storage=url)
            for x in (0.1, 0.4, 0.7):
                study.enqueue_trial({"x": x})
            study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    optuna.create_study(study_name="sanity check", storage=url).optimize(
        lambda t: t.suggest_float("x", 0, 1), n_trials=1
    )


def write_two_sweeps(folder: Path) -> tuple[str, str]:
    """``new.db``: phase6a (2M, 20M, 2B × h1, h3); ``old.db``: phase5 (2M, 2B × h1, h5)."""
    write_sweep(folder / "new.db", "phase6a", ["2M", "20M", "2B"], ["h1", "h3"])
    write_sweep(folder / "old.db", "phase5", ["2M", "2B"], ["h1", "h5"])
    return str(folder / "new.db"), str(folder / "old.db")
