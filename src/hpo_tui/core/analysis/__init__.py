"""Analyses over a campaign: one module per question (grid, importance, dynamics, ...)."""
