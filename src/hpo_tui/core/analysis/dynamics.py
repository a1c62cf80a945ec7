"""Training dynamics: when trials peak, how much they lose after, and who is still improving.

Everything starts from the per-trial curve statistics the campaign already holds
(``hpo_tui.core.model.curves``: the *primary curve* of a trial — ``intermediate``, else its first
``val*`` list — its best value and best step, its last value, and ``curve_train_val_gap``).
Only the step of each primary curve's last point(s) is read from the curves here.

Per trial (:func:`trial_dynamics`):

* ``final_gap``: how much worse the primary curve's last value is than its best, in curve
  units, direction-aware (``last - best`` when minimized, ``best - last`` when maximized;
  ≥ 0, 0 when the last point is the best).
* ``still_improving``: the best value of the primary curve is at one of its last ``patience``
  recorded points (default 1: *the best value is at the last recorded step*, strictly better
  than every earlier point, since ``curve_best_step`` is the first of tied steps). A curve that
  ended on an exact plateau is not improving. No tolerance on the values: any tolerance would
  count a converged plateau as improving, which is the opposite of what the fraction is asked
  for ("would more epochs help?"); ``patience`` > 1 is the knob for noisy curves.

The *population* of the per-study statistics (``in_dynamics``): COMPLETE, not diverged
trials of single-objective studies whose primary curve has at least two points. Pruned trials
are left out (stopped early, their best epoch says nothing about the training budget), and so
are diverged ones (their curve ends in NaN/inf or an explosion).

Per study (:func:`study_dynamics`, the :data:`STUDY_DYNAMICS_COLUMNS`), over the population:
``dynamics_n`` trials; ``best_epoch_q25/median/q75`` of ``curve_best_step`` (quantiles with
linear interpolation); ``final_gap_median``; ``train_val_gap_median`` of
``curve_train_val_gap`` (val − train at the lowest point of the ``val*`` list, over the trials
that have both lists); ``frac_still_improving``.

This module is part of the UI-free core: it must not import textual or rich.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hpo_tui.core.analysis.metrics import DYNAMICS_STATISTICS
from hpo_tui.core.model.campaign import Campaign

PATIENCE = 1
TRIAL_DYNAMICS_COLUMNS = [
    "study_id",
    "number",
    "in_dynamics",
    "curve",
    "curve_best_step",
    "last_step",
    "final_gap",
    "curve_train_val_gap",
    "still_improving",
]
STUDY_DYNAMICS_COLUMNS = ["dynamics_n", *DYNAMICS_STATISTICS]
STUDY_DYNAMICS_LABELS = {
    "dynamics_n": "trials in the dynamics statistics (complete, not diverged)",
    "best_epoch_q25": "best epoch, 25th percentile",
    "best_epoch_median": "best epoch, median",
    "best_epoch_q75": "best epoch, 75th percentile",
    "final_gap_median": "median final-vs-best gap",
    "train_val_gap_median": "median val - train gap at the best epoch",
    "frac_still_improving": "fraction still improving at the last epoch",
}
GROUPED_COLUMNS = ["group", "step", "n", "q25", "median", "q75"]
TOP_K_COLUMNS = ["rank", "key", "number", "objective", "curve", "step", "value"]


def _directions(campaign: Campaign) -> pd.Series:
    """The direction of each trial's study (``minimize``/``maximize``/other), by key."""
    return campaign.trials["study_id"].map(campaign.studies.set_index("study_id")["direction"])


def in_population(campaign: Campaign) -> pd.Series:
    """True for the trials the per-study statistics are over (see the module docstring)."""
    trials = campaign.trials
    return (
        (trials["state"] == "COMPLETE")
        & ~trials["diverged"].astype(bool)
        & _directions(campaign).isin(["minimize", "maximize"])
        & (trials["curve_n_steps"] >= 2)
        & trials["curve_best"].notna()
        & np.isfinite(trials["curve_last"].to_numpy(dtype=float))
    )


