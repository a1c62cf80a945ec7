"""The command palette (ctrl+p): studies by name, trials by number, the app's commands."""

from __future__ import annotations

from textual.command import CommandInput, CommandList, CommandPalette

from hpo_tui.tui.screens.study import StudyScreen
from hpo_tui.tui.screens.trial import TrialScreen
from tests.tui.conftest import loaded, make_app

SIZE = (120, 40)


async def _search(pilot, text: str) -> list[str]:
    """Type ``text`` into the open palette; the hits it lists, best first, as plain text."""
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    palette.query_one(CommandInput).value = text
    await palette.workers.wait_for_complete()
    await pilot.pause()
    hits = palette.query_one(CommandList)
    prompts = (str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count))
    return [prompt.split("\n")[0] for prompt in prompts]


async def test_palette_finds_a_study_by_name_and_opens_it() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        studies = app.campaign.studies
        row = studies.loc[studies["n_trials"].idxmax()]
        await pilot.press("ctrl+p")
        await pilot.pause()
        hits = await _search(pilot, str(row["study"]))
        assert hits[0] == f"Study {row['study']}"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen)
        assert app.screen.study_id == int(row["study_id"])


async def test_palette_finds_trials_by_number_and_opens_one() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        trials = app.campaign.trials
        number = int(trials["number"].max())  # held by one study only in a small campaign
        holders = trials[trials["number"] == number]
        await pilot.press("ctrl+p")
        await pilot.pause()

        hits = await _search(pilot, str(number))
        trial_hits = [hit for hit in hits if hit.startswith("Trial ")]
        # every trial with that number, and no trial with another number
        assert sorted(trial_hits) == sorted(f"Trial {s} #{number}" for s in holders["study"])

        target = holders.iloc[0]
        hits = await _search(pilot, f"{target['study']} #{number}")
        assert hits[0] == f"Trial {target['study']} #{number}"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TrialScreen)
        assert app.screen.key == int(target["key"])
        # next/previous walk the trial's own study, by number
        study_keys = trials[trials["study_id"] == target["study_id"]]
        assert app.screen.order == study_keys.sort_values("number")["key"].tolist()


async def test_palette_lists_a_trial_number_of_several_studies() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        trials = app.campaign.trials
        await pilot.press("ctrl+p")
        await pilot.pause()
        hits = await _search(pilot, "#1")
        trial_hits = [hit for hit in hits if hit.startswith("Trial ")]
        holders = trials[trials["number"] == 1]
        assert len(holders) > 1
        assert sorted(trial_hits) == sorted(f"Trial {s} #1" for s in holders["study"])


async def test_palette_shows_a_markup_like_study_name_literally(tmp_path) -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    url = f"sqlite:///{tmp_path / 'names.db'}"
    name = "[red]x[/red] 2M h1"
    study = optuna.create_study(study_name=name, storage=url)
    study.optimize(lambda trial: trial.suggest_float("lr", 0.0, 1.0), n_trials=3)
    app = make_app([url])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        hits = await _search(pilot, "red 2")
        assert f"Trial {name} #2" in hits
        hits = await _search(pilot, "red")
        assert f"Study {name}" in hits
