"""The search space of each study, from the distributions Optuna stored with every param.

Nothing is guessed: a param's kind, bounds, log scale, step and choices are read from the
stored distribution of each trial. Identical distributions are merged across studies (with
the studies and axis values that use them); a param whose distribution changed within one
study (a search space edited mid-campaign) gives several rows for that study, with counts.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.model.axes import ordered
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.storage.raw import parse_distribution

SPACE_COLUMNS = ["param", "kind", "low", "high", "log", "step", "choices"]


def describe_distribution(distribution_json: str) -> dict[str, Any]:
    """Kind, low, high, log, step and choices (JSON text) of a stored distribution."""
    from optuna.distributions import CategoricalDistribution, IntDistribution

    dist = parse_distribution(distribution_json)
    if isinstance(dist, CategoricalDistribution):
        return {
            "kind": "categorical",
            "low": None,
            "high": None,
            "log": None,
            "step": None,
            "choices": json.dumps(list(dist.choices)),
        }
    return {
        "kind": "int" if isinstance(dist, IntDistribution) else "float",
        "low": dist.low,
        "high": dist.high,
        "log": bool(dist.log),
        "step": dist.step,
        "choices": None,
    }


def study_space(campaign: Campaign) -> pd.DataFrame:
    """One row per (study, param, distinct distribution), with how many trials used it.

    Columns: ``study_id, study, <axes>, param, kind, low, high, log, step, choices,
    n_trials, first_trial, last_trial, variants`` (``variants`` > 1: the distribution of this
    param changed within the study).
    """
    used = _distribution_uses(campaign)
    studies = campaign.studies.set_index("study_id")
    rows = []
    for study_id, name, text, n_trials, first, last in used.itertuples(index=False):
        info = studies.loc[study_id]
        rows.append(
            {
                "study_id": study_id,
                "study": info["study"],
                **{axis: info[axis] for axis in campaign.axis_names},
                "param": name,
                **describe_distribution(text),
                "n_trials": n_trials,
                "first_trial": first,
                "last_trial": last,
            }
        )
    columns = [
        "study_id",
        "study",
        *campaign.axis_names,
        *SPACE_COLUMNS,
        "n_trials",
        "first_trial",
        "last_trial",
    ]
    # object dtype keeps int bounds ints (1, not 1.0) and None as None
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    for column in ("study_id", "n_trials", "first_trial", "last_trial"):
        frame[column] = frame[column].astype(np.int64)
    frame["variants"] = frame.groupby(["study_id", "param"])["param"].transform("size")
    return frame.sort_values(["param", "study_id", "first_trial"], kind="stable").reset_index(
        drop=True
    )


def _distribution_uses(campaign: Campaign) -> pd.DataFrame:
    """``study_id, param, text, size, min, max``: each (study, param, stored distribution
    text) with how many trials used it and their first and last numbers, read from the long
    params table (a trial's param counted once, by its last row as in the trial's details;
    the campaign's trials only). Grouped on integer codes, names and texts made ``str``."""
    params = campaign.detail_tables.params
    name_codes, names = pd.factorize(params["param_name"], use_na_sentinel=False)
    text_codes, texts = pd.factorize(params["distribution_json"], use_na_sentinel=False)
    trials = campaign.trials
    rows = pd.Index(trials["key"].to_numpy(dtype=np.int64)).get_indexer(
        params["key"].to_numpy(dtype=np.int64)
    )
    own = pd.DataFrame({"row": rows, "param": name_codes, "text": text_codes})
    own = own[own["row"].to_numpy() >= 0].drop_duplicates(["row", "param"], keep="last")
    positions = own["row"].to_numpy()
    own = own.assign(
        study_id=trials["study_id"].to_numpy(dtype=np.int64)[positions],
        number=trials["number"].to_numpy(dtype=np.int64)[positions],
    )
    used = (
        own.groupby(["study_id", "param", "text"], sort=False)["number"]
        .agg(["size", "min", "max"])
        .reset_index()
    )
    used["param"] = [str(names[code]) for code in used["param"].tolist()]
    used["text"] = [str(texts[code]) for code in used["text"].tolist()]
    return used


def _axes_text(campaign: Campaign, studies: pd.DataFrame, all_ids: set[int]) -> str:
    if set(studies["study_id"]) == all_ids:
        return "all studies"
    parts = []
    for axis in campaign.axis_names:
        values = ordered(studies[axis])
        if values and values != ordered(campaign.studies[axis]):  # "every horizon" says nothing
            parts.append(f"{axis} {', '.join(values)}")
    off = (
        studies[studies[list(campaign.axis_names)].isna().any(axis=1)]
        if campaign.axis_names
        else studies
    )
    if len(off):
        parts.append("studies " + ", ".join(str(s) for s in off["study"]))
    return "; ".join(parts)


def merged_space(campaign: Campaign) -> pd.DataFrame:
    """One row per (param, distinct distribution), identical ones merged across studies.

    Columns: ``param, kind, low, high, log, step, choices, used_by, n_studies, studies,
    n_trials, changed_within`` — ``used_by`` names the axis values (e.g. ``budget 2B``) or
    ``all studies``; ``changed_within`` lists studies where this param's distribution changed
    mid-way.
    """
    per_study = study_space(campaign)
    all_ids = set(campaign.studies["study_id"].tolist())
    rows = []
    if per_study.empty:
        return pd.DataFrame(
            columns=[
                *SPACE_COLUMNS,
                "used_by",
                "n_studies",
                "studies",
                "n_trials",
                "changed_within",
            ]
        )
    key = [c for c in SPACE_COLUMNS]
    # group by the distribution's text form: None, 1 and 1.0 stay distinct
    signature = per_study[key].apply(lambda r: json.dumps([repr(v) for v in r]), axis=1)
    for _, group in per_study.groupby(signature, sort=False):
        first = group.iloc[0]
        studies = group.drop_duplicates("study_id")
        changed = studies[studies["variants"] > 1]["study"].tolist()
        rows.append(
            {
                **{c: first[c] for c in key},
                "used_by": _axes_text(campaign, studies, all_ids),
                "n_studies": len(studies),
                "studies": ", ".join(str(s) for s in studies["study"]),
                "n_trials": int(group["n_trials"].sum()),
                "changed_within": ", ".join(str(s) for s in changed),
            }
        )
    frame = pd.DataFrame(rows, dtype=object)
    for column in ("n_studies", "n_trials"):
        frame[column] = frame[column].astype(np.int64)
    return frame.sort_values(["param", "n_studies"], ascending=[True, False], kind="stable")[
        [*SPACE_COLUMNS, "used_by", "n_studies", "studies", "n_trials", "changed_within"]
    ].reset_index(drop=True)
