"""Compare a loaded campaign with what an Optuna API reported, field by field."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    IntDistribution,
    json_to_distribution,
)

from hpo_tui.core.model.campaign import Campaign


@dataclass
class ExpectedTrial:
    """A trial as some Optuna version's public API reported it."""

    number: int
    state: str
    values: list[float] | None
    params: dict[str, Any]
    distributions: dict[str, Any]  # name -> normalised distribution
    user_attrs: dict[str, Any]
    system_attrs: dict[str, Any]
    intermediate_values: dict[int, float]
    datetime_start: datetime | None
    datetime_complete: datetime | None


def normalise_distribution(dist: BaseDistribution | str) -> tuple[Any, ...]:
    """Compare distributions across Optuna versions (old class names included)."""
    if isinstance(dist, str):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dist = json_to_distribution(dist)
    if isinstance(dist, CategoricalDistribution):
        return ("categorical", tuple(dist.choices))
    kind = "int" if isinstance(dist, IntDistribution) else "float"
    return (kind, dist.low, dist.high, dist.log, dist.step)  # type: ignore[attr-defined]


def from_frozen(trial: Any) -> ExpectedTrial:
    return ExpectedTrial(
        number=trial.number,
        state=trial.state.name,
        values=None if trial.values is None else list(trial.values),
        params=dict(trial.params),
        distributions={k: normalise_distribution(d) for k, d in trial.distributions.items()},
        user_attrs=dict(trial.user_attrs),
        system_attrs=dict(trial.system_attrs),
        intermediate_values=dict(trial.intermediate_values),
        datetime_start=trial.datetime_start,
        datetime_complete=trial.datetime_complete,
    )


def from_json(trial: dict[str, Any]) -> ExpectedTrial:
    def dt(text: str | None) -> datetime | None:
        return None if text is None else datetime.fromisoformat(text)

    return ExpectedTrial(
        number=trial["number"],
        state=trial["state"],
        values=trial["values"],
        params=trial["params"],
        distributions={k: normalise_distribution(d) for k, d in trial["distributions"].items()},
        user_attrs=trial["user_attrs"],
        system_attrs=trial["system_attrs"],
        intermediate_values={int(k): float(v) for k, v in trial["intermediate_values"].items()},
        datetime_start=dt(trial["datetime_start"]),
        datetime_complete=dt(trial["datetime_complete"]),
    )


def _same_float(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def _as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:  # RDB storages (and Optuna < 5 journals) report naive local time
        value = value.astimezone()
    return value.astimezone(UTC)


def typed_equal(a: Any, b: Any) -> bool:
    """Equal and of the same type, recursively (True is not 1, 1 is not 1.0); NaN == NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return _same_float(a, b)
    if isinstance(a, list):
        return len(a) == len(b) and all(typed_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(typed_equal(a[k], b[k]) for k in a)
    return bool(a == b)


def assert_matches(
    campaign: Campaign, expected: dict[str, dict[str, Any]], *, system_attrs: bool = True
) -> int:
    """Assert every study and trial equals ``expected`` (study name → directions, user_attrs,
    trials as :class:`ExpectedTrial`); returns the number of trials checked."""
    assert sorted(campaign.studies["study"]) == sorted(expected)
    checked = 0
    for study_row in campaign.studies.itertuples(index=False):
        reference = expected[study_row.study]
        assert list(study_row.directions) == reference["directions"], study_row.study
        assert typed_equal(dict(study_row.user_attrs), reference["user_attrs"])
        trials = campaign.study_trials(study_row.study_id).set_index("number")
        want_trials: list[ExpectedTrial] = reference["trials"]
        assert sorted(trials.index) == sorted(t.number for t in want_trials)
        multi = len(reference["directions"]) > 1
        for trial in want_trials:
            row = trials.loc[trial.number]
            where = f"{study_row.study} #{trial.number}"
            assert row["state"] == trial.state, where
            if trial.values is None:
                columns = (
                    [c for c in trials.columns if c.startswith("values_")] if multi else ["value"]
                )
                assert all(pd.isna(row[c]) for c in columns), where
            elif multi:
                got = [float(row[f"values_{i}"]) for i in range(len(trial.values))]
                assert all(_same_float(g, v) for g, v in zip(got, trial.values, strict=True))
            else:
                assert _same_float(float(row["value"]), trial.values[0]), where
            detail = campaign.details.loc[row["key"]]
            assert typed_equal(detail["params"], trial.params), where
            got_dists = {k: normalise_distribution(v) for k, v in detail["distributions"].items()}
            assert got_dists == trial.distributions, where
            assert typed_equal(detail["user_attrs"], trial.user_attrs), where
            if system_attrs:
                assert typed_equal(detail["system_attrs"], trial.system_attrs), where
            for name, value in trial.params.items():
                cell = row[f"param_{name}"]
                assert typed_equal(_plain(cell), value), (where, name, cell, value)
            curve = campaign.trial_curves(row["key"])
            inter = curve[curve["curve"] == "intermediate"]
            got_curve = dict(zip(inter["step"].tolist(), inter["value"].tolist(), strict=True))
            assert got_curve.keys() == trial.intermediate_values.keys(), where
            assert all(
                _same_float(got_curve[s], v) for s, v in trial.intermediate_values.items()
            ), where
            for column, reference_dt in (
                ("datetime_start", trial.datetime_start),
                ("datetime_complete", trial.datetime_complete),
            ):
                want = _as_utc(reference_dt)
                if want is None:
                    assert pd.isna(row[column]), where
                else:
                    assert row[column].to_pydatetime() == want, (where, column)
            checked += 1
    return checked


def _plain(cell: Any) -> Any:
    """A frame cell as the Python value it stands for (numpy/pandas scalars unwrapped)."""
    if cell is None or cell is pd.NA:
        return None
    if hasattr(cell, "item"):
        return cell.item()
    return cell


def _canonical_details(details: pd.DataFrame) -> pd.DataFrame:
    """Details as JSON text: NaN equals NaN (two NaN float objects compare unequal)."""
    import json

    return details.map(lambda cell: json.dumps(cell, sort_keys=True, default=repr))


def assert_same_campaign(a: Campaign, b: Campaign) -> None:
    """Two loads of one storage (through different readers) give identical frames, bit for
    bit, and the same per-trial details."""
    for name in ("studies", "trials", "curves"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    pd.testing.assert_frame_equal(_canonical_details(a.details), _canonical_details(b.details))


def assert_same_frames(a: Campaign, b: Campaign, *, system_attrs: bool = False) -> None:
    """A refreshed campaign equals a fresh load: the same frames (the studies' attrs compared
    as lists; system attrs only with ``system_attrs``) and the same details."""
    pd.testing.assert_frame_equal(a.trials, b.trials)
    pd.testing.assert_frame_equal(a.curves, b.curves)
    pd.testing.assert_frame_equal(
        a.studies.drop(columns=["user_attrs", "system_attrs"]),
        b.studies.drop(columns=["user_attrs", "system_attrs"]),
    )
    assert a.studies["user_attrs"].tolist() == b.studies["user_attrs"].tolist()
    if system_attrs:
        assert a.studies["system_attrs"].tolist() == b.studies["system_attrs"].tolist()
    pd.testing.assert_frame_equal(a.details, b.details)
