"""What the user chose on screen and keeps between runs: the trial table's columns.

Stored in the user's config folder (``platformdirs``; ``HPO_TUI_CONFIG_DIR`` overrides it,
which the tests use), never next to or inside a storage: opening a storage still writes
nothing. A choice is kept as the difference from the default columns (columns hidden,
columns added), so it applies to every study, including params a later study brings.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

CONFIG_DIR_ENV = "HPO_TUI_CONFIG_DIR"
COLUMNS_FILE = "columns.json"


def config_dir() -> Path:
    """The folder of the user's hpo-tui settings (it may not exist yet)."""
    override = os.environ.get(CONFIG_DIR_ENV)
    return Path(override) if override else platformdirs.user_config_path("hpo-tui")


@dataclass
class ColumnChoice:
    """Columns the user hid from the defaults, and columns added to them (in order)."""

    hidden: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)

    @classmethod
    def between(cls, defaults: Sequence[str], chosen: Sequence[str]) -> ColumnChoice:
        """The choice that turns ``defaults`` into ``chosen``."""
        return cls(
            hidden=[c for c in defaults if c not in chosen],
            added=[c for c in chosen if c not in defaults],
        )

    def apply(self, defaults: Sequence[str], available: Sequence[str]) -> list[str]:
        """``defaults`` without the hidden columns, then the added ones that exist here."""
        shown = [c for c in defaults if c not in self.hidden]
        return shown + [c for c in self.added if c in available and c not in shown]


def load_column_choices(path: Path | None = None) -> dict[str, ColumnChoice]:
    """Every table's column choice (``study``, ``all``); empty when none was saved or the
    file does not read (a damaged file must not keep the app from starting)."""
    path = path or config_dir() / COLUMNS_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict):
        return {}
    choices = {}
    for table, entry in raw.items():
        if isinstance(entry, dict):
            hidden = [str(c) for c in entry.get("hidden", []) if isinstance(c, str)]
            added = [str(c) for c in entry.get("added", []) if isinstance(c, str)]
            choices[str(table)] = ColumnChoice(hidden, added)
    return choices


def save_column_choice(table: str, choice: ColumnChoice, path: Path | None = None) -> Path:
    """Keep ``choice`` for ``table`` (the others are kept as they are), atomically.

    Raises:
        OSError: when the folder cannot be written.
    """
    path = path or config_dir() / COLUMNS_FILE
    choices = load_column_choices(path)
    choices[table] = choice
    data = {name: {"hidden": c.hidden, "added": c.added} for name, c in sorted(choices.items())}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".columns-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2, ensure_ascii=False)
            out.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
