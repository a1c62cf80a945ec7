"""What the commands about one study share: the ``--study NAME`` option and its lookup."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from hpo_tui.core.errors import HpoTuiError

if TYPE_CHECKING:
    from hpo_tui.core.config import Config
    from hpo_tui.core.model.campaign import Campaign


def add_study_option(parser: argparse.ArgumentParser) -> None:
    """``--study NAME`` (required)."""
    parser.add_argument("--study", required=True, metavar="NAME", help="the study's name")


def add_format_options(parser: argparse.ArgumentParser) -> None:
    """``--format table|csv|json`` and ``--digits`` (table only)."""
    from hpo_tui.cli.args import DIGITS_HELP, VIEW_FORMATS
    from hpo_tui.cli.args import digits as _digits

    parser.add_argument("--format", choices=VIEW_FORMATS, default="table")
    # Not ``digits``: main() fills that in from the config before a command can tell
    # whether the user gave it.
    parser.add_argument(
        "--digits", dest="view_digits", type=_digits, default=None, help=DIGITS_HELP
    )


def add_objective_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    """``--objective I`` (default 0): which objective of a multi-objective study."""
    parser.add_argument("--objective", type=int, default=0, metavar="I", help=help_text)


def check_digits(given: int | None, fmt: str, config_digits: int) -> int:
    """The digits for a table; ``--digits`` with csv/json is refused (they are exact).

    Raises:
        HpoTuiError: ``--digits`` given with a format that cannot honour it.
    """
    if given is not None and fmt != "table":
        raise HpoTuiError(f"--digits has no meaning with --format {fmt} (it applies to table)")
    return config_digits if given is None else given


def load_study(args: argparse.Namespace, config: Config) -> tuple[Campaign, int, int]:
    """The campaign of ``args.sources``, the id of the study ``--study`` names in it, and the
    digits of a table (``--digits`` refused before anything is read when the format has no
    use for it)."""
    from hpo_tui.cli.common import load

    digits = check_digits(args.view_digits, args.format, config.digits)
    campaign = load(args.sources, config)
    return campaign, study_id_named(campaign, args.study), digits


def study_id_named(campaign: Campaign, name: str) -> int:
    """The id of the one study called ``name``.

    Raises:
        HpoTuiError: no such study, or one in several sources.
    """
    from hpo_tui.cli.common import sources_text as _sources_text
    from hpo_tui.core.display import printable

    studies = campaign.studies[campaign.studies["study"] == name]
    shown = printable(repr(name))
    if studies.empty:
        raise HpoTuiError(f"no study named {shown} in {_sources_text(campaign)}")
    if len(studies) > 1:
        where = ", ".join(printable(str(s)) for s in studies["source"])
        raise HpoTuiError(f"study {shown} is in {len(studies)} sources ({where}): give one of them")
    return int(studies["study_id"].iloc[0])
