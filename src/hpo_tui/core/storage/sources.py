"""One entry point that turns what the user typed into storage sources.

A source is a SQLite file (path or ``sqlite:///`` URL), a PostgreSQL or MySQL URL, Optuna's
gRPC storage proxy (``grpc://HOST:PORT``), an Optuna JournalStorage log file (recognised by
content, not extension), or a JournalStorage in Redis
(``redis://HOST:PORT/DB?prefix=NAME``, ``rediss://`` with TLS). A directory stands for
every storage inside it, recursively. Nothing here writes: files are only opened for reading,
and a missing path is an error, never a new file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from hpo_tui.core.errors import SourceError

SQLITE_MAGIC = b"SQLite format 3\x00"
_JOURNAL_PROBE_BYTES = 1 << 20
_SERVER_SCHEMES = ("postgresql", "postgres", "mysql", "mariadb")
_WHOLE_SECOND_SCHEMES = ("mysql", "mariadb")
_REDIS_SCHEMES = ("redis", "rediss")
WHOLE_SECONDS_NOTE = "storage keeps whole seconds"


class SourceKind(StrEnum):
    """How a source is read."""

    SQLITE = "sqlite"
    JOURNAL = "journal"
    SERVER = "server"
    GRPC = "grpc"
    REDIS = "redis"

    @property
    def is_url(self) -> bool:
        """Whether sources of this kind are URLs (no file to find on disk)."""
        return self in (SourceKind.SERVER, SourceKind.GRPC, SourceKind.REDIS)


@dataclass(frozen=True)
class Source:
    """One storage. ``location`` is a file path or a database URL (may hold a password)."""

    kind: SourceKind
    location: str

    @property
    def keeps_whole_seconds(self) -> bool:
        """Whether the storage holds datetimes to whole seconds only: Optuna's MySQL schema
        declares ``DATETIME`` without fractional seconds (MySQL rounds to the second, MariaDB
        truncates), so times and durations read from it have no fractions."""
        return self.kind is SourceKind.SERVER and _scheme(self.location) in _WHOLE_SECOND_SCHEMES

    @property
    def display(self) -> str:
        """How to show the source: the path, or the URL with its password masked."""
        if self.kind in (SourceKind.SERVER, SourceKind.REDIS):
            return mask_url(self.location)
        return self.location

    def __repr__(self) -> str:  # never leak a password through a repr in a log or traceback
        return f"Source(kind={self.kind.value!r}, location={self.display!r})"


_SECRET_QUERY_KEYS = ("password", "passwd", "pwd", "sslpassword")


def mask_url(url: str) -> str:
    """The URL with any password (in the user info or the query string) replaced by ``***``.

    Plain string work (no SQLAlchemy: its import is a quarter of a small load): the user info
    is everything before the last ``@`` ahead of the query, its password everything after its
    first ``:``. An odd URL may be masked more than needed, never less.
    """
    if "://" not in url:
        return url
    scheme, _, rest = url.partition("://")
    location, mark, query = rest.partition("?")
    userinfo, at, host = location.rpartition("@")
    if at:
        user, colon, _password = userinfo.partition(":")
        location = f"{user}:***@{host}" if colon else f"{user}@{host}"
    if mark:
        query = "&".join(_mask_query_item(item) for item in query.split("&"))
    return f"{scheme}://{location}{mark}{query}"


def _mask_query_item(item: str) -> str:
    name, equals, _value = item.partition("=")
    return f"{name}=***" if equals and name.lower() in _SECRET_QUERY_KEYS else item


def _scheme(spec: str) -> str:
    """The URL's scheme without its driver (``mysql+pymysql`` → ``mysql``); "" for a path."""
    scheme = spec.split("://", 1)[0].lower() if "://" in spec else ""
    return scheme.split("+", 1)[0]


def _is_server_url(spec: str) -> bool:
    return _scheme(spec) in _SERVER_SCHEMES


