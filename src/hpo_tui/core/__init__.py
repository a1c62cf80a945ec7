"""The UI-free core of hpo-tui: storage → campaign frames → analysis and exports.

Nothing in this package imports Textual or Rich; the TUI and the CLI both call it.

The campaign and the sources are imported on first use (PEP 562 ``__getattr__``): they
bring pandas, numpy and pyarrow, which a light submodule (``errors``, ``config``) and the
CLI's ``--version`` and ``--help`` must not pay for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hpo_tui.core.config import Config, DivergenceRules, load_config
from hpo_tui.core.errors import ConfigError, HpoTuiError, SourceError

if TYPE_CHECKING:
    from hpo_tui.core.model.campaign import Campaign, load_campaign
    from hpo_tui.core.storage.sources import Source, resolve_sources

# The names imported on first use, and the module each comes from.
_LAZY = {
    "Campaign": "hpo_tui.core.model.campaign",
    "load_campaign": "hpo_tui.core.model.campaign",
    "Source": "hpo_tui.core.storage.sources",
    "resolve_sources": "hpo_tui.core.storage.sources",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # once: later lookups do not come here
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Campaign",
    "Config",
    "ConfigError",
    "DivergenceRules",
    "HpoTuiError",
    "Source",
    "SourceError",
    "load_campaign",
    "load_config",
    "resolve_sources",
]
