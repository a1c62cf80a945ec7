"""What the ``?`` help screen needs to know about the bindings: the group of each (by
binding id) and the name of each screen. The keys themselves, their descriptions and
tooltips stay in each screen's ``BINDINGS``: the one source of truth the footer, the help
screen and the command palette all read."""

from __future__ import annotations

from typing import Literal

from textual.binding import Binding

KeyGroup = Literal["navigate", "view", "data", "app"]
GROUP_TITLES: dict[KeyGroup, str] = {
    "navigate": "Navigate",
    "view": "View",
    "data": "Data",
    "app": "App",
}

# Binding id → group. Navigate: move, open, go back. View: how this screen shows things.
# Data: which trials (filter, marks) and what leaves the app (copy, export, reload).
# ``tests/tui/test_help.py`` checks that every binding has one.
BINDING_GROUPS: dict[str, KeyGroup] = {
    "app.quit": "app",
    "app.back": "navigate",
    "app.help": "app",
    "app.export": "data",
    "app.reload": "data",
    "columns.apply": "view",
    "columns.cancel": "navigate",
    "bands.back": "navigate",
    "bands.top": "view",
    "bands.top_back": "view",
    "bands.objective": "view",
    "bands.open": "navigate",
    "compare.back": "navigate",
    "compare.log": "view",
    "compare.range": "view",
    "contour.back": "navigate",
    "contour.next": "view",
    "contour.previous": "view",
    "contour.swap": "view",
    "contour.objective": "view",
    "diverged.back": "navigate",
    "diverged.full": "view",
    "diverged.open": "navigate",
    "dynamics.back": "navigate",
    "dynamics.group": "view",
    "dynamics.group_back": "view",
    "dynamics.log": "view",
    "dynamics.range": "view",
    "edf.back": "navigate",
    "edf.scope": "view",
    "edf.range": "view",
    "effects.back": "navigate",
    "effects.swap": "view",
    "effects.next": "navigate",
    "effects.previous": "navigate",
    "effects.log": "view",
    "effects.range": "view",
    "export.cancel": "navigate",
    "grid.open": "navigate",
    "grid.left": "navigate",
    "grid.right": "navigate",
    "grid.up": "navigate",
    "grid.down": "navigate",
    "grid.all": "navigate",
    "grid.diverged": "navigate",
    "grid.space": "navigate",
    "grid.importance": "navigate",
    "grid.dynamics": "navigate",
    "grid.pruning": "navigate",
    "grid.transfer": "navigate",
    "grid.effects": "navigate",
    "grid.history": "navigate",
    "grid.edf": "navigate",
    "grid.timeline": "navigate",
    "grid.pareto": "navigate",
    "grid.bands": "navigate",
    "grid.metric": "view",
    "grid.metric_back": "view",
    "grid.sweep_next": "view",
    "grid.sweep_previous": "view",
    "grid.scale": "view",
    "grid.intervals": "view",
    "help.close": "navigate",
    "history.back": "navigate",
    "history.scope": "view",
    "history.by": "view",
    "history.values": "view",
    "history.log": "view",
    "history.range": "view",
    "importance.back": "navigate",
    "importance.slice": "navigate",
    "importance.method": "view",
    "pruning.back": "navigate",
    "pruning.open": "navigate",
    "pruning.top_k": "view",
    "importance.contour": "navigate",
    "pareto.back": "navigate",
    "pareto.pair": "view",
    "pareto.hypervolume": "view",
    "pareto.reference": "view",
    "pareto.range": "view",
    "pareto.open": "navigate",
    "slice.back": "navigate",
    "slice.next": "navigate",
    "slice.previous": "navigate",
    "slice.dynamics": "navigate",
    "slice.effects": "navigate",
    "slice.contour": "navigate",
    "slice.range": "view",
    "space.back": "navigate",
    "space.toggle": "view",
    "study.back": "navigate",
    "study.open": "navigate",
    "study.jump": "navigate",
    "study.compare": "navigate",
    "study.pruning": "navigate",
    "study.pareto": "navigate",
    "study.bands": "navigate",
    "study.sort": "view",
    "study.columns": "view",
    "study.filter": "data",
    "study.state": "data",
    "study.state_back": "data",
    "study.mark": "data",
    "study.mark_range": "data",
    "study.history": "navigate",
    "study.edf": "navigate",
    "study.timeline": "navigate",
    "timeline.back": "navigate",
    "transfer.back": "navigate",
    "timeline.rows": "view",
    "trial.back": "navigate",
    "trial.next": "navigate",
    "trial.previous": "navigate",
    "trial.log": "view",
    "trial.range": "view",
    "trial.best": "view",
    "trial.full": "view",
    "trial.copy": "data",
}

# Screen class → the name the help screen's heading (and the README's keys table) uses.
SCREEN_NAMES: dict[str, str] = {
    "GridScreen": "Grid",
    "StudyScreen": "Study table",
    "TrialScreen": "Trial",
    "CompareScreen": "Compare",
    "DivergedScreen": "Diverged",
    "DynamicsScreen": "Dynamics",
    "EffectsScreen": "Effects",
    "ImportanceScreen": "Importance",
    "PruningScreen": "Pruning",
    "TransferScreen": "Transfer",
    "SliceScreen": "Slice",
    "SpaceScreen": "Search space",
    "HistoryScreen": "History",
    "EdfScreen": "EDF",
    "TimelineScreen": "Timeline",
    "ParetoScreen": "Pareto front",
    "BandsScreen": "Param bands",
    "ContourScreen": "Contour",
    "ColumnPicker": "Columns",
    "ExportModal": "Export",
}


def group_of(binding: Binding) -> KeyGroup:
    """The help group of ``binding`` (``view`` for a binding without one, which a test
    forbids)."""
    return BINDING_GROUPS.get(binding.id or "", "view")


def own_bindings(owner: type) -> list[Binding]:
    """The bindings hpo-tui declares on ``owner`` (a screen or the app class) and its
    hpo-tui base classes, in declaration order: not Textual's own (focus, copy, the
    DataTable's page keys), which are not this app's keys."""
    found: list[Binding] = []
    for cls in reversed(owner.__mro__):
        if not cls.__module__.startswith("hpo_tui."):
            continue
        for binding in cls.__dict__.get("BINDINGS", []):
            if isinstance(binding, Binding):
                found.append(binding)
    return found
