"""Opening the views of one study (Pareto front, param bands, contour) from any screen that
knows a study: the grid's cursor, a study's table, the slice and importance views, and the
command palette."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hpo_tui.core.display import plural, printable

if TYPE_CHECKING:
    from hpo_tui.tui.context import HpoContext

NO_STUDY = "Put the grid's cursor on a study (or open one) first"


def current_study(app: HpoContext) -> int | None:
    """The study the current screen is about: its ``study_id``, or the grid's cursor."""
    screen = app.screen
    study_id = getattr(screen, "study_id", None)
    if isinstance(study_id, int):
        return study_id
    selected = getattr(screen, "selected_study", None)
    if callable(selected):
        found = selected()
        return found if isinstance(found, int) else None
    return None


def open_pareto(app: HpoContext, study_id: int | None) -> None:
    """The Pareto view of ``study_id``, or a note saying why there is none."""
    if study_id is None or app.campaign is None:
        app.notify(NO_STUDY, timeout=4)
        return
    from hpo_tui.tui.screens.pareto import ParetoScreen, why_no_front

    reason = why_no_front(app.campaign, study_id)
    if reason is not None:
        app.notify(reason, timeout=6)
        return
    app.open_screen(lambda: ParetoScreen(study_id))


def open_bands(app: HpoContext, study_id: int | None) -> None:
    """The param bands of ``study_id``."""
    if study_id is None or app.campaign is None:
        app.notify(NO_STUDY, timeout=4)
        return
    from hpo_tui.tui.screens.bands import BandsScreen

    app.open_screen(lambda: BandsScreen(study_id))


def open_contour(
    app: HpoContext, study_id: int | None, x: str | None = None, params: list[str] | None = None
) -> None:
    """The contour of ``study_id``: ``x`` against the next of ``params`` (most important
    first when the caller knows; else the study's params by name)."""
    if study_id is None or app.campaign is None:
        app.notify(NO_STUDY, timeout=4)
        return
    from hpo_tui.core.analysis.bands import study_param_infos
    from hpo_tui.tui.screens.contour import ContourScreen

    own = list(study_param_infos(app.campaign, study_id))
    order = [p for p in (params or []) if p in own] + [p for p in own if p not in (params or [])]
    if len(order) < 2:
        name = app.campaign.studies.set_index("study_id").loc[study_id, "study"]
        app.notify(
            f"{printable(str(name))} has {plural(len(order), 'param')}: a contour needs two",
            timeout=6,
        )
        return
    first = x if x in order else order[0]
    app.open_screen(lambda: ContourScreen(study_id, first, order))
