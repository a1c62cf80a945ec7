"""Screens of the hpo-tui app (one per module)."""
