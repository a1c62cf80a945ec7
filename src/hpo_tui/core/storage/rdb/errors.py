"""Database errors in a few words of our own: one line, never a password."""

from __future__ import annotations

import sqlite3


def first_line(exc: BaseException) -> str:
    """The first line of an error's message (at most 200 characters), or its type's name."""
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]


def server_problem(exc: BaseException) -> str:
    """A one-line, password-free description of a database driver error."""
    known = known_server_problem(exc)
    if known is not None:
        return known
    return first_line(getattr(exc, "orig", None) or exc)


def known_server_problem(exc: BaseException) -> str | None:
    """The usual connection failures, in words of our own (``None`` for anything else)."""
    lowered = str(getattr(exc, "orig", None) or exc).lower()
    if "password authentication failed" in lowered or "access denied" in lowered:
        return "authentication failed (wrong user or password)"
    if "role" in lowered and "does not exist" in lowered:
        return "authentication failed (no such user)"
    if ("does not exist" in lowered and "database" in lowered) or "unknown database" in lowered:
        return "database does not exist"
    if (
        "connection refused" in lowered
        or "can't connect" in lowered
        or "could not connect" in (lowered)
    ):
        return "server not reachable (connection refused)"
    if "timeout" in lowered or "timed out" in lowered:
        return "server not reachable (timed out)"
    return None


def sqlite_problem(exc: BaseException) -> str:
    """A one-line description of an error reading a SQLite file."""
    text = first_line(exc)
    lowered = text.lower()
    if "malformed" in lowered or "not a database" in lowered:
        return "corrupt or truncated SQLite database"
    if "locked" in lowered:
        return "database is locked by a writer (try again)"
    if "unable to open" in lowered:
        return "cannot open database file"
    return text if isinstance(exc, sqlite3.Error) else server_problem(exc)
