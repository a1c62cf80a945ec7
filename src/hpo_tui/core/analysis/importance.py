"""Parameter importance per study, from the loaded campaign.

The storage is not read again: each study's COMPLETE trials with finite values are taken
from the campaign's frames as columns (:mod:`hpo_tui.core.analysis.importance_evaluators`)
and scored; this module makes the tables:

- ``ped_anova`` (default): PED-ANOVA (:mod:`hpo_tui.core.analysis.ped_anova`, a numpy port
  of :class:`optuna.importance.PedAnovaImportanceEvaluator` with the same numbers) — how
  much each param's distribution in the top 10 % of trials differs from all trials.
  Deterministic; direction-aware; multi-objective studies: importance for reaching the
  Pareto front. Needs neither scikit-learn nor ``optuna.importance``.
- ``fanova``: :class:`optuna.importance.FanovaImportanceEvaluator` (random forest, seed 0),
  on the trials rebuilt as Optuna ``FrozenTrial`` objects. Needs scikit-learn (the optional
  extra ``hpo-tui[fanova]``); single-objective studies only.

Importances are normalised to sum to 1 per study (Optuna's default).

Two thresholds on a study's completed trials (COMPLETE, finite values):

- below :data:`MIN_COMPLETE_TRIALS` (20): no numbers, the note ``too few completed trials``;
- from 20 to :data:`RECOMMENDED_COMPLETE_TRIALS` (50) exclusive: numbers, with the note
  ``few completed trials (n=38 < 50): the ranking may change``;
- 50 and more: numbers, no note. PED-ANOVA compares the top 10 % of trials with all of them
  and Optuna's documentation recommends at least 5 trials in that top set, hence 50.

Measured with ``scripts/importance_min_trials.py`` (random sampling, 200 seeds per size), how
often the param the objective depends on ranks first: on ``x² + 0.05·y`` (plus an irrelevant
categorical) 50 % at 10 trials, 75 % at 12, 82 % at 20, 86 % at 30, 93 % at 50; on
``(log10 lr + 3)² + 0.3·width/256`` (plus three irrelevant params) 49 %, 70 %, 76 %, 88 %,
94 %, and its two relevant params are the top two in 0 %, 46 %, 59 %, 65 %, 84 %. At 10
trials the top 10 % is a single trial and the ranking is a coin toss; from 20 the right param
comes first about four times in five: useful, but not yet settled.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.analysis.importance_evaluators import (
    METHOD_LABELS,
    METHODS,
    StudyInputs,
    campaign_inputs,
    evaluate,
    study_inputs,
)
from hpo_tui.core.errors import HpoTuiError
from hpo_tui.core.model.campaign import Campaign

MIN_COMPLETE_TRIALS = 20
RECOMMENDED_COMPLETE_TRIALS = 50
# The export's column names (``hpo_importance.csv``), after ``study`` and the axes.
IMPORTANCE_COLUMNS = ["param", "importance", "method", "n_trials", "note"]


class ImportanceUnavailable(HpoTuiError):
    """The chosen importance method cannot run here (unknown, or a missing package)."""


def _has_sklearn() -> bool:
    return importlib.util.find_spec("sklearn") is not None


def check_method(method: str) -> None:
    """Raise :class:`ImportanceUnavailable` unless ``method`` can run in this environment."""
    if method not in METHODS:
        raise ImportanceUnavailable(
            f"unknown importance method {method!r} (choose from {', '.join(METHODS)})"
        )
    if method == "fanova" and not _has_sklearn():
        raise ImportanceUnavailable(
            "fANOVA needs scikit-learn, which is not installed "
            "(pip install 'hpo-tui[fanova]', or use the default ped_anova)"
        )


def importance_columns(campaign: Campaign) -> list[str]:
    """``study, <axes>, param, importance, method, n_trials, note`` (``hpo_importance.csv``)."""
    return ["study", *campaign.axis_names, *IMPORTANCE_COLUMNS]


def too_few_note(n: int) -> str:
    """The note of a study below :data:`MIN_COMPLETE_TRIALS` (no numbers)."""
    return f"too few completed trials (n={n}, need ≥ {MIN_COMPLETE_TRIALS})"


def caution_note(n: int) -> str:
    """The note of a study with numbers but fewer than :data:`RECOMMENDED_COMPLETE_TRIALS`."""
    return f"few completed trials (n={n} < {RECOMMENDED_COMPLETE_TRIALS}): the ranking may change"


def _rows(inputs: StudyInputs, method: str) -> list[dict[str, Any]]:
    """One row per param of the study, most important first (by name when no numbers)."""
    n = len(inputs.numbers)
    if n < MIN_COMPLETE_TRIALS:
        scores: dict[str, float] = {}
        note = too_few_note(n)
    else:
        scores, note = evaluate(inputs, method)
    caution = caution_note(n) if scores and n < RECOMMENDED_COMPLETE_TRIALS else ""
    ranked = sorted(inputs.all_params, key=lambda p: (-scores.get(p, -1.0), p))
    rows = []
    for param in ranked:
        score = scores.get(param)
        row_note = note or caution
        if score is None and not note:
            # fANOVA assesses only params present in every completed trial
            row_note = f"{METHOD_LABELS[method]} could not assess this param (not in every trial)"
        rows.append(
            {
                "param": param,
                "importance": np.nan if score is None else score,
                "method": method,
                "n_trials": n,
                "note": row_note,
            }
        )
    return rows


def _grid_order(campaign: Campaign) -> list[int]:
    """Study ids as ``hpo-tui summary`` orders them: grid studies by axis magnitude (rows,
    then columns), then the others by name."""
    from hpo_tui.core.model.axes import axis_sort_key

    def key(row: Any) -> tuple:
        tokens = [getattr(row, a) for a in campaign.axis_names]
        on_grid = all(isinstance(t, str) for t in tokens)
        keys = tuple(axis_sort_key(t) if isinstance(t, str) else (2, 0.0, "") for t in tokens)
        return (0 if on_grid else 1, keys, str(row.study), int(row.study_id))

    rows = sorted(campaign.studies.itertuples(index=False), key=key)
    return [int(row.study_id) for row in rows]


def _frame(campaign: Campaign, rows_by_study: dict[int, list[dict[str, Any]]]) -> pd.DataFrame:
    studies = campaign.studies.set_index("study_id")
    records = []
    for study_id in _grid_order(campaign):
        info = studies.loc[study_id]
        for row in rows_by_study.get(study_id, []):
            records.append(
                {
                    "study_id": study_id,
                    "study": info["study"],
                    **{axis: info[axis] for axis in campaign.axis_names},
                    **row,
                }
            )
    columns = ["study_id", *importance_columns(campaign)]
    frame = pd.DataFrame(records, columns=columns)
    frame["study_id"] = frame["study_id"].astype(np.int64)
    frame["importance"] = frame["importance"].astype(float)
    frame["n_trials"] = frame["n_trials"].astype(np.int64)
    for column in ("study", *campaign.axis_names, "param", "method", "note"):
        frame[column] = frame[column].astype(object)
    return frame


def study_importance(campaign: Campaign, study_id: int, method: str = "ped_anova") -> pd.DataFrame:
    """The importance rows of one study (see :func:`campaign_importance` for the columns)."""
    check_method(method)
    return _frame(campaign, {study_id: _rows(study_inputs(campaign, study_id), method)})


def campaign_importance(
    campaign: Campaign, method: str = "ped_anova", cache: ImportanceCache | None = None
) -> pd.DataFrame:
    """One row per (study, param), studies in grid order, params most important first.

    Columns: ``study_id, study, <axes>, param, importance, method, n_trials, note``.
    ``importance`` is empty (NaN) and ``note`` says why when the study has fewer than
    :data:`MIN_COMPLETE_TRIALS` completed trials (``n_trials`` counts them) or the method
    cannot assess the param.

    ``cache`` keeps the results for a later call (the export's transfer files use them).

    Raises:
        ImportanceUnavailable: the method is unknown or needs a package that is missing.
    """
    return (cache or ImportanceCache()).get(campaign, method)


@dataclass
class ImportanceCache:
    """Importances kept per (study, method) until that study's inputs change.

    The key is a digest of what the evaluator sees (directions, and the COMPLETE trials'
    numbers, values, params and distributions), so a refresh that only added RUNNING trials
    or curve points to a study does not recompute it. Safe to call from a worker thread.
    """

    _entries: dict[tuple[int, str], tuple[str, list[dict[str, Any]]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, campaign: Campaign, method: str = "ped_anova") -> pd.DataFrame:
        """The campaign's importance frame, computing only the studies that changed."""
        check_method(method)
        rows: dict[int, list[dict[str, Any]]] = {}
        with self._lock:
            for study_id, inputs in campaign_inputs(campaign).items():
                digest = inputs.fingerprint()
                cached = self._entries.get((study_id, method))
                if cached is None or cached[0] != digest:
                    cached = (digest, _rows(inputs, method))
                    self._entries[(study_id, method)] = cached
                rows[study_id] = cached[1]
        return _frame(campaign, rows)


CAUTION_MARK = "†"
"""Marks the label of a study whose numbers come from few completed trials (tables, TUI)."""


@dataclass
class ImportanceMatrix:
    """Params × studies: ``values`` (rows params, most important first; columns study ids in
    grid order), a short column label per study, the note of studies without numbers, and
    the caution of studies with numbers from fewer than :data:`RECOMMENDED_COMPLETE_TRIALS`
    completed trials."""

    values: pd.DataFrame
    labels: dict[int, str]
    notes: dict[int, str]
    cautions: dict[int, str] = field(default_factory=dict)

    def header(self, study_id: int) -> str:
        """The study's column label, with :data:`CAUTION_MARK` when it has a caution."""
        label = self.labels[study_id]
        return f"{label} {CAUTION_MARK}" if study_id in self.cautions else label


def study_label(info: pd.Series, axis_names: tuple[str, ...]) -> str:
    """``2M h1`` for a study on the grid, else its name."""
    tokens = [info[a] for a in axis_names]
    if axis_names and all(isinstance(t, str) for t in tokens):
        return " ".join(str(t) for t in tokens)
    return str(info["study"])


def importance_matrix(campaign: Campaign, frame: pd.DataFrame) -> ImportanceMatrix:
    """Pivot :func:`campaign_importance` into params × studies (the heatmap, the paper table).

    Params are ordered by their mean importance over the studies that have one (then by
    name); a cell is NaN where the study has no such param or no numbers.
    """
    ids = list(dict.fromkeys(int(s) for s in frame["study_id"]))
    values = frame.pivot_table(
        index="param", columns="study_id", values="importance", aggfunc="first", dropna=False
    ).reindex(columns=ids)
    params = sorted(set(frame["param"]))
    values = values.reindex(index=params)
    mean = values.mean(axis=1, skipna=True).fillna(-1.0)
    order = sorted(params, key=lambda p: (-float(mean[p]), p))
    values = values.reindex(index=order).astype(float)
    values.index.name = "param"
    studies = campaign.studies.set_index("study_id")
    labels: dict[int, str] = {}
    for study_id in ids:
        label = study_label(studies.loc[study_id], campaign.axis_names)
        labels[study_id] = (
            str(studies.loc[study_id, "study"]) if label in labels.values() else label
        )
    notes = {}
    cautions = {}
    for study_id, group in frame.groupby("study_id", sort=False):
        if group["importance"].isna().all():
            if (group["note"] != "").any():
                notes[int(study_id)] = str(group["note"].iloc[0])
        elif int(group["n_trials"].iloc[0]) < RECOMMENDED_COMPLETE_TRIALS:
            cautions[int(study_id)] = caution_note(int(group["n_trials"].iloc[0]))
    return ImportanceMatrix(values=values, labels=labels, notes=notes, cautions=cautions)


def matrix_frame(matrix: ImportanceMatrix) -> pd.DataFrame:
    """The matrix with a ``param`` column and one column per study label (for tables)."""
    frame = matrix.values.copy()
    frame.columns = [matrix.header(int(s)) for s in frame.columns]
    return frame.reset_index()


def render_matrix(matrix: ImportanceMatrix, fmt: str, digits: int = 4) -> str:
    """The params × studies table in Markdown or LaTeX (booktabs), the most important param
    of each study in bold, then one line per study without numbers or with a caution
    (a LaTeX comment); see :func:`note_lines`."""
    from hpo_tui.core.export.formats.markup import (
        latex_table,
        markdown_escape,
        markdown_table,
    )

    ids = [int(s) for s in matrix.values.columns]
    header = ["Parameter", *(matrix.header(s) for s in ids)]
    rows: list[list[str]] = []
    for param, values in matrix.values.iterrows():
        cells = [str(param)]
        for study_id in ids:
            value = values[study_id]
            cells.append("—" if study_id in matrix.notes else display_cell(value, digits))
        rows.append(cells)
    bold = set()
    for j, study_id in enumerate(ids, start=1):
        column = matrix.values[study_id]
        if column.notna().any():
            bold.add((list(matrix.values.index).index(column.idxmax()), j))
    notes = note_lines(matrix)
    if fmt == "latex":
        text = latex_table(header, rows, bold)
        return text + "".join(f"% {printable_line(n)}\n" for n in notes)
    text = markdown_table(header, rows, bold)
    if notes:
        text += "\n" + "".join(f"{markdown_escape(n)}  \n" for n in notes)
    return text


def note_lines(matrix: ImportanceMatrix) -> list[str]:
    """``— 20M h1: too few …`` per study without numbers, then ``† 20M h3: few …`` per study
    whose numbers come with a caution (untrusted labels: escape before display)."""
    lines = [f"— {matrix.labels[s]}: {note}" for s, note in matrix.notes.items()]
    lines += [f"{CAUTION_MARK} {matrix.labels[s]}: {note}" for s, note in matrix.cautions.items()]
    return lines


def display_cell(value: float, digits: int) -> str:
    """An importance for reading; empty where the study has no such param."""
    from hpo_tui.core.display import display_number

    return "" if pd.isna(value) else display_number(float(value), digits)


def printable_line(text: str) -> str:
    """One line of untrusted text with control characters escaped."""
    from hpo_tui.core.display import printable

    return printable(text).replace("\n", " ")
