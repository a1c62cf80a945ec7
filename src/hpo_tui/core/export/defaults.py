"""Defaults of the export that the CLI needs before any data is read (its ``--help``).

No pandas or numpy here: building the CLI's parser imports this module, not the writer.
"""

from __future__ import annotations

from pathlib import Path

# Where ``hpo-tui export`` writes when no ``--out`` is given (relative to the working folder).
DEFAULT_OUT = Path("outputs") / "analysis"
# How many differences ``hpo-tui verify`` lists (all are counted), unless --max says.
DEFAULT_LIMIT = 50
