"""``--study NAME`` (repeatable) for the commands that show a few studies, and what they
print around the table."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from hpo_tui.core.errors import HpoTuiError

if TYPE_CHECKING:
    import pandas as pd

    from hpo_tui.core.model.campaign import Campaign


def add_study_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--study",
        dest="studies",
        action="append",
        default=[],
        metavar="NAME",
        help="only this study (repeatable; default: every study)",
    )


def selected_studies(campaign: Campaign, names: list[str]) -> list[int] | None:
    """The study ids named (in the order given), or ``None`` for every study.

    Raises:
        HpoTuiError: for a name no source holds (the line lists what exists, shortly).
    """
    from hpo_tui.core.display import printable

    if not names:
        return None
    studies = campaign.studies
    ids: list[int] = []
    for name in names:
        found = studies.loc[studies["study"] == name, "study_id"]
        if found.empty:
            known = ", ".join(printable(str(s)) for s in studies["study"].head(5))
            more = f" and {len(studies) - 5} more" if len(studies) > 5 else ""
            raise HpoTuiError(f"no study named {printable(repr(name))} (studies: {known}{more})")
        ids.extend(int(s) for s in found)  # the same name in several sources: each of them
    return list(dict.fromkeys(ids))


def note_multi_objective(campaign: Campaign, ids: list[int] | None, consequence: str) -> None:
    """A note on stderr for each multi-objective study among ``ids`` (every study for
    ``None``): the view, made for one objective, says what it did with it."""
    import sys

    from hpo_tui.core.analysis.history import multi_objective
    from hpo_tui.core.display import printable

    names = campaign.studies.set_index("study_id")["study"]
    for study_id in multi_objective(campaign, ids):
        print(
            f"hpo-tui: note: {printable(str(names[study_id]))} is multi-objective: {consequence}",
            file=sys.stderr,
        )


def with_source(campaign: Campaign, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without its ``study_id``, with a ``source`` column after ``study`` when the
    campaign has several sources (the same study name can come from two)."""
    out = frame.drop(columns=["study_id"])
    if len(campaign.sources) > 1:
        sources = campaign.studies.set_index("study_id")["source"]
        out.insert(
            out.columns.get_loc("study") + 1,
            "source",
            frame["study_id"].map(sources).astype(object).to_numpy(),
        )
    return out
