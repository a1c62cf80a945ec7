"""Errors the user can act on: each renders as one line naming the input and the problem."""

from __future__ import annotations


class HpoTuiError(Exception):
    """Base class for errors shown to the user as one line (CLI exit code 2)."""


class SourceError(HpoTuiError):
    """A storage source could not be opened or read.

    Args:
        source: How the source is shown to the user (passwords already masked).
        problem: What is wrong, in a few words.
    """

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class ConfigError(HpoTuiError):
    """The configuration file is invalid."""
