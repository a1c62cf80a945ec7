"""The fallback for a schema head this package does not know: Optuna's own API."""

from __future__ import annotations

import warnings

from hpo_tui.core.errors import SourceError
from hpo_tui.core.storage.raw import RawTables, raw_from_frozen
from hpo_tui.core.storage.rdb.urls import sqlite_readonly_uri
from hpo_tui.core.storage.sources import Source


def read_with_optuna_api(source: Source, head: str) -> RawTables:
    """Read a SQLite storage of an unknown schema head through Optuna's API, over a read-only
    URI: SQLite refuses the writes ``RDBStorage`` may attempt on open.

    Raises:
        SourceError: Optuna cannot read it either.
    """
    import optuna

    url = "sqlite:///" + sqlite_readonly_uri(source.location) + "&uri=true"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            storage = optuna.storages.RDBStorage(
                url, skip_compatibility_check=True, skip_table_creation=True
            )
            studies = storage.get_all_studies()
            trials = {
                s._study_id: storage.get_all_trials(s._study_id, deepcopy=False) for s in studies
            }
    except Exception as exc:
        raise SourceError(
            source.display, f"unknown Optuna schema {head!r} and Optuna could not read it ({exc})"
        ) from None
    return raw_from_frozen(studies, trials)