def _tail_steps(campaign: Campaign, patience: int) -> tuple[pd.Series, pd.Series]:
    """Step of the last point and of the ``patience``-th last point of each primary curve."""
    trials, curves = campaign.trials, campaign.curves
    if curves.empty:
        empty = pd.Series(np.nan, index=trials.index, dtype=float)
        return empty, empty.copy()
    names = curves["curve"].astype("category")
    code_of = pd.Series(np.arange(len(names.cat.categories)), index=names.cat.categories)
    primary_code = trials["curve"].map(code_of).to_numpy(dtype=float)  # NaN: no curve
    rows = trials.index.get_indexer(curves["key"].to_numpy())
    chosen = names.cat.codes.to_numpy() == np.where(rows >= 0, primary_code[rows], np.nan)
    keys = curves["key"].to_numpy()[chosen]
    steps = curves["step"].to_numpy(dtype=np.int64)[chosen]
    if len(keys) == 0:
        empty = pd.Series(np.nan, index=trials.index, dtype=float)
        return empty, empty.copy()
    # Curves are sorted by key, curve, step: each trial's primary points are one run.
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    index = pd.Index(keys[starts])
    last = pd.Series(steps[ends - 1].astype(float), index=index).reindex(trials.index)
    tail_rows = np.maximum(starts, ends - max(1, patience))
    tail = pd.Series(steps[tail_rows].astype(float), index=index).reindex(trials.index)
    return last, tail


def trial_dynamics(campaign: Campaign, patience: int = PATIENCE) -> pd.DataFrame:
    """Per-trial dynamics (:data:`TRIAL_DYNAMICS_COLUMNS`), indexed by ``key``.

    Args:
        campaign: The loaded campaign.
        patience: A trial is still improving when its best point is one of its last
            ``patience`` recorded points (1: the last one).
    """
    trials = campaign.trials
    last_step, tail_step = _tail_steps(campaign, patience)
    best_step = trials["curve_best_step"].to_numpy(dtype=float, na_value=np.nan)
    best = trials["curve_best"].to_numpy(dtype=float)
    last = trials["curve_last"].to_numpy(dtype=float)
    maximize = (_directions(campaign) == "maximize").to_numpy()
    with np.errstate(invalid="ignore"):
        final_gap = np.where(maximize, best - last, last - best)
    known = ~np.isnan(best_step) & tail_step.notna().to_numpy()
    improving = pd.array(np.where(known, best_step >= tail_step.to_numpy(), False), "boolean")
    improving[~known] = pd.NA
    return pd.DataFrame(
        {
            "study_id": trials["study_id"].to_numpy(),
            "number": trials["number"].to_numpy(),
            "in_dynamics": in_population(campaign).to_numpy(dtype=bool),
            "curve": trials["curve"].to_numpy(),
            "curve_best_step": trials["curve_best_step"].to_numpy(),
            "last_step": pd.array(last_step.to_numpy(), dtype="Int64"),
            "final_gap": final_gap,
            "curve_train_val_gap": trials["curve_train_val_gap"].to_numpy(dtype=float),
            "still_improving": improving,
        },
        index=trials.index,
    )


