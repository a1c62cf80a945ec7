"""The export's data dictionary checked where a reader meets it: the README written into
every export folder and ``docs/data-model.md``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tests.helpers.paths import ROOT

DATA_MODEL = ROOT / "docs" / "data-model.md"


def documented_columns(docs: Iterable[tuple[str, str]], axes: Sequence[str] = ()) -> set[str]:
    """The column names that ``(name, meaning)`` entries document: ``a / b`` names two
    columns, ``<axes>`` names the campaign's ``axes``."""
    names: set[str] = set()
    for name, _ in docs:
        for part in name.split(" / "):
            names |= set(axes) if part == "<axes>" else {part}
    return names


def assert_documented(readme: str, docs: Iterable[tuple[str, str]]) -> None:
    """Each entry is the row ``| `name` | meaning |`` of ``readme`` and of the data model."""
    data_model = DATA_MODEL.read_text(encoding="utf-8")
    for name, meaning in docs:
        line = f"| `{name}` | {meaning} |"
        assert line in readme, name
        assert line in data_model, name
