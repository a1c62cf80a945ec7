"""Names shared by the benchmark scripts: sizes, cache paths, database URLs, table lists.

Standard library only: the measurement children import this module before they start their
clock, and it must not pull numpy, pandas or Optuna into a process that measures a raw read.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

GENERATOR_VERSION = 1
"""Bumped whenever :mod:`generate` writes different data (old cache entries are ignored)."""

BENCH_DIR = Path(__file__).resolve().parent
CACHE_DIR = BENCH_DIR / ".cache"


def archived_source(rev: str) -> tuple[str, Path]:
    """``src/`` of ``rev`` in ``bench/.cache/src-<commit>/`` (made once): (commit, its src)."""
    root = BENCH_DIR.parent
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", f"{rev}^{{commit}}"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    target = CACHE_DIR / f"src-{commit[:12]}"
    if not (target / "src" / "hpo_tui").is_dir():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", commit, "src"], cwd=root, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return commit, target / "src"


ARROW_VENV_PYTHON = CACHE_DIR / "arrow-venv" / "bin" / "python"

PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_USER = "postgres"
PG_SERVER_URL = f"postgresql+psycopg2://{PG_USER}@{PG_HOST}:{PG_PORT}/"
PG_ADMIN_DB = "postgres"

MY_HOST = "127.0.0.1"
MY_PORT = 3306
MY_USER = "root"  # no password (the local MariaDB test server)
MY_SERVER_URL = f"mysql+pymysql://{MY_USER}@{MY_HOST}:{MY_PORT}/"

BACKENDS = ("sqlite", "postgresql")  # the suite's; bench/generate.py also writes MySQL/MariaDB

BUDGETS = ("2M", "20M", "200M", "2B")
HORIZONS = (1, 3, 5)

# Every table hpo-tui's bulk reader selects from (see hpo_tui.core.storage.rdb.schema's
# OPTUNA_TABLES). The generated storages hold rows in seven of them; the three others are
# empty, as in a real campaign run with the TPE sampler.
DATA_TABLES = (
    "studies",
    "study_directions",
    "study_user_attributes",
    "study_system_attributes",
    "trials",
    "trial_values",
    "trial_params",
    "trial_intermediate_values",
    "trial_user_attributes",
    "trial_system_attributes",
)

# The column lists hpo-tui's reader selects (core/storage/rdb/read.py, schema head v3.2.0.a).
HPO_TUI_SELECTS = (
    "SELECT library_version FROM version_info",
    "SELECT version_num FROM alembic_version",
    "SELECT study_id, study_name FROM studies",
    "SELECT study_id, objective, direction FROM study_directions ORDER BY study_id, objective",
    'SELECT study_id, "key", value_json FROM study_user_attributes',
    'SELECT study_id, "key", value_json FROM study_system_attributes',
    "SELECT trial_id, study_id, number, state, datetime_start, datetime_complete FROM trials",
    "SELECT trial_id, objective, value, value_type FROM trial_values",
    "SELECT trial_id, param_name, param_value, distribution_json FROM trial_params",
    'SELECT trial_id, "key", value_json FROM trial_user_attributes',
    'SELECT trial_id, "key", value_json FROM trial_system_attributes',
    "SELECT trial_id, step, intermediate_value, intermediate_value_type "
    "FROM trial_intermediate_values",
    "SELECT trial_id, heartbeat FROM trial_heartbeats",  # empty unless heartbeat_interval
)

_SIZE = re.compile(r"^(\d+)x(\d+)x(\d+)(-iv)?$")
INTERMEDIATE_ONLY_SUFFIX = "-iv"


@dataclass(frozen=True, order=True)
class Size:
    """A storage of ``studies`` studies x ``trials`` trials x ``steps`` reported steps.

    By default every trial also carries the ``train_losses``/``val_losses`` list user attrs
    (two more curves of ``steps`` points); the ``-iv`` suffix (``12x5000x100-iv``) makes a
    storage of intermediate values only, the one curve every Optuna pruning setup reports.
    """

    studies: int
    trials: int
    steps: int
    list_attrs: bool = True

    @classmethod
    def parse(cls, text: str) -> Size:
        """Parse ``"12x2000x100"`` (studies x trials per study x steps per trial[-iv])."""
        match = _SIZE.match(text.strip().lower())
        if not match:
            raise ValueError(
                f"size {text!r} is not STUDIESxTRIALSxSTEPS[-iv], e.g. 12x2000x100 or "
                "12x5000x100-iv"
            )
        studies, trials, steps = (int(g) for g in match.groups()[:3])
        if min(studies, trials, steps) < 1:
            raise ValueError(f"size {text!r}: every dimension must be at least 1")
        return cls(studies, trials, steps, list_attrs=match.group(4) is None)

    @property
    def label(self) -> str:
        """``"12x2000x100"`` (``"12x5000x100-iv"`` without the list attrs)."""
        suffix = "" if self.list_attrs else INTERMEDIATE_ONLY_SUFFIX
        return f"{self.studies}x{self.trials}x{self.steps}{suffix}"

    @property
    def n_trials(self) -> int:
        """Trials in the whole storage."""
        return self.studies * self.trials

    @property
    def sqlite_path(self) -> Path:
        """Where the SQLite storage of this size is cached."""
        return CACHE_DIR / f"bench_{self.label}.v{GENERATOR_VERSION}.db"

    @property
    def pg_database(self) -> str:
        """Name of the PostgreSQL database holding this size."""
        return f"hpo_tui_bench_{self.label.replace('-', '_')}"

    @property
    def pg_url(self) -> str:
        """SQLAlchemy URL of this size's PostgreSQL database (what a user would type)."""
        return PG_SERVER_URL + self.pg_database

    @property
    def mysql_database(self) -> str:
        """Name of the MySQL/MariaDB database holding this size."""
        return self.pg_database

    @property
    def mysql_url(self) -> str:
        """SQLAlchemy URL of this size's MySQL/MariaDB database (what a user would type)."""
        return MY_SERVER_URL + self.mysql_database

    @property
    def pg_dsn(self) -> str:
        """libpq DSN of this size's PostgreSQL database (for psycopg2 directly)."""
        return pg_dsn(self.pg_database)


def pg_dsn(database: str) -> str:
    """libpq DSN of ``database`` on the benchmark server."""
    return f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={database} connect_timeout=5"


def parse_sizes(text: str) -> list[Size]:
    """Parse a comma-separated list of sizes, e.g. ``"12x50x100,12x2000x100"``."""
    return [Size.parse(part) for part in text.split(",") if part.strip()]


def parse_backends(text: str) -> list[str]:
    """``sqlite``, ``postgresql`` or ``both`` → the list of backends."""
    if text == "both":
        return list(BACKENDS)
    if text not in BACKENDS:
        raise ValueError(f"backend {text!r} is not one of sqlite, postgresql, both")
    return [text]


def study_names(count: int) -> list[str]:
    """``bench_{budget}_h{horizon}`` for the 12 combinations, cycled with a suffix past 12."""
    base = [f"bench_{b}_h{h}" for b in BUDGETS for h in HORIZONS]
    names = []
    for index in range(count):
        name = base[index % len(base)]
        cycle = index // len(base)
        names.append(name if cycle == 0 else f"{name}_{cycle}")
    return names
