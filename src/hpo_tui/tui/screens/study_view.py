"""Bases of the screens about one study: what they share on a refresh; for the views drawn at
once, the refresh itself and (for those of one objective) ``o``; for the views that overlay
the studies of its grid row or column, how the scope cycles and is named."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from hpo_tui.core.analysis.grid_scope import SCOPES, Scope, ScopedStudies, available_scopes
from hpo_tui.tui.screens.base import HpoScreen

if TYPE_CHECKING:
    from hpo_tui.core.model.live import RefreshSummary

SCOPE_WORDS = {"study": "this study", "row": "its grid row", "column": "its grid column"}


class StudyViewScreen(HpoScreen):
    """A screen about the study ``study_id``: the palette's per-study views open at it, and a
    refresh that still holds the study shows it again (:meth:`show_study`)."""

    def __init__(self, study_id: int) -> None:
        super().__init__()
        self.study_id = study_id

    def study_in_view(self) -> int | None:
        return self.study_id

    def campaign_changed(self, summary: RefreshSummary | None) -> None:
        """A refresh: show the study again, unless it is gone from the campaign."""
        campaign = self.hpo.campaign
        if campaign is not None and self.study_id in set(campaign.studies["study_id"]):
            self.show_study()

    def show_study(self) -> None:
        """Compute or fill the screen again from the app's campaign."""
        raise NotImplementedError


class FilledViewScreen(StudyViewScreen):
    """A view drawn at once from the app's campaign by :meth:`fill` (cheap enough for the UI
    thread): a refresh that still holds the study fills it again, new trials joining it."""

    def show_study(self) -> None:
        self.fill()

    def fill(self) -> None:
        """Draw the view from the app's campaign."""
        raise NotImplementedError


class ObjectiveViewScreen(FilledViewScreen):
    """A view of one objective of the study (:attr:`objective`, from 0); ``o`` moves to the
    next one, and is offered only for a study with several."""

    def __init__(self, study_id: int) -> None:
        super().__init__(study_id)
        self.objective = 0

    def n_objectives(self) -> int:
        """How many objectives the study has (0 before the campaign is loaded)."""
        campaign = self.hpo.campaign
        if campaign is None:
            return 0
        return int(campaign.studies.set_index("study_id").at[self.study_id, "n_objectives"])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.n_objectives() > 1 if action == "objective" else True

    def action_objective(self) -> None:
        self.objective = (self.objective + 1) % self.n_objectives()
        self.fill()


class ScopedViewScreen(StudyViewScreen):
    """A view of the study or, ``x``, of the studies of its grid row or column overlaid
    (:mod:`hpo_tui.core.analysis.grid_scope`); ``x`` cycles in :attr:`SCOPE_ORDER`."""

    SCOPE_ORDER: ClassVar[tuple[Scope, ...]] = SCOPES

    def __init__(self, study_id: int, scope: Scope) -> None:
        super().__init__(study_id)
        self.scope: Scope = scope

    def scope_names(self, scope: ScopedStudies) -> dict[int, str]:
        """The study name of each study of ``scope``, by study id."""
        campaign = self.hpo.campaign
        assert campaign is not None
        studies = campaign.studies.set_index("study_id")
        return {int(s): str(studies.at[s, "study"]) for s in scope.study_ids}

    def scope_note(self, scope: Scope) -> str:
        """``   (its grid row; x: study/row/column)`` for the title; empty off the grid."""
        campaign = self.hpo.campaign
        assert campaign is not None
        scopes = available_scopes(campaign, self.study_id)
        if len(scopes) < 2:
            return ""
        return f"   ({SCOPE_WORDS[scope]}; x: {'/'.join(scopes)})"

    def action_next_scope(self) -> None:
        campaign = self.hpo.campaign
        assert campaign is not None
        scopes = available_scopes(campaign, self.study_id)
        if len(scopes) < 2:
            self.notify("This study is not on the grid: no row or column to overlay", timeout=4)
            return
        order = [s for s in self.SCOPE_ORDER if s in scopes]
        position = order.index(self.scope) if self.scope in order else 0
        self.scope = order[(position + 1) % len(order)]
        self.show_study()
