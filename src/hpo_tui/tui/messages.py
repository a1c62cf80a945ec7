"""Messages posted by workers; only their handlers touch widgets."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from hpo_tui.core.campaign import Campaign
from hpo_tui.core.live import RefreshSummary


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
class ExportDone(Message):
    """The export was written."""

    paths: list[str]
