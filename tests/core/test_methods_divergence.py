"""``hpo-tui methods``: diverged trials by rule per study, summing to the campaign's count."""

from __future__ import annotations

import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.export.formats.markup import latex_escape
from hpo_tui.core.export.methods import diverged_by_rule, methods_document
from tests.conftest import BuiltStorage


@pytest.fixture
def campaign(sqlite_storage: BuiltStorage):
    return load_campaign([sqlite_storage.spec])


def test_per_study_counts_match_the_trials_and_sum_to_the_campaign(campaign) -> None:
    table = diverged_by_rule(campaign)
    trials = campaign.trials
    diverged = trials[trials["diverged"]]
    rules = sorted(set(diverged["diverged_reason"]))
    assert len(rules) >= 3  # the fixture campaign diverges by several rules
    assert list(table.columns) == ["study_id", "study", *rules, "total"]
    assert sorted(table["study_id"]) == sorted(campaign.studies["study_id"])  # zeros included
    for row in table.to_dict("records"):
        own = diverged[diverged["study_id"] == row["study_id"]]
        for rule in rules:
            assert row[rule] == int((own["diverged_reason"] == rule).sum())
        assert row["total"] == len(own)
    for rule in rules:
        assert table[rule].sum() == int((diverged["diverged_reason"] == rule).sum())
    assert table["total"].sum() == len(diverged) == int(campaign.studies["n_diverged"].sum())


@pytest.mark.parametrize("fmt", ["markdown", "latex"])
def test_the_document_shows_the_per_study_table(campaign, fmt: str) -> None:
    document = methods_document(campaign, fmt)
    table = diverged_by_rule(campaign)
    lines = document.splitlines()
    for row in table[table["total"] > 0].to_dict("records"):
        counts = [str(row[c]) for c in table.columns if c not in ("study_id", "study")]
        if fmt == "markdown":
            expected = "| " + " | ".join([str(row["study"]), *counts]) + " |"
        else:
            expected = " & ".join([latex_escape(str(row["study"])), *counts]) + r" \\"
        assert expected in lines, expected
