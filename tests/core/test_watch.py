"""The watch policy: the default backs off while idle and never stops; an explicit period
is kept always."""

from __future__ import annotations

import pytest

from hpo_tui.core.model.watch import DEFAULT_WATCH, WatchPolicy


def _waits(policy: WatchPolicy, checks: list[tuple[bool, bool]]) -> list[float]:
    wait = policy.period
    seen = []
    for changed, unfinished in checks:
        wait = policy.next_wait(wait, changed=changed, unfinished=unfinished)
        seen.append(wait)
    return seen


IDLE = (False, False)
CHANGED = (True, False)
RUNNING = (False, True)


def test_default_doubles_while_idle_up_to_a_minute_and_returns_on_any_change() -> None:
    checks = [IDLE] * 6 + [CHANGED, IDLE, RUNNING, RUNNING, IDLE]
    assert _waits(DEFAULT_WATCH, checks) == [10, 20, 40, 60, 60, 60, 5, 10, 5, 5, 10]
    assert DEFAULT_WATCH.backs_off


@pytest.mark.parametrize("checks", [[IDLE] * 5, [CHANGED, IDLE, RUNNING, IDLE]])
def test_an_explicit_period_is_kept_always(checks: list[tuple[bool, bool]]) -> None:
    policy = WatchPolicy.every(1.5)
    assert _waits(policy, checks) == [1.5] * len(checks)
    assert not policy.backs_off


def test_describe() -> None:
    assert DEFAULT_WATCH.describe(5) == "watching every 5 s"
    assert DEFAULT_WATCH.describe(40) == "next check in 40 s"
    assert WatchPolicy.every(0.25).describe(0.25) == "watching every 0.25 s"


@pytest.mark.parametrize(("period", "ceiling"), [(0, 1), (-1, 5), (10, 5)])
def test_nonsense_is_refused(period: float, ceiling: float) -> None:
    with pytest.raises(ValueError, match="period"):
        WatchPolicy(period, ceiling)
