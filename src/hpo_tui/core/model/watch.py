"""When a watched campaign is checked again: a fixed period, or a period that backs off.

A check that finds nothing costs a few tens of milliseconds even at 24k trials (see
``hpo_tui.core.model.live``), so watching never stops: a sweep can start, resume or pause between
trials at any time. The default policy only stretches the wait while nothing happens.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PERIOD = 5.0
"""Seconds between checks by default, and after any change."""

DEFAULT_CEILING = 60.0
"""The longest wait of the default policy, reached by doubling after each idle check."""


@dataclass(frozen=True)
class WatchPolicy:
    """How long to wait before the next check.

    Attributes:
        period: Seconds between checks; the shortest wait.
        ceiling: The longest wait. Equal to ``period`` for a fixed period (an explicit
            ``--watch SECONDS``). Otherwise each check that finds no change, while no trial is
            RUNNING or WAITING, doubles the wait up to the ceiling; any change, or an
            unfinished trial, brings it back to ``period``.
    """

    period: float = DEFAULT_PERIOD
    ceiling: float = DEFAULT_CEILING

    def __post_init__(self) -> None:
        if not 0 < self.period <= self.ceiling:
            raise ValueError(f"need 0 < period <= ceiling, got {self.period} and {self.ceiling}")

    @classmethod
    def every(cls, seconds: float) -> WatchPolicy:
        """A fixed period: a check every ``seconds``, always."""
        return cls(period=seconds, ceiling=seconds)

    @property
    def backs_off(self) -> bool:
        """Whether idle checks stretch the wait."""
        return self.ceiling > self.period

    def next_wait(self, wait: float, *, changed: bool, unfinished: bool) -> float:
        """The wait after a check.

        Args:
            wait: The wait that led to this check.
            changed: The check found a change.
            unfinished: The campaign holds a RUNNING or WAITING trial.
        """
        if changed or unfinished:
            return self.period
        return min(max(wait, self.period) * 2, self.ceiling)

    def describe(self, wait: float) -> str:
        """E.g. ``"watching every 5 s"`` or ``"next check in 40 s"``."""
        if wait <= self.period:
            return f"watching every {self.period:g} s"
        return f"next check in {wait:g} s"


DEFAULT_WATCH = WatchPolicy()
"""The TUI's watch without ``--watch``: every 5 s, backing off to 60 s while nothing changes."""
