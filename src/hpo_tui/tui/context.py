"""The app as its screens, widgets and command palette know it: :class:`HpoContext`.

``tui/app.py`` imports every screen; a screen importing the app back would close a cycle.
So the screens and the palette see the app through this base class, which ``HpoApp``
implements: the state they read (the campaign, the config, the clock), a signal they
subscribe to, and the moves they ask for (open a study, a trial, a panel). An import-linter
contract in ``pyproject.toml`` forbids them ``hpo_tui.tui.app``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from textual.app import App
from textual.signal import Signal

from hpo_tui.core.analysis.importance import ImportanceCache
from hpo_tui.core.config import Config

if TYPE_CHECKING:
    from textual.screen import Screen

    from hpo_tui.core.model.campaign import Campaign
    from hpo_tui.core.model.live import RefreshSummary


class HpoContext(App[None]):
    """What every screen may use of the app.

    Attributes:
        config: Axes, divergence rules, digits, … of this run.
        campaign: The loaded campaign; ``None`` while the first load runs.
        importance_cache: Parameter importances per study, until its trials change.
        clock: "Now", for the age of running trials (tests set a fixed clock).
        campaign_changed: Published after the first load (with ``None``) and after every
            refresh that changed something (with its :class:`RefreshSummary`), once
            :attr:`campaign` holds the new campaign. A screen subscribes when it is mounted
            (:class:`~hpo_tui.tui.screens.base.HpoScreen` does it for its subclasses); the
            screens under the top one hear it too.
    """

    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config
        self.campaign: Campaign | None = None
        self.importance_cache = ImportanceCache()
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.campaign_changed: Signal[RefreshSummary | None] = Signal(self, "campaign-changed")

    # The moves below are the app's: it knows the screens they open. Each does nothing
    # (with a notification) while the campaign is still loading.
    def open_study(self, study_id: int | None) -> None:
        """The trial table of one study, or of all studies (``None``)."""
        raise NotImplementedError

    def open_trial(self, key: int, order: list[int]) -> None:
        """The trial detail; ``order`` is what next/previous walk."""
        raise NotImplementedError

    def open_compare(self, keys: list[int]) -> None:
        """Overlay the curves of several trials."""
        raise NotImplementedError

    def open_importance(self) -> None:
        """Parameter importance: params × studies."""
        raise NotImplementedError

    def open_slice(self, study_id: int, param: str, params: list[str]) -> None:
        """Param vs objective of one study; ``params`` is what next/previous walk."""
        raise NotImplementedError

    def open_diverged(self) -> None:
        """The diverged-trials panel."""
        raise NotImplementedError

    def open_space(self) -> None:
        """The search space from the stored distributions."""
        raise NotImplementedError

    def open_dynamics(self, study_id: int) -> None:
        """The training dynamics of one study."""
        raise NotImplementedError

    def open_effects(self, along: str, at: dict[str, str], sweep: str | None = None) -> None:
        """Effects along one grid axis of a sweep; ``at`` holds the cursor's value on each
        axis."""
        raise NotImplementedError

    def open_screen(self, make: Callable[[], Screen[None]]) -> None:
        """Push the screen ``make`` builds (the views of one study: Pareto front, bands,
        contour), once the campaign is loaded."""
        raise NotImplementedError

    def open_view(self, view: str, study_id: int | None) -> None:
        """``history``, ``edf`` or ``timeline`` of a study."""
        raise NotImplementedError

    def open_view_here(self, view: str) -> None:
        """The palette's History / EDF / Timeline: of the study the current screen shows."""
        raise NotImplementedError

    def open_pruning(self, study_id: int | None = None) -> None:
        """The pruner audit, the cursor on ``study_id``'s row."""
        raise NotImplementedError

    def open_transfer(self) -> None:
        """Cross-budget transfer: every pair of grid cells in one row or column."""
        raise NotImplementedError

    def show_sweep(self, name: str) -> None:
        """Back to the grid, showing sweep ``name``."""
        raise NotImplementedError

    def action_export(self) -> None:
        """Ask for a folder, then write the export set there."""
        raise NotImplementedError

    def action_reload(self) -> None:
        """Read what changed in the storages now."""
        raise NotImplementedError
