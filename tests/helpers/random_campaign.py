"""Small random campaigns for property tests, written with real Optuna objects.

Each study is an in-memory Optuna study filled with ``study.add_trial(create_trial(...))``;
Optuna's own ``FrozenTrial`` objects then go through the same raw tables a storage reader
builds (``raw_from_frozen``) into a :class:`Campaign`. Values come from small pools, so ties
are common: equal final values, equal values at a step, the same config in several trials
and studies. The pools hold ±inf and NaN where Optuna accepts them (intermediate values; not
objective values), ``-0.0`` beside ``0.0``, and a categorical param whose choices mix
``None``, a string, an int and a float. Params are drawn per trial, so some trials lack
some params; most trials take one of a few configs drawn for the whole campaign, so the same
config recurs within and across studies. Steps are dense (0, 1, 2, ...) or sparse (far
apart: 0, 7, 10**9, ...); a trial reports a prefix of them or any subset.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import optuna
from hypothesis import strategies as st
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.trial import FrozenTrial, TrialState, create_trial

from hpo_tui.core.config import Config
from hpo_tui.core.model.campaign import Campaign, build_campaign
from hpo_tui.core.storage.raw import raw_from_frozen
from hpo_tui.core.storage.sources import Source, SourceKind

CELLS = [(b, h) for b in ("2M", "20M", "2B") for h in ("h1", "h3")]
# Pools to draw from; repeats weigh (±inf best values are rare: they leave no best trial).
DIRECTIONS = (("minimize",), ("maximize",)) * 2 + (("minimize", "maximize"),)
FINAL_VALUES = (0.0, -0.0, 0.5, 1.0, 2.0) * 4 + (math.inf, -math.inf)
STEP_VALUES = (0.0, 0.5, 1.0, 1.0, 2.0, math.nan, math.inf, -math.inf)
DENSE_STEPS = (0, 1, 2, 3)
SPARSE_STEPS = (0, 7, 1000, 10**9, 2**40 + 3)
DISTRIBUTIONS: dict[str, BaseDistribution] = {
    "x": FloatDistribution(0.0, 1.0),
    "lr": FloatDistribution(1e-4, 1.0, log=True),
    "z": IntDistribution(1, 3),
    "c": CategoricalDistribution(("a", None, 1, 2.5)),
}
VALUES: dict[str, tuple[Any, ...]] = {
    "x": (0.0, 0.25, 0.5, 1.0),
    "lr": (1e-4, 1e-2, 1.0),
    "z": (1, 2, 3),
    "c": ("a", None, 1, 2.5),
}
# States: mixed, or mostly COMPLETE (enough for the importance evaluators: 20 completed).
MIXED = (
    (TrialState.COMPLETE,) * 3 + (TrialState.PRUNED,) * 3 + (TrialState.FAIL, TrialState.RUNNING)
)
MOSTLY_COMPLETE = (TrialState.COMPLETE,) * 9 + (TrialState.PRUNED,)
STUDY_SIZES = (0, 3, 8, 14, 24)


@dataclass
class RandomCampaign:
    """The campaign, and Optuna's own trials of each study (by study name)."""

    campaign: Campaign
    trials: dict[str, list[FrozenTrial]]
    directions: dict[str, tuple[str, ...]]


@st.composite
def _config(draw: st.DrawFn) -> dict[str, Any]:
    """Each param with probability 3/4 (a value from its pool)."""
    names = [n for n in sorted(DISTRIBUTIONS) if draw(st.sampled_from((True, True, True, False)))]
    return {name: draw(st.sampled_from(VALUES[name])) for name in names}


@st.composite
def _trial(
    draw: st.DrawFn,
    n_objectives: int,
    steps: tuple[int, ...],
    states: tuple[TrialState, ...],
    configs: list[dict[str, Any]],
) -> FrozenTrial:
    state = draw(st.sampled_from(states))
    # Mostly a config of the campaign's few (configs repeat within and across studies).
    params = draw(st.one_of(st.sampled_from(configs), st.sampled_from(configs), _config()))
    if draw(st.booleans()):  # a prefix of the steps: the usual curve
        reported = list(steps[: draw(st.integers(0, len(steps)))])
    else:
        reported = draw(st.lists(st.sampled_from(steps), unique=True, max_size=len(steps)))
    intermediate = {step: draw(st.sampled_from(STEP_VALUES)) for step in reported}
    values = None
    if state is TrialState.COMPLETE:
        values = [draw(st.sampled_from(FINAL_VALUES)) for _ in range(n_objectives)]
    return create_trial(
        state=state,
        values=values,
        params=params,
        distributions={name: DISTRIBUTIONS[name] for name in params},
        intermediate_values=intermediate,
    )


@st.composite
def random_campaigns(draw: st.DrawFn) -> RandomCampaign:
    """A campaign of 1-6 studies on the budget × horizon grid of sweep ``r``."""
    cells = draw(st.lists(st.sampled_from(CELLS), unique=True, min_size=1, max_size=6))
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = optuna.storages.InMemoryStorage()
    directions: dict[str, tuple[str, ...]] = {}
    configs = draw(st.lists(_config(), min_size=3, max_size=5))
    for budget, horizon in cells:
        name = f"r_{budget}_{horizon}"
        chosen = draw(st.sampled_from(DIRECTIONS))
        directions[name] = chosen
        steps = draw(st.sampled_from([DENSE_STEPS, SPARSE_STEPS]))
        states = draw(st.sampled_from([MIXED, MOSTLY_COMPLETE]))
        trial = _trial(len(chosen), steps, states, configs)
        size = draw(st.sampled_from(STUDY_SIZES))
        study = optuna.create_study(storage=storage, study_name=name, directions=list(chosen))
        for frozen in draw(st.lists(trial, min_size=size, max_size=size)):
            study.add_trial(frozen)
    studies = storage.get_all_studies()
    trials = {s._study_id: storage.get_all_trials(s._study_id, deepcopy=False) for s in studies}
    source = Source(SourceKind.SQLITE, "random.db")
    campaign = build_campaign([(source, raw_from_frozen(studies, trials))], Config())
    return RandomCampaign(
        campaign,
        {s.study_name: trials[s._study_id] for s in studies},
        directions,
    )
