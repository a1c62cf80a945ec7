"""Defaults of the analyses that the CLI shows in its ``--help`` before any data is read.

Constants only (no pandas, no numpy), so that building the parser stays light; each is used
by the analysis named beside it.
"""

from __future__ import annotations

DEFAULT_RESAMPLES = 1000  # grid_ci: bootstrap resamples per cell
DEFAULT_SEED = 0  # grid_ci: seed of the bootstrap draws
DEFAULT_TOP_PERCENT = 10.0  # bands: the share of a study's best trials described
DEFAULT_BINS = 10  # contour: bins per param axis
