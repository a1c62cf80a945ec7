"""Read-only reader of Optuna's gRPC storage proxy (``grpc://HOST:PORT``).

The proxy (``optuna.storages.run_grpc_proxy_server``) is read through Optuna's own client,
``GrpcStorageProxy``, with only two of the service's calls: ``GetAllStudies`` (names,
directions, study attrs) and ``GetTrials``. The client's stub is replaced by one that offers
nothing else, so no create, set or delete call can leave this process.

A refresh keeps the client: its trial cache asks only for the unfinished trial ids and the
ids above the last finished one, as Optuna's own cached storage does.

Times: the proxy formats each trial's times as naive local time of the proxy's process; they
are read as local time of this machine. Run both in the same time zone (or both in UTC) for
exact times; otherwise every time is off by the zones' difference (durations are not).

A reply holding fields or enum values this Optuna does not know comes from a newer Optuna's
proxy: it is refused with one line instead of being read with parts silently missing.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from hpo_tui.core.errors import SourceError
from hpo_tui.core.storage.raw import RawTables, patch_tables, raw_from_frozen
from hpo_tui.core.storage.sources import Source, grpc_address

READ_CALLS = ("GetAllStudies", "GetTrials")
_FIRST_CALL_TIMEOUT_S = 10.0  # an address that drops packets fails here, not never
_CALL_TIMEOUT_S = 600.0  # a whole large study in one reply
_HTTP_STATUS = re.compile(r"http2 header with status: ([0-9]{3})")
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")


class _NewerProxy(Exception):
    """A reply this Optuna cannot read completely."""


class _ReadOnlyStub:
    """The proxy's service stub reduced to its read calls; each reply is checked for what
    this Optuna's messages do not declare."""

    def __init__(self, stub: Any) -> None:
        self._stub = stub
        self._answered = False

    def _call(self, name: str, request: Any) -> Any:
        timeout = _CALL_TIMEOUT_S if self._answered else _FIRST_CALL_TIMEOUT_S
        reply = getattr(self._stub, name)(request, timeout=timeout)
        self._answered = True
        _check_known(name, reply)
        return reply

    def GetAllStudies(self, request: Any) -> Any:
        """Every study with its directions and attrs."""
        return self._call("GetAllStudies", request)

    def GetTrials(self, request: Any) -> Any:
        """The trials of a study whose id is listed or above a given id."""
        return self._call("GetTrials", request)

    def __getattr__(self, name: str) -> Any:
        raise PermissionError(f"hpo-tui only reads: the proxy call {name} is not made")


def _check_known(call: str, reply: Any) -> None:
    """Raise :class:`_NewerProxy` when ``reply`` holds unknown fields or enum values."""
    from optuna.storages._grpc.auto_generated import api_pb2

    size = reply.ByteSize()
    reply.DiscardUnknownFields()  # recursive, in protobuf's C code: cheap for large replies
    if reply.ByteSize() != size:
        raise _NewerProxy(f"fields this Optuna does not know in its {call} reply")
    directions = {api_pb2.MINIMIZE, api_pb2.MAXIMIZE}
    states = set(api_pb2.TrialState.values())
    for study in getattr(reply, "studies", ()):
        # Optuna's client reads any direction other than MINIMIZE as MAXIMIZE.
        if not set(study.directions) <= directions:
            raise _NewerProxy("a study direction this Optuna does not know")
    for trial in getattr(reply, "trials", ()):
        if trial.state not in states:
            raise _NewerProxy("a trial state this Optuna does not know")


def _rpc_problem(exc: Any) -> str:
    """One line for a failed call: what went wrong, never a password."""
    import grpc

    code = exc.code() if callable(getattr(exc, "code", None)) else None
    details = str(exc.details() if callable(getattr(exc, "details", None)) else exc)
    first = _URL_PASSWORD.sub(r"\1***@", details.strip().splitlines()[0] if details else "")
    if "parsing http/2" in details.lower() or "http1.x" in details.lower():
        # A server that answers, but not in HTTP/2 (a web server, another protocol).
        return "not an Optuna storage proxy (the server does not speak gRPC)"
    if code is grpc.StatusCode.UNAVAILABLE:
        reason = "connection refused" if "refused" in details.lower() else first[:120]
        return f"proxy not reachable ({reason})"
    if code is grpc.StatusCode.DEADLINE_EXCEEDED:
        return "proxy not reachable (timed out)"
    if code is grpc.StatusCode.UNIMPLEMENTED:
        http = _HTTP_STATUS.search(details)
        if http:  # an HTTP/2 server that is not a gRPC one (a web server, a gateway)
            return f"not an Optuna storage proxy (the server answered HTTP {http.group(1)})"
        return "not an Optuna storage proxy (the server does not offer Optuna's StorageService)"
    name = code.name if code is not None else type(exc).__name__
    return f"the proxy failed ({name}: {first[:200]})"


