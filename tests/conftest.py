"""Session fixtures: every test storage, built once per session with real Optuna calls.

The fixture campaign is built on every backend. SQLite and JournalStorage files are always
built. PostgreSQL (127.0.0.1:5432, trust auth) and MariaDB (127.0.0.1:3306, root without
password) get a fresh database per test session, dropped at the end; Redis is a
``redis-server`` started on a free local port for the session, killed at the end. An
unreachable or missing server skips its tests with the reason, unless
``HPO_TUI_REQUIRE_SERVERS=1``, where it fails them.

The campaigns of known structure (training dynamics, importance patterns, constraints, the
pruner audit, cross-budget transfer, multi-objective studies) are SQLite files built once here
and shared by the core, CLI and TUI tests that read them.

Under pytest-xdist every worker is a session of its own: its files are in its own
``tmp_path_factory`` folder, and its server databases are named after the worker.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
import pytest
from hypothesis import settings
from syrupy.assertion import SnapshotAssertion

from tests.helpers.constrained import write_constrained
from tests.helpers.dynamics_campaign import populate_dynamics
from tests.helpers.fixture_campaign import optuna_view, populate
from tests.helpers.golden import golden_folder
from tests.helpers.patterns_campaign import populate_patterns
from tests.helpers.pruning_campaign import populate_pruning
from tests.helpers.redis_server import RedisServer, redis_server_missing, run_redis_server
from tests.helpers.sqlite_writes import write_sqlite_without_fsync
from tests.helpers.transfer_campaign import populate_transfer

# Property tests check behaviour, never timing: no per-example deadline (a machine whose
# speed varies 3-4x between days would make one flaky).
settings.register_profile("hpo-tui", deadline=None)
settings.load_profile("hpo-tui")
write_sqlite_without_fsync()

REQUIRE_SERVERS = os.environ.get("HPO_TUI_REQUIRE_SERVERS") == "1"
PG_ADMIN = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres"}
MY_ADMIN = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}
# "gw0", "gw1", … under pytest-xdist; "main" in a plain run.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


@dataclass
class BuiltStorage:
    """A storage holding the fixture campaign, and what Optuna reported right after writing."""

    backend: str
    spec: str  # what a user would type: a path or a URL
    expected: dict[str, dict[str, Any]]


def _unavailable(reason: str) -> None:
    if REQUIRE_SERVERS:
        pytest.fail(f"HPO_TUI_REQUIRE_SERVERS=1 but {reason}")
    pytest.skip(reason)


@contextmanager
def _fresh_pg_database() -> Iterator[str]:
    """A new, empty PostgreSQL database (its URL), dropped on exit."""
    try:
        import psycopg2
    except ImportError:
        _unavailable("psycopg2 is not installed")
    name = f"hpo_tui_test_{WORKER}_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg2.connect(connect_timeout=3, **PG_ADMIN)
    except psycopg2.Error as exc:
        _unavailable(f"PostgreSQL not reachable on 127.0.0.1:5432 ({str(exc).strip()})")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
        # A test database is thrown away: its commits need not wait for the disk (the data
        # written, and what any reader sees, is the same).
        cur.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@contextmanager
def _fresh_mysql_database() -> Iterator[str]:
    """A new, empty MariaDB/MySQL database (its URL), dropped on exit."""
    try:
        import pymysql
    except ImportError:
        _unavailable("pymysql is not installed")
    name = f"hpo_tui_test_{WORKER}_{uuid.uuid4().hex[:10]}"
    try:
        admin = pymysql.connect(connect_timeout=3, autocommit=True, **MY_ADMIN)
    except pymysql.Error as exc:
        _unavailable(f"MariaDB not reachable on 127.0.0.1:3306 ({exc})")
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}`")
    try:
        yield f"mysql+pymysql://root@127.0.0.1:3306/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database URL for this session (dropped afterwards)."""
    with _fresh_pg_database() as url:
        yield url


@pytest.fixture(scope="session")
def mysql_database() -> Iterator[str]:
    """A fresh MariaDB/MySQL database URL for this session (dropped afterwards)."""
    with _fresh_mysql_database() as url:
        yield url


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A Redis server of this session's own on a free port of 127.0.0.1 (in memory only)."""
    missing = redis_server_missing()
    if missing is not None:
        _unavailable(missing)
    with run_redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="session")
def fresh_database() -> Iterator[Callable[[str], str]]:
    """Makes more fresh server databases: ``fresh_database("postgresql" | "mysql")`` gives
    the URL of a new, empty one; all are dropped at the end of the session."""
    makers = {"postgresql": _fresh_pg_database, "mysql": _fresh_mysql_database}
    with ExitStack() as stack:
        yield lambda backend: stack.enter_context(makers[backend]())


def _journal_storage(path: Path) -> Any:
    from optuna.storages.journal import JournalFileBackend

    return optuna.storages.JournalStorage(JournalFileBackend(str(path)))


@pytest.fixture(scope="session")
def built_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("storages")


@pytest.fixture(scope="session")
def sqlite_storage(built_dir: Path) -> BuiltStorage:
    path = built_dir / "campaign.db"
    url = f"sqlite:///{path}"
    populate(url)
    return BuiltStorage("sqlite", str(path), optuna_view(url))


@pytest.fixture(scope="session")
def journal_storage(built_dir: Path) -> BuiltStorage:
    path = built_dir / "campaign.log"  # recognised by content, not by extension
    storage = _journal_storage(path)
    populate(storage)
    return BuiltStorage("journal", str(path), optuna_view(_journal_storage(path)))


@pytest.fixture(scope="session")
def pg_storage(pg_database: str) -> BuiltStorage:
    populate(pg_database)
    return BuiltStorage("postgresql", pg_database, optuna_view(pg_database))


