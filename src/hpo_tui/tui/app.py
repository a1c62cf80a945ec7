"""The hpo-tui application: loads the campaign in a worker, hosts the screens."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from hpo_tui.core.campaign import Campaign, load_campaign
from hpo_tui.core.config import Config
from hpo_tui.core.errors import HpoTuiError
from hpo_tui.core.export import write_export
from hpo_tui.core.formats import printable
from hpo_tui.tui.commands import CampaignCommands
from hpo_tui.tui.messages import CampaignLoaded, ExportDone, LoadProgress
from hpo_tui.tui.screens.grid import GridScreen


class HpoApp(App[None]):
    """Grid → study → trial; diverged panel; export."""

    TITLE = "hpo-tui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {CampaignCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("e", "export", "Export", id="app.export"),
        Binding("r", "reload", "Reload", id="app.reload"),
    ]

    def __init__(
        self, specs: Sequence[str], config: Config | None = None, *, show_clock: bool = True
    ) -> None:
        super().__init__()
        self.show_clock = show_clock  # off for snapshot tests, which need a stable screen
        self.specs = list(specs)
        self.config = config or Config()
        self.campaign: Campaign | None = None
        self.export_dir = "outputs/analysis"

    def on_mount(self) -> None:
        self.push_screen(GridScreen())
        self.load()

    # ----------------------------------------------------------------- loading
    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def load(self) -> Campaign:
        """Read every source in a thread; the result arrives as :class:`CampaignLoaded`."""

        def progress(text: str, done: int, total: int) -> None:
            self.post_message(LoadProgress(text, done, total))

        campaign = load_campaign(self.specs, self.config, progress=progress)
        self.post_message(CampaignLoaded(campaign))
        return campaign

    def on_load_progress(self, message: LoadProgress) -> None:
        self.sub_title = f"loading {message.done}/{message.total}: {printable(message.text)}"

    def on_campaign_loaded(self, message: CampaignLoaded) -> None:
        self.campaign = message.campaign
        self.sub_title = f"{len(message.campaign.studies)} studies"
        if self.show_clock:
            stamp = message.campaign.loaded_at.astimezone().strftime("%H:%M:%S")
            self.sub_title += f" · loaded {stamp}"
        for warning in message.campaign.warnings:
            self.notify(printable(warning), severity="warning", timeout=10)
        for screen in self.screen_stack:
            if isinstance(screen, GridScreen):
                screen.refresh_grid()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One place for worker errors: a notification, never a crash."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        message = (
            str(error) if isinstance(error, HpoTuiError) else f"{type(error).__name__}: {error}"
        )
        self.notify(printable(message), title="Error", severity="error", timeout=15)
        if event.worker.group == "load":
            self.sub_title = "load failed"

    # ----------------------------------------------------------------- navigation
    def _has_campaign(self) -> bool:
        if self.campaign is None:
            self.notify("Still loading…", timeout=3)
            return False
        return True

    def open_study(self, study_id: int | None) -> None:
        """The trial table of one study, or of all studies (``None``)."""
        if self._has_campaign():
            from hpo_tui.tui.screens.study import StudyScreen

            self.push_screen(StudyScreen(study_id))

    def open_trial(self, key: int, order: list[int]) -> None:
        """The trial detail; ``order`` is what next/previous walk."""
        if self._has_campaign():
            from hpo_tui.tui.screens.trial import TrialScreen

            self.push_screen(TrialScreen(key, order))

    def open_compare(self, keys: list[int]) -> None:
        """Overlay the curves of several trials."""
        if self._has_campaign():
            from hpo_tui.tui.screens.compare import CompareScreen

            self.push_screen(CompareScreen(keys))

    def open_diverged(self) -> None:
        """The diverged-trials panel."""
        if self._has_campaign():
            from hpo_tui.tui.screens.diverged import DivergedScreen

            self.push_screen(DivergedScreen())

    # ----------------------------------------------------------------- actions
    def action_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_reload(self) -> None:
        self.load()

    def action_export(self) -> None:
        if not self._has_campaign():
            return
        from hpo_tui.tui.screens.export import ExportModal

        def chosen(folder: str | None) -> None:
            if folder:
                self.export_dir = folder
                self.export(folder)

        self.push_screen(ExportModal(self.export_dir), chosen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def export(self, folder: str) -> None:
        """Write the export set with the same core function as ``hpo-tui export``."""
        assert self.campaign is not None
        paths = write_export(self.campaign, Path(folder))
        self.post_message(ExportDone([str(p) for p in paths]))

    def on_export_done(self, message: ExportDone) -> None:
        names = "\n".join(printable(p) for p in message.paths)
        self.notify(names, title="Exported", timeout=10)


def run_app(specs: Sequence[str], config: Config) -> int:
    """Run the TUI (the CLI's default command)."""
    HpoApp(specs, config).run()
    return 0
