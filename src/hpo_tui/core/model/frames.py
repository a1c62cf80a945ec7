"""The campaign model: every study of every source as three documented DataFrames.

``studies`` (one row per study), ``trials`` (one row per trial) and ``curves`` (long format,
one row per curve point). Column names are the export's names; ``docs/data-model.md`` and the
export's README describe each. ``study_id`` identifies a study across the whole campaign (the
same study name in two sources gives two studies); ``key`` identifies a trial likewise. Both
are stable across refreshes (derived from the source's position and the storage's own ids).

:mod:`hpo_tui.core.model.build` makes a :class:`Campaign` from raw tables,
:mod:`hpo_tui.core.model.campaign` loads one from sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from hpo_tui.core.config import Config
from hpo_tui.core.model.details import DetailTables
from hpo_tui.core.storage.sources import WHOLE_SECONDS_NOTE, Source

STATES = ("COMPLETE", "PRUNED", "FAIL", "RUNNING", "WAITING")
CURVE_COLUMNS = ["study_id", "study", "number", "curve", "step", "value"]
# study_id = source index << 20 | storage study id; key = source index << 40 | storage trial id.
STUDY_ID_BITS = 20
TRIAL_KEY_BITS = 40


@dataclass
class Campaign:
    """A loaded campaign. See the module docstring and ``docs/data-model.md``."""

    studies: pd.DataFrame
    trials: pd.DataFrame
    curves: pd.DataFrame
    detail_tables: DetailTables
    sources: list[Source]
    config: Config
    axis_names: tuple[str, ...]
    loaded_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    warnings: list[str] = field(default_factory=list)
    # key, last_heartbeat (UTC): the trials that recorded a heartbeat (RDB storages opened
    # with ``heartbeat_interval``), sorted by key; see :func:`heartbeat_frame`.
    heartbeats: pd.DataFrame = field(default_factory=lambda: heartbeat_frame([]))
    _details: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def details(self) -> pd.DataFrame:
        """Per-trial dicts for lossless exports, indexed by ``key``: ``params``,
        ``distributions``, ``user_attrs``, ``system_attrs`` (built on first use: only exports
        and the trial screen read them)."""
        if self._details is None:
            self._details = self.detail_tables.decoded(pd.Index(self.trials["key"].to_numpy()))
        return self._details

    def details_for(
        self, keys: Sequence[int] | np.ndarray, *, decode_lists: bool = True
    ) -> pd.DataFrame:
        """The rows of :attr:`details` of these trials, in this order: taken from
        :attr:`details` when it is built, else built for these trials alone and not kept (an
        export, writing study by study, needs no frame of every trial at once).
        ``decode_lists=False``: number lists stay ``EncodedList`` (see
        :func:`~hpo_tui.core.model.details.details_frame`), always built from the tables."""
        index = pd.Index(np.asarray(keys, dtype=np.int64))
        if self._details is not None and decode_lists:
            return self._details.loc[index]
        return self.detail_tables.decoded(index, decode_lists=decode_lists)

    @property
    def details_built(self) -> bool:
        """Whether :attr:`details` is built (and kept)."""
        return self._details is not None

    def drop_details(self) -> None:
        """Forget the built :attr:`details` (the next use builds them again)."""
        self._details = None

    def trial_detail(self, key: int) -> pd.Series:
        """One trial's row of :attr:`details`, without building them for every trial when
        they are not built yet (the trial screen opens one trial at a time)."""
        if self._details is not None:
            return self._details.loc[key]
        return self.detail_tables.decoded_trial(key)

    def time_precision_note(self, study_id: int) -> str | None:
        """What to say next to a study's datetimes and durations when its storage keeps
        less than microseconds (``None`` when it keeps them)."""
        source = self.sources[int(study_id) >> STUDY_ID_BITS]
        return WHOLE_SECONDS_NOTE if source.keeps_whole_seconds else None

    def none_params(self) -> dict[str, np.ndarray]:
        """Keys of the trials whose param is stored as ``None`` (a categorical choice), by
        ``param_<name>`` column: in the wide ``trials`` frame such a value and a param the
        trial does not have are both missing; the screens tell them apart with this."""
        params = self.detail_tables.params
        stored_none = params[params["value"].isna().to_numpy(dtype=bool)]
        return {
            f"param_{name}": group["key"].to_numpy(dtype=np.int64)
            for name, group in stored_none.groupby("param_name", sort=False)
        }

    def study_trials(self, study_id: int) -> pd.DataFrame:
        """The trials of one study, by trial number."""
        return self.trials[self.trials["study_id"] == study_id]

    def trial_curves(self, key: int) -> pd.DataFrame:
        """All curve points of one trial (by campaign-wide trial ``key``).

        ``curves`` is sorted by key (then curve and step): a binary search, not a scan.
        """
        keys = self.curves["key"].to_numpy()
        start = int(np.searchsorted(keys, key, side="left"))
        end = int(np.searchsorted(keys, key, side="right"))
        return self.curves.iloc[start:end]


def heartbeat_frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """``key, last_heartbeat`` from keyed ``heartbeats`` tables, sorted by key."""
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(
            {
                "key": pd.Series([], dtype=np.int64),
                "last_heartbeat": pd.Series([], dtype="datetime64[ns, UTC]"),
            }
        )
    table = pd.concat(parts, ignore_index=True).rename(columns={"heartbeat": "last_heartbeat"})
    table = table.astype({"key": np.int64, "last_heartbeat": "datetime64[ns, UTC]"})
    return table[["key", "last_heartbeat"]].sort_values("key").reset_index(drop=True)
