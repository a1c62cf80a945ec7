"""All demo trials in one insert, through Optuna's private ORM models.

Why private: Optuna's public API writes a finished trial with
``RDBStorage.create_new_trial(study_id, template_trial=...)`` (what ``Study.add_trials`` and
:func:`optuna.copy_study` call), one transaction per trial with a query per param, attr and
intermediate value. The default demo is 720 trials with about 12,500 intermediate values;
building the rows with ``optuna.storages._rdb.models`` and committing them in one session
writes it about six times faster (medians of three alternating runs of both writers on the
same results), and the rows are Optuna's own (stored representations of ``inf``, ``NaN`` and
datetimes are the installed version's).

This is the only module of hpo-tui that imports ``optuna.storages._rdb``. The writer
(:func:`hpo_tui.demo.writer.write_sqlite`) falls back to the public API when this insert
fails (a renamed model or column in a future Optuna), and a test checks that both paths store
the same trials.

What would replace it: a public batch form of ``create_new_trial`` (e.g.
``BaseStorage.create_new_trials(study_id, templates)``, or ``Study.add_trials`` committing
once) would make this module a one-line call.
"""

from __future__ import annotations

import json
from typing import Any

import optuna
from optuna.storages._rdb import models  # private: see the module docstring
from sqlalchemy import orm


def insert_trials(
    rdb: optuna.storages.RDBStorage, studies: list[tuple[int, list[optuna.trial.FrozenTrial]]]
) -> None:
    """Insert the finished ``trials`` of each ``(study_id, trials)`` in one transaction.

    The studies must exist in ``rdb`` already; trial numbers are taken from the trials.
    """
    value_model = models.TrialValueModel
    step_model = models.TrialIntermediateValueModel
    rows: list[Any] = []
    for study_id, trials in studies:
        for frozen in trials:
            trial = models.TrialModel(
                study_id=study_id,
                number=frozen.number,
                state=frozen.state,
                datetime_start=frozen.datetime_start,
                datetime_complete=frozen.datetime_complete,
            )
            rows.append(trial)
            for objective, value in enumerate(frozen.values or ()):
                stored, value_type = value_model.value_to_stored_repr(value)
                rows.append(
                    value_model(
                        trial=trial, objective=objective, value=stored, value_type=value_type
                    )
                )
            for param_name, param_value in frozen.params.items():
                distribution = frozen.distributions[param_name]
                rows.append(
                    models.TrialParamModel(
                        trial=trial,
                        param_name=param_name,
                        param_value=distribution.to_internal_repr(param_value),
                        distribution_json=optuna.distributions.distribution_to_json(distribution),
                    )
                )
            for attr_model, attrs in (
                (models.TrialUserAttributeModel, frozen.user_attrs),
                (models.TrialSystemAttributeModel, frozen.system_attrs),
            ):
                for key, value in attrs.items():
                    rows.append(attr_model(trial=trial, key=key, value_json=json.dumps(value)))
            for step, reported in frozen.intermediate_values.items():
                stored, step_type = step_model.intermediate_value_to_stored_repr(reported)
                rows.append(
                    step_model(
                        trial=trial,
                        step=step,
                        intermediate_value=stored,
                        intermediate_value_type=step_type,
                    )
                )
    with orm.Session(rdb.engine) as session:
        session.add_all(rows)
        session.commit()