@pytest.fixture(scope="session")
def mysql_storage(mysql_database: str) -> BuiltStorage:
    populate(mysql_database)
    return BuiltStorage("mysql", mysql_database, optuna_view(mysql_database))


def _sqlite_file(tmp_path_factory: pytest.TempPathFactory, name: str, write: Any) -> Path:
    path = tmp_path_factory.mktemp(name) / f"{name}.db"
    write(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def dynamics_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The training-dynamics campaign (``tests/helpers/dynamics_campaign.py``)."""
    return str(_sqlite_file(tmp_path_factory, "dynamics", populate_dynamics))


@pytest.fixture(scope="session")
def patterns_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The importance and slice studies (``tests/helpers/patterns_campaign.py``)."""
    return _sqlite_file(tmp_path_factory, "patterns", populate_patterns)


@pytest.fixture(scope="session")
def constrained_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The constrained studies (``tests/helpers/constrained.py``)."""
    return str(_sqlite_file(tmp_path_factory, "constrained", write_constrained))


@pytest.fixture(scope="session")
def pruning_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The studies of the hand-worked pruner audit (``tests/helpers/pruning_campaign.py``)."""
    return str(_sqlite_file(tmp_path_factory, "pruning", populate_pruning))


@pytest.fixture(scope="session")
def transfer_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The hand-worked transfer sweep (``tests/helpers/transfer_campaign.py``)."""
    return str(_sqlite_file(tmp_path_factory, "transfer", populate_transfer))


@pytest.fixture(scope="session")
def patterns(patterns_db: Path) -> str:
    """:func:`patterns_db` as a user names it on the command line."""
    return str(patterns_db)


@pytest.fixture(scope="session")
def multi(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The multi-objective studies (``tests/helpers/multi_objective.py``) in a SQLite file."""
    from tests.helpers.multi_objective import multi_db

    return str(multi_db(tmp_path_factory))


@pytest.fixture
def golden(snapshot: SnapshotAssertion) -> Callable[[str], SnapshotAssertion]:
    """``assert golden("export/hpo_full.json") == text``: the text equals the committed file
    ``tests/fixtures/golden/export/hpo_full.json`` byte for byte (``--snapshot-update``
    rewrites it; see ``tests/helpers/golden.py``)."""

    def at(name: str) -> SnapshotAssertion:
        folder, file = name.split("/")
        return snapshot(extension_class=golden_folder(folder), name=file)

    return at


@pytest.fixture(scope="session")
def redis_storage(redis_server: RedisServer) -> BuiltStorage:
    from tests.helpers.redis_server import journal_storage

    spec = redis_server.fresh_spec()
    populate(journal_storage(spec))
    return BuiltStorage("redis", spec, optuna_view(journal_storage(spec)))


@pytest.fixture(scope="session")
def waiting_storage(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One study: 3 COMPLETE, 1 RUNNING and 2 WAITING (enqueued) trials."""
    path = tmp_path_factory.mktemp("states") / "states.db"
    study = optuna.create_study(study_name="s_2M_h1", storage=f"sqlite:///{path}")
    for x in (0.1, 0.2, 0.3):
        study.enqueue_trial({"x": x})
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    study.ask()  # RUNNING
    study.enqueue_trial({"x": 0.9})  # WAITING
    study.enqueue_trial({"x": 0.8})  # WAITING
    return str(path)


@pytest.fixture(scope="session")
def two_sweeps(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """Two storages, one sweep each (see ``tests.helpers.sweeps``)."""
    from tests.helpers.sweeps import write_two_sweeps

    return write_two_sweeps(tmp_path_factory.mktemp("sweeps"))


BACKENDS = [
    "sqlite",
    "sqlite-stdlib",
    "journal",
    "redis",
    "postgresql",
    "postgresql-copy",
    "mysql",
]


@pytest.fixture(params=BACKENDS)
def any_storage(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> BuiltStorage:
    """The fixture campaign on each backend in turn.

    ``sqlite`` reads through the ADBC driver when it is installed (the test extras install
    it); ``sqlite-stdlib`` reads the same file through Python's ``sqlite3``. ``postgresql``
    reads the large tables through the ADBC driver when installed, ``postgresql-copy``
    through psycopg2's ``COPY``.
    """
    if request.param == "sqlite-stdlib":
        monkeypatch.setenv("HPO_TUI_SQLITE_DRIVER", "sqlite3")
    if request.param == "postgresql-copy":
        monkeypatch.setenv("HPO_TUI_PG_BULK_READER", "copy")
    fixture = {
        "sqlite": "sqlite_storage",
        "sqlite-stdlib": "sqlite_storage",
        "journal": "journal_storage",
        "redis": "redis_storage",
        "postgresql": "pg_storage",
        "postgresql-copy": "pg_storage",
        "mysql": "mysql_storage",
    }[request.param]
    return request.getfixturevalue(fixture)


@pytest.fixture(scope="session", params=["sqlite", "journal", "postgresql", "mysql"])
def multi_built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Any]:
    """The multi-objective studies (``tests.helpers.multi_objective``) on each backend:
    (what a user gives hpo-tui, an Optuna storage over the same data)."""
    from tests.helpers.multi_objective import multi_db, write_multi

    if request.param in ("postgresql", "mysql"):
        url = request.getfixturevalue("fresh_database")(request.param)
        write_multi(url)
        return url, url
    if request.param == "sqlite":
        path = multi_db(tmp_path_factory)
        return str(path), f"sqlite:///{path}"
    path = tmp_path_factory.mktemp("multi-journal") / "multi.log"
    write_multi(_journal_storage(path))
    return str(path), _journal_storage(path)
