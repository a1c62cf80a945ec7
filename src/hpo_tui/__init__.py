"""hpo-tui: a keyboard-driven terminal explorer for Optuna HPO campaigns."""

__version__ = "0.1.0"
