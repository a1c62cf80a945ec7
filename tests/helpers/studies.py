"""Studies of a loaded campaign looked up the way a test names them: by study name."""

from __future__ import annotations

from hpo_tui.core.model.campaign import Campaign


def study_id_of(campaign: Campaign, name: str) -> int:
    """The ``study_id`` of the study called ``name`` (the name must be unique in ``campaign``)."""
    return int(campaign.studies.set_index("study")["study_id"][name])
