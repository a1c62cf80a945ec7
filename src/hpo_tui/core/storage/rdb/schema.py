"""Which Optuna schema a database holds, and which encoding columns that schema has."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hpo_tui.core.errors import SourceError
from hpo_tui.core.storage.sources import Source

if TYPE_CHECKING:
    from hpo_tui.core.storage.rdb.reader import RdbReader

OPTUNA_TABLES = {
    "studies",
    "study_directions",
    "trials",
    "trial_params",
    "trial_values",
    "trial_intermediate_values",
    "trial_user_attributes",
    "trial_system_attributes",
    "study_user_attributes",
    "study_system_attributes",
}


@dataclass(frozen=True)
class SchemaLayout:
    """Which encoding columns a schema head has."""

    value_type: bool
    intermediate_value_type: bool


# Heads whose layout is known (Optuna 2.4 – 5.x). Others go through Optuna's own API.
KNOWN_HEADS = {
    "v2.4.0.a": SchemaLayout(value_type=False, intermediate_value_type=False),
    "v2.6.0.a": SchemaLayout(value_type=False, intermediate_value_type=False),
    "v3.0.0.a": SchemaLayout(value_type=False, intermediate_value_type=False),
    "v3.0.0.b": SchemaLayout(value_type=False, intermediate_value_type=False),
    "v3.0.0.c": SchemaLayout(value_type=False, intermediate_value_type=True),
    "v3.0.0.d": SchemaLayout(value_type=True, intermediate_value_type=True),
    "v3.2.0.a": SchemaLayout(value_type=True, intermediate_value_type=True),
}


def schema_head(reader: RdbReader, source: Source) -> str:
    """The alembic head of the storage, after checking it holds Optuna's tables."""
    tables = reader.tables()
    if not tables:
        raise SourceError(source.display, "database has no tables (not an Optuna storage)")
    missing = OPTUNA_TABLES - tables
    if missing:
        raise SourceError(
            source.display,
            f"not an Optuna storage (missing table {sorted(missing)[0]!r})",
        )
    if "alembic_version" not in tables:
        raise SourceError(source.display, "Optuna tables without alembic_version (unknown schema)")
    rows = reader.rows("SELECT version_num FROM alembic_version")
    if not rows:
        raise SourceError(source.display, "alembic_version is empty (unknown schema)")
    return str(rows[0][0])