def study_dynamics(campaign: Campaign, dynamics: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per-study statistics (:data:`STUDY_DYNAMICS_COLUMNS`), indexed by ``study_id``.

    Every study has a row; ``dynamics_n`` is 0 and the rest NaN where no trial qualifies.

    Args:
        campaign: The loaded campaign.
        dynamics: :func:`trial_dynamics` of the campaign, if already computed.
    """
    table = trial_dynamics(campaign) if dynamics is None else dynamics
    population = table[table["in_dynamics"]]
    groups = population.assign(
        best_epoch=population["curve_best_step"].astype(float),
        improving=population["still_improving"].astype(float),
    ).groupby("study_id")
    quantiles = groups["best_epoch"].quantile([0.25, 0.5, 0.75]).unstack()
    out = pd.DataFrame(index=pd.Index(campaign.studies["study_id"], name="study_id"))
    out["dynamics_n"] = groups.size().reindex(out.index).fillna(0).astype(np.int64)
    for column, q in (
        ("best_epoch_q25", 0.25),
        ("best_epoch_median", 0.5),
        ("best_epoch_q75", 0.75),
    ):
        out[column] = quantiles[q].reindex(out.index) if q in quantiles else np.nan
    out["final_gap_median"] = groups["final_gap"].median().reindex(out.index)
    out["train_val_gap_median"] = groups["curve_train_val_gap"].median().reindex(out.index)
    out["frac_still_improving"] = groups["improving"].mean().reindex(out.index)
    return out[STUDY_DYNAMICS_COLUMNS].astype({c: float for c in STUDY_DYNAMICS_COLUMNS[1:]})


def primary_points(campaign: Campaign, keys: list[int] | np.ndarray) -> pd.DataFrame:
    """The points of the primary curve of each trial in ``keys`` (``key, curve, step, value``)."""
    curves = campaign.curves
    names = campaign.trials["curve"].reindex(list(keys))
    names = names[names.notna()]
    part = curves[curves["key"].isin(names.index)]
    mask = part["curve"].astype(object).to_numpy() == part["key"].map(names).to_numpy()
    return part.loc[mask, ["key", "curve", "step", "value"]].astype({"curve": object})


def top_k_curves(campaign: Campaign, study_id: int, k: int = 5) -> pd.DataFrame:
    """The primary curves of the ``k`` best COMPLETE trials of a single-objective study.

    Best is direction-aware, ties by trial number; only finite objective values rank.
    Columns: :data:`TOP_K_COLUMNS` (``rank`` 1 = best, ``objective`` = the trial's value).
    """
    direction = campaign.studies.set_index("study_id").loc[study_id, "direction"]
    trials = campaign.study_trials(study_id)
    if direction not in ("minimize", "maximize"):
        return pd.DataFrame(columns=TOP_K_COLUMNS)
    complete = trials[
        (trials["state"] == "COMPLETE") & np.isfinite(trials["value"].to_numpy(dtype=float))
    ]
    best = complete.sort_values(
        ["value", "number"], ascending=[direction == "minimize", True], kind="stable"
    ).head(k)
    rank = pd.Series(np.arange(1, len(best) + 1), index=best.index)
    points = primary_points(campaign, best.index.to_numpy())
    out = points.assign(
        rank=points["key"].map(rank).to_numpy(),
        number=points["key"].map(best["number"]).to_numpy(),
        objective=points["key"].map(best["value"]).to_numpy(),
    )
    return out.sort_values(["rank", "step"], kind="stable")[TOP_K_COLUMNS].reset_index(drop=True)


def _population_of(campaign: Campaign, study_id: int) -> pd.DataFrame:
    trials = campaign.trials
    return trials[in_population(campaign) & (trials["study_id"] == study_id)]


def groupable_params(campaign: Campaign, study_id: int) -> list[str]:
    """Params (names without ``param_``) with at least two distinct values in the population."""
    population = _population_of(campaign, study_id)
    names = []
    for column in population.columns:
        if column.startswith("param_"):
            values = population[column].dropna()
            if values.astype(str).nunique() >= 2:
                names.append(column.removeprefix("param_"))
    return sorted(names)


def _format(value: object) -> str:
    return format(value, ".6g") if isinstance(value, float) else str(value)


def param_groups(values: pd.Series, n_bins: int = 4) -> pd.Series:
    """A group label per trial: numeric params with more than ``n_bins`` distinct values fall
    into quantile bins labelled ``low–high`` (the smallest and largest value in the bin, 3
    significant digits);
    other params group by value. Ordered categorical; missing values have no group."""
    present = values.dropna()
    numeric = pd.api.types.is_numeric_dtype(present) and not pd.api.types.is_bool_dtype(present)
    if numeric and present.nunique() > n_bins:
        bins = pd.qcut(present.astype(float), n_bins, labels=False, duplicates="drop")
        spans = present.astype(float).groupby(bins).agg(["min", "max"])
        labels = {b: f"{row['min']:.3g}–{row['max']:.3g}" for b, row in spans.iterrows()}
        order = [labels[b] for b in sorted(labels)]
        groups = bins.map(labels)
    else:
        distinct = sorted(
            set(present.tolist()), key=lambda v: (not numeric, v if numeric else str(v))
        )
        order = list(dict.fromkeys(_format(v) for v in distinct))
        groups = present.map(_format)
    return pd.Series(pd.Categorical(groups, categories=order, ordered=True), index=present.index)


def grouped_curves(campaign: Campaign, study_id: int, param: str, n_bins: int = 4) -> pd.DataFrame:
    """The population's primary curves grouped by a param (see :func:`param_groups`).

    Per group and step: ``n`` finite points, their ``q25``, ``median`` and ``q75`` (linear
    interpolation). Non-finite points are left out. Columns: :data:`GROUPED_COLUMNS`, rows in
    group order then step.
    """
    population = _population_of(campaign, study_id)
    column = f"param_{param}"
    if column not in population.columns or population.empty:
        return pd.DataFrame(columns=GROUPED_COLUMNS)
    groups = param_groups(population[column], n_bins)
    points = primary_points(campaign, groups.index.to_numpy())
    points = points[np.isfinite(points["value"].to_numpy(dtype=float))]
    points = points.assign(group=points["key"].map(groups).astype(groups.dtype))
    by = points.groupby(["group", "step"], observed=True)["value"]
    out = pd.DataFrame(
        {
            "n": by.size(),
            "q25": by.quantile(0.25),
            "median": by.median(),
            "q75": by.quantile(0.75),
        }
    ).reset_index()
    out["group"] = out["group"].astype(str).astype(object)
    out["n"] = out["n"].astype(np.int64)
    return out[GROUPED_COLUMNS]
