"""Read-only reader of Optuna journals kept in Redis (``JournalRedisBackend``).

Optuna's backend keeps a counter, ``{prefix}:log_number`` (the number of the last log
written; the first is 0), and one key per log, ``{prefix}:log:{n}``, holding one JSON record
of the journal. This reader reads the counter, then the logs after the last one it applied,
in batches (``MGET``), and replays them with hpo-tui's own journal replay
(:mod:`hpo_tui.core.storage.journal_replay`) into the raw tables.

Read-only: the client offers only ``MGET`` (and ``SCAN``, to name the journals that exist
when the given prefix holds none); no write command can leave this process. The snapshot
``{prefix}:snapshot`` is never read: it is a pickle, and unpickling runs code. The logs hold
everything it holds.

A missing log inside the announced range (in Redis Cluster mode Optuna increments the
counter before it writes the log) ends the read there: the next refresh starts from it.
A counter that went back, or a first log that changed, means the journal was deleted and
written again: the next refresh reads it from the start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from hpo_tui.core.display import plural
from hpo_tui.core.errors import SourceError
from hpo_tui.core.storage.journal_replay import JournalReplay
from hpo_tui.core.storage.raw import RawTables
from hpo_tui.core.storage.sources import RedisAddress, Source, redis_address

BATCH_LOGS = 1000  # logs per MGET: a few MB of records with 100-step curves
READ_COMMANDS = ("MGET", "SCAN")
# Per socket operation, not per command: a large reply that keeps coming never times out;
# a server that says nothing (a TLS client on a plain port) does, after this long.
_SOCKET_TIMEOUT_S = 10.0
_SCAN_KEYS = 100_000  # keys looked at, at most, to name the journals in a database
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")
MISSING_EXTRA = "Redis support missing: pip install 'hpo-tui[redis]'"


class _ReadOnlyClient:
    """A Redis client reduced to the read commands this reader sends."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def mget(self, keys: list[str]) -> list[bytes | None]:
        """The values of ``keys`` (``None`` where a key is missing)."""
        return list(self._client.mget(keys))

    def scan(self, cursor: int, match: str, count: int) -> tuple[int, list[bytes]]:
        """One step of a key scan."""
        found = self._client.scan(cursor=cursor, match=match, count=count)
        return int(found[0]), list(found[1])

    def close(self) -> None:
        self._client.close()

    def __getattr__(self, name: str) -> Any:
        raise PermissionError(f"hpo-tui only reads: the Redis command {name} is not sent")


@dataclass
class RedisRead:
    """What one read of the logs found."""

    last: int  # the counter: number of the last log announced (-1: none)
    missing: int | None = None  # the first announced log found missing (a gap), if any
    replaced: bool = False  # the journal was deleted and written again: read it afresh


@dataclass
class RedisJournalRead:
    """A whole journal read: tables, logs applied, and warnings if any."""

    tables: RawTables
    logs: int
    warnings: list[str] = field(default_factory=list)


def _problem(exc: Exception, address: RedisAddress) -> str:
    """One line for a failed command: what went wrong, never a password."""
    import redis

    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = _URL_PASSWORD.sub(r"\1***@", text)
    lower = text.lower()
    if isinstance(exc, redis.AuthenticationError) or "wrongpass" in lower:
        if "required" in lower:
            return "authentication required (give the password: redis://:PASSWORD@HOST/DB)"
        return "authentication failed (wrong user or password)"
    if isinstance(exc, redis.exceptions.AuthenticationWrongNumberOfArgsError) or (
        "without any password configured" in lower
    ):
        return "authentication failed (a password was given, the server has none set)"
    if isinstance(exc, redis.exceptions.NoPermissionError):
        return f"permission denied for this Redis user ({text[:160]})"
    if isinstance(exc, redis.TimeoutError):
        if address.url.startswith("rediss:"):
            return "server not reachable (timed out; does it speak TLS on this port?)"
        return "server not reachable (timed out)"
    if isinstance(exc, redis.exceptions.BusyLoadingError):
        return "the server is still loading its data set; try again"
    if isinstance(exc, redis.ConnectionError):
        if "refused" in lower:
            return "server not reachable (connection refused)"
        if "invalid database" in lower or "db index" in lower:
            return f"database {address.db} does not exist on this server"
        return f"server not reachable ({text[:160]})"
    if "db index is out of range" in lower:
        return f"database {address.db} does not exist on this server"
    if lower.startswith(("moved", "ask ")) or "cluster" in lower:
        return f"a Redis Cluster node: hpo-tui reads a single Redis server ({text[:80]})"
    if "wrongtype" in lower:
        return f"not an Optuna journal (key {address.counter_key!r} is not a string)"
    return f"the Redis server refused a read ({text[:160]})"


