"""Two sweeps in one campaign: each on its own grid, nothing silently dropped."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hpo_tui.core import load_campaign
from hpo_tui.core.analysis.grid import build_grid, grid_totals, sweeps
from hpo_tui.core.analysis.summary import study_summary


def test_each_sweep_has_its_own_grid(two_sweeps: tuple[str, str]) -> None:
    campaign = load_campaign(list(two_sweeps))
    assert sweeps(campaign) == ["phase5", "phase6a"]
    names = dict(zip(campaign.studies["study"], campaign.studies["sweep"], strict=True))
    assert names["phase6a_2M_h1"] == "phase6a" and names["phase5_2B_h5"] == "phase5"
    assert names["sanity check"] is None  # fits no grid: no sweep
    old = build_grid(campaign, sweep="phase5")
    assert old.sweep == "phase5"
    assert (list(old.values.index), list(old.values.columns)) == (["2M", "2B"], ["h1", "h5"])
    assert int(old.study_ids.notna().sum().sum()) == 4
    new = build_grid(campaign, sweep="phase6a")
    assert int(new.study_ids.notna().sum().sum()) == 6
    study_names = campaign.studies.set_index("study_id")["study"]
    assert [study_names[s] for s in new.off_grid] == ["sanity check", "sanity check"]
    # The default is the sweep with the most studies on its grid.
    assert build_grid(campaign).sweep == "phase6a"


def test_header_counts_are_the_sums_of_the_cells(two_sweeps: tuple[str, str]) -> None:
    campaign = load_campaign(list(two_sweeps))
    studies = campaign.studies.set_index("study_id")
    for name in sweeps(campaign):
        grid = build_grid(campaign, sweep=name)
        cells = [int(s) for s in grid.study_ids.stack().dropna()]
        totals = grid_totals(campaign, grid)
        assert totals["n_studies"] == len(cells)
        for column in ("n_trials", "n_diverged", "n_complete", "n_waiting"):
            assert totals[column] == int(studies.loc[cells, column].sum())


def test_copies_of_one_file_are_told_apart_by_source(
    two_sweeps: tuple[str, str], tmp_path: Path
) -> None:
    shutil.copy(two_sweeps[1], tmp_path / "a.db")
    shutil.copy(two_sweeps[1], tmp_path / "b.db")
    campaign = load_campaign([str(tmp_path)])
    found = sweeps(campaign)
    assert len(found) == 2 and all(s.startswith("phase5 @ ") for s in found)
    assert {s.removeprefix("phase5 @ ").rsplit("/", 1)[-1] for s in found} == {"a.db", "b.db"}
    table = study_summary(campaign)
    rows = table[["study", "sweep", "source"]].astype(str).apply(tuple, axis=1)
    assert rows.is_unique  # identical rows that cannot be told apart are gone
    for name in found:
        assert int(build_grid(campaign, sweep=name).study_ids.notna().sum().sum()) == 4


def test_trials_and_summary_carry_the_sweep(two_sweeps: tuple[str, str]) -> None:
    campaign = load_campaign(list(two_sweeps))
    by_study = campaign.studies.set_index("study_id")["sweep"]
    expected = [by_study[s] for s in campaign.trials["study_id"]]
    assert campaign.trials["sweep"].tolist() == expected
    assert "sweep" in study_summary(campaign).columns


def test_unknown_sweep_is_an_error_naming_the_sweeps(two_sweeps: tuple[str, str]) -> None:
    campaign = load_campaign(list(two_sweeps))
    with pytest.raises(ValueError, match=r"no sweep 'phase7'.*phase5, phase6a"):
        build_grid(campaign, sweep="phase7")