def _sqlite_url_path(spec: str) -> str:
    # sqlite:///relative.db, sqlite:////absolute.db; query strings are not supported on purpose.
    rest = spec[len("sqlite://") :]
    if not rest.startswith("/"):
        raise SourceError(spec, "not a valid SQLite URL (expected sqlite:///PATH)")
    path = rest[1:]
    path = path.split("?", 1)[0]
    if path in ("", ":memory:"):
        raise SourceError(spec, "an in-memory SQLite database holds no study")
    return unquote(path)


def classify_file(path: Path) -> SourceKind | None:
    """The kind of storage a file holds, by content; ``None`` if it is not one.

    Raises:
        SourceError: when the file cannot be read.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(_JOURNAL_PROBE_BYTES)
    except PermissionError:
        raise SourceError(str(path), "permission denied") from None
    except IsADirectoryError:
        raise SourceError(str(path), "is a directory") from None
    except OSError as exc:
        raise SourceError(str(path), f"cannot read ({exc.strerror})") from None
    if head.startswith(SQLITE_MAGIC):
        return SourceKind.SQLITE
    first_line = head.split(b"\n", 1)[0]
    try:
        record = json.loads(first_line)
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(record, dict) and "op_code" in record and "worker_id" in record:
        return SourceKind.JOURNAL
    return None


def _describe_unknown(path: Path) -> str:
    size = path.stat().st_size
    if size == 0:
        return "empty file (0 bytes), not an Optuna storage"
    return "not an Optuna storage (neither a SQLite database nor a JournalStorage log)"


def _resolve_path(path: Path, shown: str) -> list[Source]:
    if not path.exists():
        raise SourceError(shown, "no such file or directory")
    if path.is_dir():
        return _scan_directory(path, shown)
    kind = classify_file(path)
    if kind is None:
        raise SourceError(shown, _describe_unknown(path))
    return [Source(kind, str(path))]


def _scan_directory(
    directory: Path, shown: str, skip: frozenset[str] = frozenset()
) -> list[Source]:
    found: list[Source] = []
    for root, dirs, files in os.walk(directory, onerror=None):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            candidate = Path(root) / name
            if name.endswith(("-journal", "-wal", "-shm", ".lock")) or not candidate.is_file():
                continue
            if os.path.realpath(candidate) in skip:
                continue  # known already: not read again
            try:
                kind = classify_file(candidate)
            except SourceError:
                continue  # an unreadable stray file does not hide the storages beside it
            if kind is not None and candidate.stat().st_size > 0:
                found.append(Source(kind, str(candidate)))
    if not found and not skip:
        raise SourceError(shown, "directory holds no Optuna storage (SQLite or journal file)")
    return found


def new_sources_in(specs: list[str], known: list[Source]) -> list[Source]:
    """Storages that appeared in the directories among ``specs`` since ``known`` was listed.

    Only files not known yet are opened (to recognise them), so a refresh of a large
    directory costs a directory walk.
    """
    skip = frozenset(_canonical(s) for s in known if not s.kind.is_url)
    found: list[Source] = []
    for spec in specs:
        path = Path(spec)
        if "://" not in spec and path.is_dir():
            found.extend(_scan_directory(path, spec, skip))
    return found


def resolve_sources(specs: list[str] | tuple[str, ...]) -> list[Source]:
    """Turn paths and URLs into sources, expanding directories; duplicates are dropped.

    Args:
        specs: What the user gave: file paths, directories, ``sqlite:///`` and server URLs.

    Raises:
        SourceError: for a missing path, an unrecognised file or an invalid URL.
    """
    sources: list[Source] = []
    for spec in specs:
        if _is_server_url(spec):
            sources.append(Source(SourceKind.SERVER, spec))
        elif _scheme(spec) == "grpc":
            grpc_address(spec)  # a malformed address is an error now, not at the first read
            sources.append(Source(SourceKind.GRPC, spec))
        elif _scheme(spec) in _REDIS_SCHEMES:
            redis_address(spec)  # as for gRPC: a malformed address fails before any read
            sources.append(Source(SourceKind.REDIS, spec))
        elif spec.lower().startswith("sqlite:"):
            path = Path(_sqlite_url_path(spec))
            resolved = _resolve_path(path, spec)
            if resolved[0].kind is not SourceKind.SQLITE or path.is_dir():
                raise SourceError(spec, "not a SQLite database")
            sources.extend(resolved)
        elif "://" in spec:
            scheme = spec.split("://", 1)[0]
            raise SourceError(
                mask_url(spec),
                f"unsupported storage URL scheme {scheme!r} "
                "(use a file path, sqlite:///, postgresql://, mysql+pymysql://, grpc:// "
                "or redis://)",
            )
        else:
            sources.extend(_resolve_path(Path(spec), spec))
    unique: dict[tuple[SourceKind, str], Source] = {}
    for source in sources:
        key = (source.kind, _canonical(source))
        unique.setdefault(key, source)
    return list(unique.values())


def grpc_address(spec: str) -> tuple[str, int]:
    """The host and port of a ``grpc://HOST:PORT`` proxy address (``[::1]`` for IPv6).

    Raises:
        SourceError: when the address lacks a host or a valid port, or holds anything else
            (the proxy takes no path, query, user or password).
    """
    rest = spec.split("://", 1)[1]
    shown = mask_url(spec)
    if "@" in rest:
        raise SourceError(shown, "the gRPC proxy takes no user or password (grpc://HOST:PORT)")
    if any(mark in rest for mark in "/?#"):
        raise SourceError(shown, "a gRPC proxy address has no path or query (grpc://HOST:PORT)")
    host, colon, port = rest.rpartition(":")
    if not colon or not port.isdigit() or not 0 < int(port) < 65536:
        raise SourceError(shown, "a gRPC proxy address needs a port 1–65535 (grpc://HOST:PORT)")
    if not host.strip("[]"):
        raise SourceError(shown, "a gRPC proxy address needs a host (grpc://HOST:PORT)")
    return host, int(port)


@dataclass(frozen=True)
class RedisAddress:
    """Where a journal in Redis is: the server URL for the client (without ``prefix``), the
    database number, and the key prefix (Optuna's ``JournalRedisBackend(prefix=...)``)."""

    url: str
    db: int
    prefix: str

    @property
    def counter_key(self) -> str:
        """The key holding the number of the last log written."""
        return f"{self.prefix}:log_number"

    def log_key(self, number: int) -> str:
        """The key of log ``number`` (0 is the first)."""
        return f"{self.prefix}:log:{number}"


def redis_address(spec: str) -> RedisAddress:
    """The parts of ``redis://[USER:PASSWORD@]HOST[:PORT][/DB][?prefix=NAME]``
    (``rediss://`` for TLS). The port defaults to 6379, the database to 0 and the prefix to
    ``""``, as in Optuna. Other query options are the Redis client's (e.g. ``ssl_ca_certs``).

    Raises:
        SourceError: when the host, port or database is invalid or the prefix is given twice.
    """
    shown = mask_url(spec)
    parts = urlsplit(spec)
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise SourceError(shown, "a Redis address needs a port 1–65535 (redis://HOST:PORT/DB)")
    if not parts.hostname:
        raise SourceError(shown, "a Redis address needs a host (redis://HOST:PORT/DB)")
    path = parts.path.strip("/")
    if path and not (path.isascii() and path.isdigit()):
        raise SourceError(
            shown, f"the Redis database must be a number, not {path!r} (redis://HOST:PORT/DB)"
        )
    if parts.fragment:
        raise SourceError(shown, "a Redis address has no #fragment")
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefixes = [value for name, value in query if name == "prefix"]
    if len(prefixes) > 1:
        raise SourceError(shown, "the prefix is given more than once")
    rest = "&".join(item for item in parts.query.split("&") if item.partition("=")[0] != "prefix")
    url = parts._replace(path=f"/{int(path or 0)}", query=rest).geturl()
    return RedisAddress(url=url, db=int(path or 0), prefix=prefixes[0] if prefixes else "")


def _canonical(source: Source) -> str:
    if source.kind.is_url:
        return source.location
    return os.path.realpath(source.location)
