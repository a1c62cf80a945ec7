"""Every state counted as itself: WAITING trials are neither dropped nor counted as RUNNING."""

from __future__ import annotations

from hpo_tui.core import load_campaign
from hpo_tui.core.export.methods import studies_table


def test_methods_counts_waiting_as_waiting(waiting_storage: str) -> None:
    table = studies_table(load_campaign([waiting_storage]))
    row = table.iloc[0]
    assert (row["Trials"], row["Complete"], row["Running"], row["Waiting"]) == ("6", "3", "1", "2")
