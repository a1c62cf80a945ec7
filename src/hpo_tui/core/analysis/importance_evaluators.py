"""What an importance evaluator sees of one study, and the evaluators.

The storage is not read again: a study's COMPLETE trials with finite values are taken from
the loaded campaign as columns (:func:`study_inputs`): the values as one array, and each
param as arrays over those trials: its value in Optuna's internal representation (the
number, or the index of the choice) and its regime (which of its distributions the trial
used; none where the trial lacks the param).

- ``ped_anova`` runs on these arrays (:mod:`hpo_tui.core.analysis.ped_anova`, a port of
  Optuna's evaluator): no Optuna trial objects, and nothing under ``optuna.importance``
  is imported (that package's ``__init__`` imports scikit-learn).
- ``fanova`` is Optuna's own evaluator: the trials are rebuilt as Optuna ``FrozenTrial``
  objects, params and distributions exactly as stored, in a study whose read-only storage
  hands them to the evaluator as they are (:func:`evaluate`). Only then are
  ``optuna.importance`` and scikit-learn imported.

:mod:`hpo_tui.core.analysis.importance` turns the results into the importance tables.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.storage.raw import parse_distribution

METHODS = ("ped_anova", "fanova")
METHOD_LABELS = {"ped_anova": "PED-ANOVA", "fanova": "fANOVA"}
FANOVA_SEED = 0


@dataclass(frozen=True)
class ParamColumn:
    """One param over a study's usable trials (arrays in trial order).

    ``regimes[i]`` is the index in ``distributions`` of the distribution trial ``i`` used,
    or -1 where the trial lacks the param. Distributions are in the order the trials first
    used them; two stored texts of equal distributions are one regime (Optuna compares
    distributions, not their JSON). ``values`` holds Optuna's internal representation (the
    number; the choice's index for a categorical), NaN where the trial lacks the param, and
    ``external`` the values as Optuna returns them.
    """

    name: str
    regimes: np.ndarray
    distributions: tuple[str, ...]
    values: np.ndarray
    external: np.ndarray

    @cached_property
    def parsed(self) -> tuple[Any, ...]:
        """The Optuna distribution of each regime."""
        return tuple(parse_distribution(text) for text in self.distributions)


@dataclass(frozen=True)
class StudyInputs:
    """What the evaluator sees of one study: directions and the usable trials, as arrays."""

    directions: tuple[str, ...]
    numbers: np.ndarray  # trial numbers, ascending
    values: np.ndarray  # (trials, objectives), finite
    params: tuple[ParamColumn, ...]  # the params of the usable trials, by name
    all_params: list[str]  # every param of the study's trials, by name

    def fingerprint(self) -> str:
        """A digest of the inputs: equal digests give equal importances."""
        digest = hashlib.sha256()
        for part in (
            repr((self.directions, self.all_params, self.values.shape)).encode(),
            self.numbers.astype(np.int64).tobytes(),
            self.values.astype(np.float64).tobytes(),
        ):
            digest.update(part)
        for column in self.params:
            digest.update(repr((column.name, column.distributions)).encode())
            digest.update(column.regimes.astype(np.int64).tobytes())
            digest.update(column.values.astype(np.float64).tobytes())
        return digest.hexdigest()


@dataclass(frozen=True)
class _ParamRows:
    """Rows of the long params table as arrays: the trial's key, the param's name and its
    distribution's JSON as codes into ``name_of`` and ``text_of``, the value."""

    keys: np.ndarray
    names: np.ndarray
    texts: np.ndarray
    values: np.ndarray
    name_of: np.ndarray
    text_of: np.ndarray

    @classmethod
    def of(cls, campaign: Campaign) -> _ParamRows:
        long = campaign.detail_tables.params
        names, name_of = pd.factorize(long["param_name"])
        texts, text_of = pd.factorize(long["distribution_json"])
        return cls(
            long["key"].to_numpy(dtype=np.int64),
            names,
            texts,
            long["value"].to_numpy(dtype=object),
            np.asarray(name_of, dtype=object),
            np.asarray(text_of, dtype=object),
        )

    def take(self, rows: np.ndarray) -> _ParamRows:
        return _ParamRows(
            self.keys[rows],
            self.names[rows],
            self.texts[rows],
            self.values[rows],
            self.name_of,
            self.text_of,
        )


def study_inputs(campaign: Campaign, study_id: int) -> StudyInputs:
    """What the evaluator sees of one study: its COMPLETE trials with finite values (Optuna
    ignores non-finite ones too), by number, each param as columns over them, and the names
    of every param of its trials."""
    rows = _ParamRows.of(campaign)
    trials = _TrialColumns(campaign)
    at = trials.of_study(study_id)
    own = np.flatnonzero(np.isin(rows.keys, trials.keys[at]))
    return _study_inputs(trials.inputs_of(study_id, at), rows.take(own))


