"""Command palette (ctrl+p): jump to a study or a trial, export, panels.

Every keystroke starts a new search on the event loop, so a search must stay small whatever
the campaign's size: the app's commands and the studies are fuzzy-matched (a handful to a
few thousand names), while trials are found by their number — a query holding a number
(``42`` or ``#42``) looks that number up with one vectorised comparison and fuzzy-matches
the rest of the query against the studies holding it. Nothing is prepared per trial, so the
palette is as quick at 100k trials as at 600.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from hpo_tui.core.display import plural, printable
from hpo_tui.tui.context import HpoContext

if TYPE_CHECKING:
    from hpo_tui.core.model.campaign import Campaign

TRIAL_NUMBER = re.compile(r"#?(\d+)")
MAX_TRIAL_HITS = 100
"""Trials listed for one number; past that, one line says how many more there are."""


def split_query(query: str) -> tuple[int | None, str]:
    """The trial number a query asks for (its last number token, ``#`` optional) and the
    rest of the query; ``(None, query)`` when it holds no number."""
    words = query.split()
    for index in range(len(words) - 1, -1, -1):
        found = TRIAL_NUMBER.fullmatch(words[index])
        if found:
            return int(found.group(1)), " ".join(words[:index] + words[index + 1 :])
    return None, query


def _highlight(matcher: Matcher, text: str) -> Content:
    """``text`` as plain content (never markup: study names are untrusted), the characters
    the fuzzy match used in the match style."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if score:
        for offset in offsets:
            if not text[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class CampaignCommands(Provider):
    """Studies, trials and the app's own commands."""

    @property
    def hpo(self) -> HpoContext:
        """The app, as its screens know it."""
        app = self.app
        assert isinstance(app, HpoContext)
        return app

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        """The app's commands, then one per study."""
        from hpo_tui.tui.views import current_study, open_bands, open_contour, open_pareto

        app = self.hpo
        commands: list[tuple[str, Callable[[], object], str]] = [
            ("Export the campaign", app.action_export, "write outputs/analysis/"),
            ("Diverged trials", app.open_diverged, "every diverged trial"),
            ("Search space", app.open_space, "the stored distributions, merged or per study"),
            ("All trials", partial(app.open_study, None), "one table of every study"),
            ("Pruner audit", app.open_pruning, "pruned trials' ranks, possible false prunes"),
            (
                "Cross-budget transfer",
                app.open_transfer,
                "rank correlations between grid cells; would one cell pick another's winner",
            ),
            (
                "History",
                partial(app.open_view_here, "history"),
                "objective per trial and the best so far, of the study at hand",
            ),
            (
                "EDF",
                partial(app.open_view_here, "edf"),
                "distribution of objective values: the study's grid column overlaid",
            ),
            (
                "Timeline",
                partial(app.open_view_here, "timeline"),
                "when the study's trials ran: idle gaps, stalled trials",
            ),
            ("Reload", app.action_reload, "read the storages again"),
            (
                "Pareto front",
                lambda: open_pareto(app, current_study(app)),
                "of the current study (the grid's cursor): two objectives, the front marked",
            ),
            (
                "Param bands",
                lambda: open_bands(app, current_study(app)),
                "of the current study: each param in the top 10 % against all trials",
            ),
            (
                "Contour",
                lambda: open_contour(app, current_study(app)),
                "of the current study: the best value per cell of two params",
            ),
        ]
        campaign = app.campaign
        if campaign is not None:
            from hpo_tui.core.analysis.grid import sweeps

            names = sweeps(campaign)
            if len(names) > 1:
                for name in names:
                    count = int((campaign.studies["sweep"] == name).sum())
                    commands.append(
                        (
                            f"Sweep {printable(name)}",
                            partial(app.show_sweep, name),
                            f"the grid of this sweep ({plural(count, 'study')})",
                        )
                    )
            for row in campaign.studies.itertuples(index=False):
                commands.append(
                    (
                        f"Study {printable(str(row.study))}",
                        partial(app.open_study, int(row.study_id)),
                        plural(int(row.n_trials), "trial"),
                    )
                )
        return commands

    def _open_trial(self, key: int, study_id: int) -> None:
        """Open a trial; next/previous walk its study by number (the order computed only
        now, for the one trial chosen)."""
        campaign = self.hpo.campaign
        if campaign is not None:
            order = campaign.study_trials(study_id).sort_values("number")["key"].tolist()
            self.hpo.open_trial(key, order)

    def _trial_hits(self, campaign: Campaign, number: int, rest: str) -> Iterator[Hit]:
        """The trials numbered ``number`` whose study fuzzy-matches ``rest`` (all when empty)."""
        trials = campaign.trials
        rows = np.flatnonzero(trials["number"].to_numpy() == number)
        if not len(rows):
            return
        found = trials.iloc[rows][["key", "study_id", "study"]]
        matcher = self.matcher(rest) if rest else None
        scored: list[tuple[float, str, int, int]] = []
        for row in found.itertuples(index=False):
            name = printable(str(row.study))
            score = matcher.match(name) if matcher is not None else 1.0
            if score > 0:
                scored.append((score, name, int(row.key), int(row.study_id)))
        scored.sort(key=lambda item: -item[0])
        display = self.matcher(f"{rest} #{number}".strip())
        for score, name, key, study_id in scored[:MAX_TRIAL_HITS]:
            text = f"Trial {name} #{number}"
            yield Hit(
                # above any study or command hit the rest of the query matches equally well
                score + 1.0,
                _highlight(display, text),
                partial(self._open_trial, key, study_id),
                text=text,
                help="open the trial",
            )
        if len(scored) > MAX_TRIAL_HITS:
            more = len(scored) - MAX_TRIAL_HITS
            text = f"… {plural(more, 'more trial')} #{number}"
            yield Hit(
                0.0,
                Content(text),
                partial(self.hpo.notify, "Type part of a study name to narrow the trials."),
                text=text,
                help="type part of a study name to narrow them",
            )

    async def discover(self) -> Hits:
        for text, callback, help_text in self._commands()[:4]:
            yield DiscoveryHit(text, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, callback, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, _highlight(matcher, text), callback, text=text, help=help_text)
        number, rest = split_query(query)
        campaign = self.hpo.campaign
        if number is not None and campaign is not None:
            for hit in self._trial_hits(campaign, number, rest):
                yield hit