class GrpcProxyReader:
    """Reads one proxy; keeps Optuna's client (and its trial cache) between refreshes."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.raw: RawTables | None = None
        self.warnings: list[str] = []
        self._client: Any = None
        self._known: dict[int, Any] = {}  # trial id → the FrozenTrial last read

    def _connect(self) -> Any:
        try:
            import optuna
            from optuna.storages import GrpcStorageProxy
        except ImportError:
            raise SourceError(
                self.source.display, "gRPC support missing: pip install 'hpo-tui[grpc]'"
            ) from None
        try:
            import grpc  # noqa: F401  (Optuna imports it lazily, at the first call)
        except ImportError:
            raise SourceError(
                self.source.display, "gRPC support missing: pip install 'hpo-tui[grpc]'"
            ) from None
        host, port = grpc_address(self.source.location)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            client = GrpcStorageProxy(host=host, port=port)
        # Optuna's client calls its stub and its cache's stub: both become the read-only one.
        read_only: Any = _ReadOnlyStub(client._stub)
        client._stub = read_only
        client._cache.grpc_client = read_only
        return client

    def _read(self) -> tuple[list[Any], dict[int, list[Any]]]:
        """Studies and every trial of each (served from the client's cache, topped up)."""
        if self._client is None:
            self._client = self._connect()
        import grpc

        try:
            studies = self._client.get_all_studies()
            trials = {}
            for study in studies:
                try:
                    trials[study._study_id] = self._client.get_all_trials(
                        study._study_id, deepcopy=False
                    )
                except KeyError:
                    continue  # deleted since the study list was read: gone, as its study
            studies = [s for s in studies if s._study_id in trials]
        except grpc.RpcError as exc:
            self._drop_client()
            raise SourceError(self.source.display, _rpc_problem(exc)) from None
        except (_NewerProxy, ValueError) as exc:  # ValueError: Optuna's own unknown-value check
            self._drop_client()
            raise SourceError(
                self.source.display,
                f"a proxy of a newer Optuna ({exc}); read it with the proxy's Optuna version",
            ) from None
        return studies, trials

    def _drop_client(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
            self._known = {}

    def load(self) -> RawTables:
        """Read every study and trial."""
        studies, trials = self._read()
        self._known = {t._trial_id: t for group in trials.values() for t in group}
        self.raw = raw_from_frozen(studies, trials)
        return self.raw

    def refresh(self) -> tuple[RawTables, set[int]] | None:
        """The patched tables and the trial ids that changed; ``None`` if nothing did."""
        assert self.raw is not None
        if self._client is None:  # the last refresh failed: start over with a full read
            before = self.raw
            after = self.load()
            changed = set(after.trials["trial_id"].tolist()) | set(
                before.trials["trial_id"].tolist()
            )
            return after, changed
        studies, trials = self._read()
        current = {t._trial_id: t for group in trials.values() for t in group}
        # The cache swaps in a new object for every trial it fetched again: only those can
        # differ; of those, a trial equal to what was known did not move.
        fetched = {tid for tid, trial in current.items() if trial is not self._known.get(tid)}
        changed = {tid for tid in fetched if current[tid] != self._known.get(tid)}
        removed = set(self._known) - set(current)
        studies_before = self.raw.studies
        refetched = {
            sid: [t for t in group if t._trial_id in fetched] for sid, group in trials.items()
        }
        patch = raw_from_frozen(studies, refetched)
        self._known = current
        if not changed and not removed and _same_studies(studies_before, patch.studies):
            return None
        self.raw = patch_tables(self.raw, patch, fetched | removed)
        return self.raw, changed | removed


def _same_studies(before: Any, after: Any) -> bool:
    """Whether the study tables hold the same studies, names, directions and attrs."""
    if len(before) != len(after):
        return False
    columns = ["study_id", "study_name", "directions", "user_attrs", "system_attrs"]
    a = before.sort_values("study_id")[columns].to_dict("records")
    b = after.sort_values("study_id")[columns].to_dict("records")
    return bool(a == b)


def read_grpc(source: Source) -> RawTables:
    """Read a whole campaign through a gRPC storage proxy, with read calls only.

    Raises:
        SourceError: when the proxy is unreachable, is not Optuna's, or is of a newer Optuna.
    """
    reader = GrpcProxyReader(source)
    try:
        return reader.load()
    finally:
        reader._drop_client()