def campaign_inputs(campaign: Campaign) -> dict[int, StudyInputs]:
    """:func:`study_inputs` of every study, the long params table split by study at once."""
    rows = _ParamRows.of(campaign)
    trials = _TrialColumns(campaign)
    at = pd.Index(trials.keys).get_indexer(rows.keys)
    study_of_row = np.full(len(at), -1, dtype=np.int64)
    study_of_row[at >= 0] = trials.study_ids[at[at >= 0]]
    order = np.argsort(study_of_row, kind="stable")
    sorted_ids = study_of_row[order]
    inputs = {}
    for study_id in campaign.studies["study_id"].to_numpy(dtype=np.int64):
        lo, hi = np.searchsorted(sorted_ids, [study_id, study_id + 1])
        inputs[int(study_id)] = _study_inputs(
            trials.inputs_of(int(study_id), trials.of_study(int(study_id))),
            rows.take(order[lo:hi]),
        )
    return inputs


class _TrialColumns:
    """The trials frame's columns the inputs need, as arrays (no per-study frame copies)."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        trials = campaign.trials
        self.keys = trials["key"].to_numpy(dtype=np.int64)
        self.study_ids = trials["study_id"].to_numpy(dtype=np.int64)
        self.numbers = trials["number"].to_numpy(dtype=np.int64)
        self.complete = (trials["state"] == "COMPLETE").to_numpy(dtype=bool)

    def of_study(self, study_id: int) -> np.ndarray:
        """The study's positions in the trials frame."""
        return np.flatnonzero(self.study_ids == study_id)

    def inputs_of(self, study_id: int, at: np.ndarray) -> tuple[tuple[str, ...], Any, Any, Any]:
        """``(directions, keys, numbers, values)`` of the study's COMPLETE trials with
        finite values, by number."""
        studies = self.campaign.studies
        row = studies["study_id"].to_numpy(dtype=np.int64) == study_id
        directions = tuple(str(d).upper() for d in studies["directions"][row].iloc[0])
        columns = (
            ["value"] if len(directions) == 1 else [f"values_{i}" for i in range(len(directions))]
        )
        at = at[self.complete[at]]
        at = at[np.argsort(self.numbers[at], kind="stable")]
        trials = self.campaign.trials
        if all(c in trials.columns for c in columns):
            matrix = np.column_stack([trials[c].to_numpy(dtype=float)[at] for c in columns])
        else:
            matrix = np.empty((0, len(directions)))
            at = at[:0]
        usable = np.isfinite(matrix).all(axis=1)
        return directions, self.keys[at][usable], self.numbers[at][usable], matrix[usable]


def _study_inputs(trials: tuple[tuple[str, ...], Any, Any, Any], own: _ParamRows) -> StudyInputs:
    """The inputs from the study's usable trials and its rows of the long params table."""
    directions, keys, numbers, values = trials
    all_params = sorted(str(own.name_of[code]) for code in np.unique(own.names))
    position = pd.Index(keys).get_indexer(own.keys)
    used = own.take(np.flatnonzero(position >= 0))
    position = position[position >= 0]
    by_name = np.lexsort((position, used.names))  # by param, then in trial order
    codes = used.names[by_name]
    starts = np.flatnonzero(np.diff(codes, prepend=-1))  # where each param's rows begin
    columns = [
        _param_column(
            str(used.name_of[codes[start]]),
            len(keys),
            position[picked],
            used.text_of[used.texts[picked]],
            used.values[picked],
        )
        for start, picked in zip(starts, np.split(by_name, starts)[1:], strict=True)
    ]
    return StudyInputs(
        directions, numbers, values, tuple(sorted(columns, key=lambda c: c.name)), all_params
    )


def _param_column(
    name: str, n_trials: int, position: np.ndarray, texts: np.ndarray, external: np.ndarray
) -> ParamColumn:
    """The columns of one param from its rows (in trial order; ``position``: the trial)."""
    from optuna.distributions import CategoricalDistribution

    codes, uniques = pd.factorize(texts)  # in the order the trials first used them
    representatives: list[str] = []
    regime_of_text = np.empty(len(uniques), dtype=np.int64)
    for index, text in enumerate(uniques):
        parsed = parse_distribution(str(text))
        same = [i for i, r in enumerate(representatives) if parse_distribution(r) == parsed]
        if same:
            regime_of_text[index] = same[0]
        else:
            regime_of_text[index] = len(representatives)
            representatives.append(str(text))
    row_regime = regime_of_text[codes]
    internal = np.full(len(position), np.nan)
    for regime, text in enumerate(representatives):
        rows = row_regime == regime
        distribution = parse_distribution(text)
        if isinstance(distribution, CategoricalDistribution):
            internal[rows] = _choice_indices(distribution, external[rows])
        else:
            internal[rows] = np.asarray(external[rows], dtype=float)
    regimes = np.full(n_trials, -1, dtype=np.int64)
    regimes[position] = row_regime
    values = np.full(n_trials, np.nan)
    values[position] = internal
    out = np.empty(n_trials, dtype=object)
    out[position] = external
    return ParamColumn(name, regimes, tuple(representatives), values, out)


