"""What changed between two exports of the same campaign, for updating a paper draft.

Both folders' ``hpo_full.json`` are read (no storage is opened). Studies are matched by
(study, source), trials by number. Per study, one row (:data:`DIFF_COLUMNS`): whether it is
new, gone or in both; the best value and its trial, old → new; the trials added, per state;
the trials that diverged in the new export and had not in the old one (new or not diverged
then); the trials whose state changed; every count of ``studies[].counts`` that changed.

This module is part of the UI-free core: it must not import textual or rich.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from hpo_tui.core.export.verify import FULL_JSON, VerifyError, read_metadata

STATES = ("COMPLETE", "PRUNED", "FAIL", "RUNNING", "WAITING")
DIFF_COLUMNS = [
    "study",
    "source",
    "status",
    "best_old",
    "best_trial_old",
    "best_new",
    "best_trial_new",
    "best_changed",
    "n_trials_old",
    "n_trials_new",
    *(f"added_{s.lower()}" for s in STATES),
    "n_newly_diverged",
    "newly_diverged",
    "state_changed",
    "counts_changed",
]


def read_export(folder: Path | str) -> dict[str, Any]:
    """The ``hpo_full.json`` document of an export folder.

    Raises:
        VerifyError: when the folder is missing, not an export, or its JSON is damaged.
    """
    read_metadata(folder)  # the checks and their messages
    path = Path(folder) / FULL_JSON
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as exc:
        raise VerifyError(f"{path}: cannot read ({type(exc).__name__}: {exc})") from None
    if not isinstance(document.get("studies"), list):
        raise VerifyError(f"{path}: not an hpo-tui export (no studies)")
    return document


def _number(value: Any) -> Any:
    """A JSON number back as a float (``"NaN"``/``"Infinity"`` strings too), else as is."""
    if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
        return float(value.replace("Infinity", "inf"))
    return value


def _studies(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(str(s["study"]), str(s["source"])): s for s in document["studies"]}


def _study_row(key: tuple[str, str], old: dict | None, new: dict | None) -> dict[str, Any]:
    status = "both" if old and new else ("added" if new else "removed")
    old_best = (old or {}).get("best") or {}
    new_best = (new or {}).get("best") or {}
    old_trials = {t["number"]: t for t in (old or {}).get("trials", [])}
    new_trials = {t["number"]: t for t in (new or {}).get("trials", [])}
    added = [t for n, t in new_trials.items() if n not in old_trials]
    newly_diverged = [
        n
        for n, t in sorted(new_trials.items())
        if t.get("diverged") and not (old_trials.get(n) or {}).get("diverged")
    ]
    state_changed = [
        f"#{n} {old_trials[n]['state']}→{t['state']}"
        for n, t in sorted(new_trials.items())
        if n in old_trials and old_trials[n]["state"] != t["state"]
    ]
    old_counts = (old or {}).get("counts", {})
    new_counts = (new or {}).get("counts", {})
    counts_changed = [
        f"{name} {old_counts.get(name, 0)}→{new_counts.get(name, 0)}"
        for name in dict.fromkeys([*old_counts, *new_counts])
        if old_counts.get(name, 0) != new_counts.get(name, 0)
    ]
    best_old, best_new = _number(old_best.get("value")), _number(new_best.get("value"))
    row: dict[str, Any] = {
        "study": key[0],
        "source": key[1],
        "status": status,
        "best_old": best_old,
        "best_trial_old": old_best.get("trial"),
        "best_new": best_new,
        "best_trial_new": new_best.get("trial"),
        "best_changed": (best_old, old_best.get("trial")) != (best_new, new_best.get("trial")),
        "n_trials_old": len(old_trials),
        "n_trials_new": len(new_trials),
    }
    for state in STATES:
        row[f"added_{state.lower()}"] = sum(1 for t in added if t["state"] == state)
    row["n_newly_diverged"] = len(newly_diverged)
    row["newly_diverged"] = ", ".join(f"#{n}" for n in newly_diverged)
    row["state_changed"] = ", ".join(state_changed)
    row["counts_changed"] = ", ".join(counts_changed)
    return row


def diff_exports(old: dict[str, Any], new: dict[str, Any]) -> pd.DataFrame:
    """One row per study of either export (new export's order, then the removed ones).

    Args:
        old: The older export's ``hpo_full.json`` document (:func:`read_export`).
        new: The newer one's.
    """
    old_studies, new_studies = _studies(old), _studies(new)
    keys = [*new_studies, *(k for k in old_studies if k not in new_studies)]
    rows = [_study_row(k, old_studies.get(k), new_studies.get(k)) for k in keys]
    frame = pd.DataFrame(rows, columns=DIFF_COLUMNS)
    for column in ("best_old", "best_new"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in ("best_trial_old", "best_trial_new"):
        frame[column] = frame[column].astype("Int64")
    frame["best_changed"] = frame["best_changed"].astype(bool)
    for column in ("study", "source", "status", "newly_diverged", "state_changed"):
        frame[column] = frame[column].astype(object)
    frame["counts_changed"] = frame["counts_changed"].astype(object)
    return frame
