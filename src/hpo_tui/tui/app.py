"""The hpo-tui application: loads the campaign in a worker, hosts the screens."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from hpo_tui.core.config import Config
from hpo_tui.core.display import plural, printable
from hpo_tui.core.errors import HpoTuiError
from hpo_tui.core.export.writer import write_export
from hpo_tui.core.model.campaign import Campaign
from hpo_tui.core.model.live import UNFINISHED, LiveCampaign, RefreshSummary
from hpo_tui.core.model.watch import DEFAULT_WATCH, WatchPolicy
from hpo_tui.tui.commands import CampaignCommands
from hpo_tui.tui.context import HpoContext
from hpo_tui.tui.heap import settle_heap
from hpo_tui.tui.messages import CampaignLoaded, ExportDone, ExportProgress, LoadProgress
from hpo_tui.tui.screens.base import HpoScreen
from hpo_tui.tui.screens.grid import GridScreen


class HpoApp(HpoContext):
    """Grid → study → trial; diverged panel; export.

    The screens know it as an :class:`HpoContext`: the campaign, the config, the
    ``campaign_changed`` signal and the navigation below.
    """

    TITLE = "hpo-tui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {CampaignCommands}
    BINDINGS = [
        # q quits from the grid only; on every other screen it is back, like esc. Two
        # bindings of one key: check_action keeps the one that applies (so the footer and
        # the help say the right word); a modal screen gets neither.
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("q", "screen_back", "Back", id="app.back", tooltip="Like esc"),
        Binding("question_mark", "help", "Help", id="app.help", tooltip="The keys of this screen"),
        Binding(
            "e",
            "export",
            "Export",
            id="app.export",
            tooltip="Write the export set (outputs/analysis/ by default)",
        ),
        Binding(
            "r",
            "reload",
            "Refresh",
            id="app.reload",
            tooltip="Read what changed in the storages now",
        ),
    ]

    def __init__(
        self,
        specs: Sequence[str],
        config: Config | None = None,
        *,
        show_clock: bool = True,
        watch_seconds: float | WatchPolicy | None = DEFAULT_WATCH,
    ) -> None:
        """The app; nothing is read before it runs.

        Args:
            specs: The sources to open.
            config: Axes, divergence rules, ….
            show_clock: Show the time-dependent part of the sub-title (the clock and the
                watch state); off for snapshot tests, which need a stable screen.
            watch_seconds: A number: check the storages every that many seconds, always. A
                :class:`WatchPolicy` (default: 5 s, backing off to 60 s while nothing
                changes). ``None``: never check by itself (``r`` still refreshes).
        """
        super().__init__(config or Config())
        self.show_clock = show_clock
        self.watch_policy = (
            WatchPolicy.every(watch_seconds)
            if isinstance(watch_seconds, int | float)
            else watch_seconds
        )
        # seconds from one check to the next: the policy's period, or longer while idle
        self.watch_wait = self.watch_policy.period if self.watch_policy else 0.0
        self._watch_timer: Timer | None = None
        self.checks_done = 0  # loads and refreshes that reported, failed ones included
        self.live: LiveCampaign | None = None
        self.specs = list(specs)
        self.export_dir = "outputs/analysis"

    def on_mount(self) -> None:
        self.push_screen(GridScreen())
        self.load()
        self._schedule_check()

    # ----------------------------------------------------------------- loading
    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def load(self) -> Campaign:
        """Read every source in a thread; the result arrives as :class:`CampaignLoaded`."""

        def progress(text: str, done: int, total: int) -> None:
            self.post_message(LoadProgress(text, done, total))

        self.live = LiveCampaign(self.specs, self.config, progress=progress)
        settle_heap(collect=False)  # in the worker: full collections stay short afterwards
        self.post_message(CampaignLoaded(self.live.campaign))
        return self.live.campaign

    @work(thread=True, exclusive=True, exit_on_error=False, group="refresh")
    def refresh_campaign(self) -> None:
        """Read only what can have changed (see ``hpo_tui.core.model.live``)."""
        if self.live is None:
            return
        summary = self.live.refresh()
        if summary.changed:
            settle_heap(collect=True)
        self.post_message(CampaignLoaded(self.live.campaign, summary))

    # ----------------------------------------------------------------- watching
    def _schedule_check(self) -> None:
        """(Re)start the countdown to the next check, ``self.watch_wait`` from now."""
        if self.watch_policy is None:
            return
        if self._watch_timer is not None:
            self._watch_timer.stop()
        self._watch_timer = self.set_timer(self.watch_wait, self._watch_tick, name="watch")

    def _watch_tick(self) -> None:
        # Watching never stops: a sweep can start, resume, or pause between trials (nothing
        # RUNNING) at any moment, and a check that finds nothing is cheap. The next check is
        # planned now, so that a failed or slow refresh cannot end the watch; a refresh that
        # reports replans it (``_after_check``).
        self._schedule_check()
        if self.live is None:
            return  # still loading
        if any(w.group == "refresh" and w.is_running for w in self.workers):
            return
        self.refresh_campaign()

    def _after_check(self, summary: RefreshSummary | None) -> None:
        """Plan the next check after a load (``None``), a refresh, or a failed refresh."""
        self.checks_done += 1
        if self.watch_policy is None:
            return
        campaign = self.campaign
        unfinished = campaign is not None and bool(
            campaign.trials["state"].isin(list(UNFINISHED)).any()
        )
        changed = summary is None or summary.changed
        self.watch_wait = self.watch_policy.next_wait(
            self.watch_wait, changed=changed, unfinished=unfinished
        )
        self._schedule_check()

    def _watch_state(self) -> str:
        if self.watch_policy is None:
            return "not watching"
        return self.watch_policy.describe(self.watch_wait)

    def on_load_progress(self, message: LoadProgress) -> None:
        self.sub_title = f"loading {message.done}/{message.total}: {printable(message.text)}"

    def on_campaign_loaded(self, message: CampaignLoaded) -> None:
        summary = message.summary
        if summary is not None and not summary.changed:
            self._after_check(summary)
            if self.show_clock:
                stamp = datetime.now().strftime("%H:%M:%S")
                self.sub_title = (
                    f"{plural(len(message.campaign.studies), 'study')} · checked {stamp}"
                    f" · {self._watch_state()}"
                )
            return
        self.campaign = message.campaign
        self._after_check(summary)
        self.sub_title = plural(len(message.campaign.studies), "study")
        if self.show_clock:
            stamp = datetime.now().strftime("%H:%M:%S")
            verb = "refreshed" if summary is not None else "loaded"
            self.sub_title += f" · {verb} {stamp}"
        if summary is not None:
            self.sub_title += f" · {summary.describe()}"
        if self.show_clock:  # the watch state changes with every check, like the clock
            self.sub_title += f" · {self._watch_state()}"
        for warning in message.campaign.warnings:
            self.notify(printable(warning), severity="warning", timeout=10)
        self.campaign_changed.publish(summary)

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
        elif event.worker.group == "refresh":
            self._after_check(RefreshSummary())  # a failure is no change: keep watching

    # ----------------------------------------------------------------- navigation
    def _has_campaign(self) -> bool:
        if self.campaign is None:
            self.notify("Still loading…", timeout=3)
            return False
        return True

    def show_sweep(self, name: str) -> None:
        """Back to the grid, showing sweep ``name`` (from the command palette)."""
        while len(self.screen_stack) > 2 and not isinstance(self.screen, GridScreen):
            self.pop_screen()
        if isinstance(self.screen, GridScreen):
            self.screen.show_sweep(name)

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

    def open_importance(self) -> None:
        """Parameter importance: params × studies."""
        if self._has_campaign():
            from hpo_tui.tui.screens.importance import ImportanceScreen

            self.push_screen(ImportanceScreen())

    def open_slice(self, study_id: int, param: str, params: list[str]) -> None:
        """Param vs objective of one study; ``params`` is what next/previous walk."""
        if self._has_campaign():
            from hpo_tui.tui.screens.slice import SliceScreen

            self.push_screen(SliceScreen(study_id, param, params))

    def open_screen(self, make: Callable[[], Screen[None]]) -> None:
        """Push the screen ``make`` builds (the views of one study: Pareto front, bands,
        contour), once the campaign is loaded."""
        if self._has_campaign():
            self.push_screen(make())

    def open_diverged(self) -> None:
        """The diverged-trials panel."""
        if self._has_campaign():
            from hpo_tui.tui.screens.diverged import DivergedScreen

            self.push_screen(DivergedScreen())

    def open_space(self) -> None:
        """The search space from the stored distributions."""
        if self._has_campaign():
            from hpo_tui.tui.screens.space import SpaceScreen

            self.push_screen(SpaceScreen())

    def open_dynamics(self, study_id: int) -> None:
        """The training dynamics of one study."""
        if self._has_campaign():
            from hpo_tui.tui.screens.dynamics import DynamicsScreen

            self.push_screen(DynamicsScreen(study_id))

    def open_view(self, view: str, study_id: int | None) -> None:
        """``history``, ``edf`` or ``timeline`` of a study (its grid row or column overlaid
        from inside the first two)."""
        if study_id is None or not self._has_campaign():
            return
        from hpo_tui.tui.screens.edf import EdfScreen
        from hpo_tui.tui.screens.history import HistoryScreen
        from hpo_tui.tui.screens.timeline import TimelineScreen

        screens = {"history": HistoryScreen, "edf": EdfScreen, "timeline": TimelineScreen}
        self.push_screen(screens[view](study_id))

    def open_view_here(self, view: str) -> None:
        """The palette's History / EDF / Timeline: of the study the current screen shows (the
        grid's cursor cell, the study table's study)."""
        screen = self.screen
        study_id = screen.study_in_view() if isinstance(screen, HpoScreen) else None
        if study_id is None:
            self.notify("Put the grid's cursor on a study, or open one, first", timeout=4)
            return
        self.open_view(view, int(study_id))

    def open_effects(self, along: str, at: dict[str, str], sweep: str | None = None) -> None:
        """Effects along one grid axis of a sweep; ``at`` holds the cursor's value on each
        axis."""
        if self._has_campaign():
            from hpo_tui.tui.screens.effects import EffectsScreen

            self.push_screen(EffectsScreen(along, at, sweep))

    def open_pruning(self, study_id: int | None = None) -> None:
        """The pruner audit, the cursor on ``study_id``'s row."""
        if self._has_campaign():
            from hpo_tui.tui.screens.pruning import PruningScreen

            self.push_screen(PruningScreen(study_id))

    def open_transfer(self) -> None:
        """Cross-budget transfer: every pair of grid cells in one row or column."""
        if self._has_campaign():
            from hpo_tui.tui.screens.transfer import TransferScreen

            self.push_screen(TransferScreen())

    # ----------------------------------------------------------------- actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``q``: quit on the grid (home), back on other screens, nothing on a modal."""
        if action in ("quit", "screen_back"):
            from textual.screen import ModalScreen

            screen = self.screen
            if isinstance(screen, ModalScreen):
                return False
            return isinstance(screen, GridScreen) == (action == "quit")
        return True

    async def action_screen_back(self) -> None:
        """What esc does on the current screen (its ``back`` action)."""
        await self.screen.run_action("back")

    def action_help(self) -> None:
        """Open the help screen of the current screen, or close it."""
        from hpo_tui.tui.screens.help import HelpScreen, help_sections

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
        else:
            self.push_screen(HelpScreen(help_sections(self, self.screen)))

    def action_show_help_panel(self) -> None:
        """The palette's "Keys" command: the app's help screen, not Textual's key panel."""
        self.action_help()

    def action_reload(self) -> None:
        if self.live is None:
            self.load()
        else:
            self.refresh_campaign()

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

        def progress(name: str, done: int, total: int) -> None:
            self.post_message(ExportProgress(name, done, total))

        paths = write_export(self.campaign, Path(folder), progress=progress)
        self.post_message(ExportDone([str(p) for p in paths]))

    def on_export_progress(self, message: ExportProgress) -> None:
        """Which file is being written, with a bar: the long ones (hpo_full.json) take a
        while on a large campaign."""
        if message.done >= message.total:
            return
        bar = "▰" * message.done + "▱" * (message.total - message.done)
        self.sub_title = (
            f"exporting {printable(message.name)} · {message.done + 1}/{message.total} {bar}"
        )

    def on_export_done(self, message: ExportDone) -> None:
        folder = Path(message.paths[0]).parent if message.paths else ""
        self.sub_title = (
            f"exported {plural(len(message.paths), 'file')} to {printable(str(folder))}"
        )
        names = "\n".join(printable(p) for p in message.paths)
        self.notify(names, title="Exported", timeout=10)


def run_app(
    specs: Sequence[str], config: Config, watch_seconds: float | WatchPolicy | None = DEFAULT_WATCH
) -> int:
    """Run the TUI (the CLI's default command)."""
    HpoApp(specs, config, watch_seconds=watch_seconds).run()
    return 0