def _choice_indices(distribution: Any, external: np.ndarray) -> np.ndarray:
    """Optuna's ``to_internal_repr`` of each value, computed once per distinct value."""
    codes, uniques = pd.factorize(external)  # None / NaN: code -1, done one by one
    index_of = np.array([distribution.to_internal_repr(v) for v in uniques], dtype=float)
    out = np.empty(len(external))
    out[codes >= 0] = index_of[codes[codes >= 0]]
    for i in np.flatnonzero(codes < 0):
        out[i] = distribution.to_internal_repr(external[i])
    return out


def evaluate(inputs: StudyInputs, method: str) -> tuple[dict[str, float], str]:
    """Importances by param (normalised), or ``({}, note)`` when the method cannot apply."""
    if method == "ped_anova":
        from hpo_tui.core.analysis.ped_anova import normalized, ped_anova_scores

        return normalized(ped_anova_scores(inputs)), ""
    if len(inputs.directions) > 1:
        return {}, "fANOVA needs a single objective (use ped_anova)"
    return _fanova(inputs)


_STUDY_NAME = "hpo-tui-importance"


def _frozen_trials(inputs: StudyInputs) -> list[Any]:
    """The usable trials as Optuna ``FrozenTrial`` objects (for Optuna's own evaluators)."""
    from optuna.trial import FrozenTrial, TrialState

    frozen = []
    for i, (number, values) in enumerate(zip(inputs.numbers, inputs.values.tolist(), strict=True)):
        present = [c for c in inputs.params if c.regimes[i] >= 0]
        # Constructed without validation: the stored params are what Optuna accepted.
        frozen.append(
            FrozenTrial(
                number=int(number),
                state=TrialState.COMPLETE,
                value=None,
                values=values,
                datetime_start=None,
                datetime_complete=None,
                params={c.name: c.external[i] for c in present},
                distributions={c.name: c.parsed[c.regimes[i]] for c in present},
                user_attrs={},
                system_attrs={},
                intermediate_values={},
                trial_id=i,  # its position: get_trial(trial_id)
            )
        )
    return frozen


def _trials_storage(directions: tuple[str, ...], trials: list[Any]) -> Any:
    """A read-only Optuna storage of one study holding ``trials`` as they are.

    Optuna's evaluators read a study's trials through its storage. Its ``InMemoryStorage``
    deep-copies every trial on the way in; this storage hands out the frozen trials it was
    given and refuses every write. Public API only: :class:`optuna.storages.BaseStorage`.
    """
    import copy

    from optuna.storages import BaseStorage
    from optuna.study import StudyDirection

    study_directions = [StudyDirection[d] for d in directions]

    class FrozenTrialsStorage(BaseStorage):
        def _refuse(self, *args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError("hpo-tui's importance storage is read-only")

        create_new_study = delete_study = set_study_user_attr = _refuse
        set_study_system_attr = create_new_trial = set_trial_param = _refuse
        set_trial_state_values = set_trial_intermediate_value = _refuse
        set_trial_user_attr = set_trial_system_attr = _refuse

        def get_study_id_from_name(self, study_name: str) -> int:
            return 0

        def get_study_name_from_id(self, study_id: int) -> str:
            return _STUDY_NAME

        def get_study_directions(self, study_id: int) -> list[Any]:
            return list(study_directions)

        def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
            return {}

        def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
            return {}

        get_all_studies = _refuse

        def get_trial(self, trial_id: int) -> Any:
            return trials[trial_id]

        def get_all_trials(
            self, study_id: int, deepcopy: bool = True, states: Any = None
        ) -> list[Any]:
            chosen = [t for t in trials if states is None or t.state in states]
            return copy.deepcopy(chosen) if deepcopy else chosen

    return FrozenTrialsStorage()


def _fanova(inputs: StudyInputs) -> tuple[dict[str, float], str]:
    """Optuna's fANOVA evaluator (random forest, seed :data:`FANOVA_SEED`) on the study."""
    import optuna
    from optuna.importance import FanovaImportanceEvaluator, get_param_importances

    study = optuna.Study(
        study_name=_STUDY_NAME,
        storage=_trials_storage(inputs.directions, _frozen_trials(inputs)),
        sampler=optuna.samplers.RandomSampler(seed=0),  # never samples; avoids TPE's setup
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Optuna's experimental and small-sample warnings
            result = get_param_importances(
                study, evaluator=FanovaImportanceEvaluator(seed=FANOVA_SEED)
            )
    except (ValueError, RuntimeError) as exc:  # e.g. a search space that changed
        return {}, f"{METHOD_LABELS['fanova']} failed: {exc}"
    return {str(k): float(v) for k, v in result.items()}, ""
