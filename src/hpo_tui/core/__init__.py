"""The UI-free core of hpo-tui: storage → campaign frames → analysis and exports.

Nothing in this package imports Textual or Rich; the TUI and the CLI both call it.
"""

from hpo_tui.core.config import Config, DivergenceRules, load_config
from hpo_tui.core.errors import ConfigError, HpoTuiError, SourceError
from hpo_tui.core.model.campaign import Campaign, load_campaign
from hpo_tui.core.storage.sources import Source, resolve_sources

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
