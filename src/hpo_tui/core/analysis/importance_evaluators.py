"""Optuna's importance evaluators on one study of a loaded campaign.

The storage is not read again: a study's COMPLETE trials with finite values
(:func:`study_inputs`) are rebuilt as Optuna ``FrozenTrial`` objects, params and
distributions exactly as stored, in a study whose read-only storage hands them to the
evaluator as they are (:func:`evaluate`). :mod:`hpo_tui.core.analysis.importance` turns the
results into the importance tables.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.storage.raw import parse_distribution

METHODS = ("ped_anova", "fanova")
METHOD_LABELS = {"ped_anova": "PED-ANOVA", "fanova": "fANOVA"}
FANOVA_SEED = 0


@dataclass(frozen=True)
class StudyInputs:
    """What the evaluator sees of one study: directions and the usable trials."""

    directions: tuple[str, ...]
    numbers: list[int]
    values: list[tuple[float, ...]]
    params: list[dict[str, Any]]
    distributions: list[dict[str, str]]
    all_params: list[str]  # every param of the study's trials, by name

    def fingerprint(self) -> str:
        """A digest of the inputs: equal digests give equal importances."""
        payload = json.dumps(
            [
                self.directions,
                self.numbers,
                self.values,
                self.params,
                self.distributions,
                self.all_params,
            ],
            sort_keys=True,
            default=repr,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


def study_inputs(campaign: Campaign, study_id: int) -> StudyInputs:
    """What the evaluator sees of one study: its COMPLETE trials with finite values, each
    with its params in stored order, and the names of every param of its trials."""
    study = campaign.studies.set_index("study_id").loc[study_id]
    directions = tuple(str(d).upper() for d in study["directions"])
    trials = campaign.study_trials(study_id)
    long = campaign.detail_tables.params
    own = long[np.isin(long["key"].to_numpy(dtype=np.int64), trials["key"].to_numpy())]
    all_params = sorted({str(n) for n in own["param_name"]})
    complete = trials[trials["state"] == "COMPLETE"]
    value_columns = (
        ["value"] if len(directions) == 1 else [f"values_{i}" for i in range(len(directions))]
    )
    numbers: list[int] = []
    values: list[tuple[float, ...]] = []
    params: list[dict[str, Any]] = []
    distributions: list[dict[str, str]] = []
    if all(c in complete.columns for c in value_columns):
        matrix = complete[value_columns].to_numpy(dtype=float)
        usable = np.isfinite(matrix).all(axis=1)  # Optuna ignores non-finite values too
        # Each trial's params in stored order, from the long table in one pass (not one
        # ``details`` lookup per trial).
        by_key: dict[int, tuple[dict[str, Any], dict[str, str]]] = {}
        for key, name, value, text in zip(
            own["key"].tolist(),
            own["param_name"].tolist(),
            own["value"].tolist(),
            own["distribution_json"].tolist(),
            strict=True,
        ):
            found = by_key.setdefault(key, ({}, {}))
            found[0][str(name)] = value
            found[1][str(name)] = text
        for key, number, row in zip(
            complete["key"][usable].tolist(),
            complete["number"][usable].tolist(),
            matrix[usable].tolist(),
            strict=True,
        ):
            trial_params, trial_distributions = by_key.get(key, ({}, {}))
            numbers.append(int(number))
            values.append(tuple(row))
            params.append(trial_params)
            distributions.append(trial_distributions)
    return StudyInputs(directions, numbers, values, params, distributions, all_params)


_STUDY_NAME = "hpo-tui-importance"


def _trials_storage(directions: tuple[str, ...], trials: list[Any]) -> Any:
    """A read-only Optuna storage of one study holding ``trials`` as they are.

    Optuna's evaluators read a study's trials through its storage. Its ``InMemoryStorage``
    deep-copies every trial on the way in (most of an importance's time at 24k trials); this
    storage hands out the frozen trials it was given and refuses every write. Public API
    only: :class:`optuna.storages.BaseStorage`.
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


def _evaluator(method: str) -> Any:
    from optuna.importance import FanovaImportanceEvaluator, PedAnovaImportanceEvaluator

    if method == "fanova":
        return FanovaImportanceEvaluator(seed=FANOVA_SEED)
    return PedAnovaImportanceEvaluator()


def evaluate(inputs: StudyInputs, method: str) -> tuple[dict[str, float], str]:
    """Importances by param (normalised), or ``({}, note)`` when the method cannot apply."""
    import optuna
    from optuna.trial import FrozenTrial, TrialState

    if method == "fanova" and len(inputs.directions) > 1:
        return {}, "fANOVA needs a single objective (use ped_anova)"
    parsed: dict[str, Any] = {}
    frozen: list[Any] = []
    for number, values, params, texts in zip(
        inputs.numbers, inputs.values, inputs.params, inputs.distributions, strict=True
    ):
        distributions = {n: parsed.setdefault(t, parse_distribution(t)) for n, t in texts.items()}
        # Constructed without validation: the stored params are what Optuna accepted.
        frozen.append(
            FrozenTrial(
                number=number,
                state=TrialState.COMPLETE,
                value=None,
                values=list(values),
                datetime_start=None,
                datetime_complete=None,
                params=params,
                distributions=distributions,
                user_attrs={},
                system_attrs={},
                intermediate_values={},
                trial_id=len(frozen),  # its position: get_trial(trial_id)
            )
        )
    study = optuna.Study(
        study_name=_STUDY_NAME,
        storage=_trials_storage(inputs.directions, frozen),
        sampler=optuna.samplers.RandomSampler(seed=0),  # never samples; avoids TPE's setup
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Optuna's experimental and small-sample warnings
            result = optuna.importance.get_param_importances(study, evaluator=_evaluator(method))
    except (ValueError, RuntimeError) as exc:  # e.g. fANOVA on a search space that changed
        return {}, f"{METHOD_LABELS[method]} failed: {exc}"
    return {str(k): float(v) for k, v in result.items()}, ""
