"""Messages posted by workers; only their handlers touch widgets."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from textual.message import Message

from hpo_tui.core.analysis.effects import Effects
from hpo_tui.core.analysis.grid_scope import ScopedStudies
from hpo_tui.core.analysis.history import HistoryOrder
from hpo_tui.core.analysis.timeline import Timeline
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.model.live import RefreshSummary


@dataclass
class LoadProgress(Message):
    """A source was read (``done`` of ``total``)."""

    text: str
    done: int
    total: int


@dataclass
class CampaignLoaded(Message):
    """The campaign is loaded, or refreshed (then ``summary`` says what changed)."""

    campaign: Campaign
    summary: RefreshSummary | None = None


@dataclass
class ExportProgress(Message):
    """The export is writing ``name`` (``done`` of ``total`` files written so far)."""

    name: str
    done: int
    total: int


@dataclass
class ExportDone(Message):
    """The export was written."""

    paths: list[str]


@dataclass
class DynamicsReady(Message):
    """The training dynamics of one study, computed in a worker (``screens/dynamics.py``)."""

    study_id: int
    stats: pd.Series  # the study's row of study_dynamics
    trials: pd.DataFrame  # trial_dynamics of the study's trials
    top: pd.DataFrame  # top_k_curves
    params: list[str]  # groupable params
    param: str | None  # the param grouped by, None for the top-k overlay
    grouped: pd.DataFrame | None  # grouped_curves by ``param``


@dataclass
class EffectsReady(Message):
    """Effects along one axis and the best trials' curves (``screens/effects.py``)."""

    effects: Effects
    curves: pd.DataFrame


@dataclass
class HistoryReady(Message):
    """Optimization histories of a scope's studies (``screens/history.py``)."""

    scope: ScopedStudies
    by: HistoryOrder
    history: pd.DataFrame  # optimization_history of the scope's single-objective studies
    multi: list[int]  # the scope's multi-objective studies (left out)


@dataclass
class EdfReady(Message):
    """EDFs of a scope's studies (``screens/edf.py``)."""

    scope: ScopedStudies
    edf: pd.DataFrame  # the exact EDF of the scope's single-objective studies
    quantiles: pd.DataFrame  # value_quantiles of the same studies
    multi: list[int]


@dataclass
class TimelineReady(Message):
    """The timeline of one study (``screens/timeline.py``)."""

    study_id: int
    timeline: Timeline