class RedisJournal:
    """One journal in Redis; keeps its client between reads."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.address = redis_address(source.location)
        self._client: _ReadOnlyClient | None = None
        self._first_log: bytes | None = None  # log 0 as first read: the journal's identity

    def _connect(self) -> _ReadOnlyClient:
        try:
            import redis
        except ImportError:
            raise SourceError(self.source.display, MISSING_EXTRA) from None
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # No CLIENT SETINFO and no HELLO (RESP2) on connect: a connection of this reader
        # sends AUTH/SELECT when the URL asks for them, then only the read commands. No
        # retries: a failure is reported, and the next refresh tries again.
        quiet: dict[str, Any] = (
            {"driver_info": None}
            if hasattr(redis, "DriverInfo")
            else {"lib_name": None, "lib_version": None}
        )
        try:
            client = redis.Redis.from_url(  # options in the URL take precedence
                self.address.url,
                socket_connect_timeout=_SOCKET_TIMEOUT_S,
                socket_timeout=_SOCKET_TIMEOUT_S,
                protocol=2,
                retry=Retry(NoBackoff(), 0),
                **quiet,
            )
        except (TypeError, ValueError) as exc:
            problem = _URL_PASSWORD.sub(r"\1***@", str(exc).splitlines()[0] if str(exc) else "")
            raise SourceError(self.source.display, f"invalid Redis URL ({problem})") from None
        return _ReadOnlyClient(client)

    def _mget(self, keys: list[str]) -> list[bytes | None]:
        if self._client is None:
            self._client = self._connect()
        import redis

        try:
            return self._client.mget(keys)
        except (redis.RedisError, OSError) as exc:
            self.close()
            raise SourceError(self.source.display, _problem(exc, self.address)) from None
        except TypeError as exc:  # an option of the URL the client does not take
            self.close()
            found = re.search(r"keyword argument '([^']*)'", str(exc))
            name = repr(found.group(1)) if found else "in the URL"
            raise SourceError(
                self.source.display,
                f"unknown option {name} (a Redis source takes prefix=NAME and the options "
                "of the redis client's URLs)",
            ) from None

    def read_new(self, replay: JournalReplay) -> RedisRead:
        """Replay the logs after the ``replay.lines`` already applied.

        Raises:
            SourceError: when the server cannot be read, or holds no journal there.
        """
        counter, first = self._mget([self.address.counter_key, self.address.log_key(0)])
        if counter is None:
            if replay.lines:
                raise SourceError(
                    self.source.display,
                    f"the journal is gone (key {self.address.counter_key!r} no longer exists)",
                )
            raise SourceError(self.source.display, self._no_journal())
        try:
            last = int(counter)
        except ValueError:
            raise SourceError(
                self.source.display,
                f"not an Optuna journal (key {self.address.counter_key!r} holds "
                f"{counter[:40]!r}, not a log number)",
            ) from None
        if replay.lines and (last + 1 < replay.lines or first != self._first_log):
            return RedisRead(last, replaced=True)
        begin = replay.lines
        while begin <= last:
            numbers = range(begin, min(last, begin + BATCH_LOGS - 1) + 1)
            logs = self._mget([self.address.log_key(n) for n in numbers])
            gap = next((i for i, log in enumerate(logs) if log is None), None)
            if begin == 0 and logs[0] is not None:
                self._first_log = logs[0]
            replay.feed_logs(logs[:gap] if gap is not None else logs)  # type: ignore[arg-type]
            if gap is not None:
                return RedisRead(last, missing=begin + gap)
            begin += len(numbers)
        return RedisRead(last)

    def _no_journal(self) -> str:
        """Why there is nothing to read, naming the journals the database does hold."""
        problem = (
            f"no Optuna journal with prefix {self.address.prefix!r} in database "
            f"{self.address.db} (no key {self.address.counter_key!r})"
        )
        import redis

        assert self._client is not None
        prefixes: list[str] = []
        cursor, seen = 0, 0
        try:
            while True:
                cursor, keys = self._client.scan(cursor, "*:log_number", 1000)
                seen += 1000
                prefixes.extend(k.decode(errors="replace")[: -len(":log_number")] for k in keys)
                if cursor == 0 or seen >= _SCAN_KEYS:
                    break
        except redis.RedisError:  # a user without SCAN: no hint, the problem stands
            return problem
        if prefixes:
            named = ", ".join(repr(p) for p in sorted(set(prefixes))[:5])
            more = " …" if len(set(prefixes)) > 5 else ""
            return f"{problem}; journals there have the prefixes {named}{more} (?prefix=NAME)"
        return problem

    def close(self) -> None:
        """Drop the client (the next read connects again)."""
        if self._client is not None:
            self._client.close()
            self._client = None


def missing_log_note(display: str, read: RedisRead, still: bool = False) -> str:
    """The warning for logs that could not be read past a missing one (``still``: missing at
    two reads in a row)."""
    assert read.missing is not None
    later = plural(read.last - read.missing + 1, "log")
    if still:
        return (
            f"{display}: log {read.missing} is still missing ({later} from it on not read): "
            "its writer may have died between counting it and writing it; the journal is "
            "shown up to the log before it"
        )
    return (
        f"{display}: log {read.missing} is missing (announced, not written: a writer in Redis "
        f"Cluster mode between its two steps, or one that died there); read up to the log "
        f"before it, {later} from it on wait for the next refresh"
    )


def read_redis_journal(source: Source) -> RedisJournalRead:
    """Read a whole journal from Redis with read commands only.

    Raises:
        SourceError: when the server cannot be read, or holds no journal there.
    """
    journal = RedisJournal(source)
    replay = JournalReplay(source.display, unit="log")
    try:
        read = journal.read_new(replay)
    finally:
        journal.close()
    notes = list(replay.warnings)
    if read.missing is not None:
        notes.append(missing_log_note(source.display, read))
    return RedisJournalRead(tables=replay.tables(), logs=replay.lines, warnings=notes)
