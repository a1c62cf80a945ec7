"""The fast readers equal Optuna's public API, field by field, on every backend."""

from __future__ import annotations

import math

import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.storage.sources import SourceKind, resolve_sources
from tests.conftest import BuiltStorage
from tests.helpers import fixture_campaign as fx
from tests.helpers.compare import assert_matches


def test_every_field_equals_optuna_api(any_storage: BuiltStorage) -> None:
    campaign = load_campaign([any_storage.spec])
    checked = assert_matches(campaign, any_storage.expected)
    assert checked == sum(len(s["trials"]) for s in any_storage.expected.values())
    assert checked >= 25


def test_special_floats_survive(any_storage: BuiltStorage) -> None:
    campaign = load_campaign([any_storage.spec])
    main = campaign.studies.set_index("study").loc[fx.MAIN, "study_id"]
    trials = campaign.study_trials(main).set_index("number")
    # An objective returning NaN: Optuna stores FAIL and no value.
    assert trials.loc[fx.CASE_NAN_OBJECTIVE, "state"] == "FAIL"
    assert math.isnan(trials.loc[fx.CASE_NAN_OBJECTIVE, "value"])
    # An objective returning inf: COMPLETE with value inf.
    assert trials.loc[fx.CASE_INF_INTERMEDIATE, "value"] == math.inf
    key = trials.loc[fx.CASE_NAN_OBJECTIVE, "key"]
    inter = campaign.curves[
        (campaign.curves["key"] == key) & (campaign.curves["curve"] == "intermediate")
    ]
    assert inter["step"].tolist() == [0, 2, 4]
    assert math.isnan(inter["value"].iloc[-1])


def test_curves_include_list_valued_user_attrs(any_storage: BuiltStorage) -> None:
    campaign = load_campaign([any_storage.spec])
    main = campaign.studies.set_index("study").loc[fx.MAIN, "study_id"]
    first = campaign.study_trials(main).iloc[0]
    curves = campaign.trial_curves(first["key"])
    assert set(curves["curve"].astype(str)) == {"intermediate", "train_losses", "val_losses"}
    val = curves[curves["curve"] == "val_losses"]
    assert val["step"].tolist() == list(range(len(fx.STEPS)))
    expected = campaign.details.loc[first["key"], "user_attrs"]["val_losses"]
    assert val["value"].tolist() == expected


def test_param_columns_keep_original_types(sqlite_storage: BuiltStorage) -> None:
    campaign = load_campaign([sqlite_storage.spec])
    trials = campaign.trials
    assert str(trials["param_n_layers"].dtype) == "Int64"
    assert trials["param_learning_rate"].dtype == float
    activation = {type(v) for v in trials["param_activation"].dropna()}
    assert activation <= {str, bool, int, float, type(None)}
    assert str(trials["param_use_layernorm"].dtype) == "boolean"


def test_sources_remember_origin_and_same_names_stay_distinct(
    sqlite_storage: BuiltStorage, journal_storage: BuiltStorage
) -> None:
    campaign = load_campaign([sqlite_storage.spec, journal_storage.spec])
    studies = campaign.studies
    assert (studies["study"] == fx.MAIN).sum() == 2
    assert set(studies.loc[studies["study"] == fx.MAIN, "source"]) == {
        sqlite_storage.spec,
        journal_storage.spec,
    }
    assert studies["study_id"].is_unique
    assert campaign.trials["key"].is_unique
    assert len(campaign.trials) == 2 * len(load_campaign([sqlite_storage.spec]).trials)


def test_directory_finds_every_storage_recursively(
    sqlite_storage: BuiltStorage, journal_storage: BuiltStorage, tmp_path: object
) -> None:
    from pathlib import Path

    root = Path(sqlite_storage.spec).parent
    sources = resolve_sources([str(root)])
    kinds = {(s.kind, Path(s.location).name) for s in sources}
    assert (SourceKind.SQLITE, "campaign.db") in kinds
    assert (SourceKind.JOURNAL, "campaign.log") in kinds


def test_sqlite_url_form(sqlite_storage: BuiltStorage) -> None:
    by_path = load_campaign([sqlite_storage.spec])
    by_url = load_campaign([f"sqlite:///{sqlite_storage.spec}"])
    assert by_path.trials.drop(columns=[]).equals(by_url.trials)


@pytest.mark.parametrize("spec", ["sqlite:///:memory:", "mongodb://localhost/0"])
def test_unsupported_specs_are_clear(spec: str) -> None:
    from hpo_tui.core import SourceError

    with pytest.raises(SourceError) as info:
        resolve_sources([spec])
    assert spec.split(":")[0] in str(info.value)


def test_one_trial_detail_equals_the_built_details(sqlite_storage: BuiltStorage) -> None:
    """The trial screen's per-trial detail, taken before and after the details frame is
    built, equals that frame's row (NaN-aware through JSON text)."""
    import json

    campaign = load_campaign([sqlite_storage.spec])
    keys = campaign.trials["key"].tolist()
    before = {k: campaign.trial_detail(k) for k in keys}
    assert campaign._details is None  # not built by the per-trial lookups
    for key in keys:
        built = campaign.details.loc[key]
        assert list(before[key].index) == list(built.index)
        for column in built.index:
            text = json.dumps(built[column], sort_keys=True, default=repr)
            assert json.dumps(before[key][column], sort_keys=True, default=repr) == text
