"""Command palette (ctrl+p): jump to a study or a trial, export, panels."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from hpo_tui.core.formats import plural, printable

if TYPE_CHECKING:
    from hpo_tui.tui.app import HpoApp


class CampaignCommands(Provider):
    """Studies, trials and the app's own commands."""

    @property
    def hpo(self) -> HpoApp:
        from hpo_tui.tui.app import HpoApp

        assert isinstance(self.app, HpoApp)
        return self.app

    def _commands(self) -> list[tuple[str, object, str]]:
        app = self.hpo
        commands: list[tuple[str, object, str]] = [
            ("Export the campaign", app.action_export, "write outputs/analysis/"),
            ("Diverged trials", app.open_diverged, "every diverged trial"),
            ("Search space", app.open_space, "the stored distributions, merged or per study"),
            ("All trials", partial(app.open_study, None), "one table of every study"),
            ("Reload", app.action_reload, "read the storages again"),
        ]
        campaign = app.campaign
        if campaign is not None:
            for row in campaign.studies.itertuples(index=False):
                name = printable(str(row.study))
                commands.append(
                    (
                        f"Study {name}",
                        partial(app.open_study, int(row.study_id)),
                        plural(int(row.n_trials), "trial"),
                    )
                )
            if len(campaign.trials) <= 20_000:
                for row in campaign.trials[["key", "study", "number", "study_id"]].itertuples(
                    index=False
                ):
                    name = printable(str(row.study))
                    keys = campaign.study_trials(int(row.study_id))["key"].tolist()
                    commands.append(
                        (
                            f"Trial {name} #{row.number}",
                            partial(app.open_trial, int(row.key), keys),
                            "open the trial",
                        )
                    )
        return commands

    async def discover(self) -> Hits:
        for text, callback, help_text in self._commands()[:4]:
            yield DiscoveryHit(text, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, callback, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                # escape: the highlighter parses markup, and study names are untrusted
                yield Hit(score, matcher.highlight(escape(text)), callback, help=help_text)  # type: ignore[arg-type]
