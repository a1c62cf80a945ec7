"""The core never imports Textual or Rich (checked in a fresh interpreter per module)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import hpo_tui.core
from tests.conftest import BuiltStorage

SUBMODULES = sorted(m.name for m in pkgutil.iter_modules(hpo_tui.core.__path__))
CORE_MODULES = ["hpo_tui.core", *(f"hpo_tui.core.{name}" for name in SUBMODULES)]


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_without_ui(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"{module} pulled in {result.stdout.strip()}"


def _load_in_a_fresh_interpreter(spec: str, then: str) -> subprocess.CompletedProcess[str]:
    """``load_campaign([spec])`` in a new Python process, then the code ``then`` (which sees
    ``sys`` and ``campaign``)."""
    code = (
        "import sys\n"
        "from hpo_tui.core import load_campaign\n"
        f"campaign = load_campaign([{spec!r}])\n" + then
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)


def _packages_imported_by_a_load(spec: str, packages: tuple[str, ...]) -> list[str]:
    result = _load_in_a_fresh_interpreter(
        spec,
        "assert len(campaign.trials) > 0\n"
        f"print(*sorted(m for m in sys.modules if m.split('.')[0] in {packages!r}))\n",
    )
    return result.stdout.split()


def test_loading_an_sqlite_storage_does_not_import_optuna(sqlite_storage: BuiltStorage) -> None:
    """Optuna's package import is most of a small campaign's load: the reader parses the
    distributions it stores without it (``raw.external_param_values``)."""
    assert _packages_imported_by_a_load(sqlite_storage.spec, ("optuna",)) == []


def test_loading_a_postgresql_storage_does_not_import_sqlalchemy(pg_storage: BuiltStorage) -> None:
    """psycopg2 connects by itself; SQLAlchemy's import (≈ 0.25 s with its engine) is left to
    the drivers that need it (MySQL/MariaDB)."""
    assert _packages_imported_by_a_load(pg_storage.spec, ("sqlalchemy", "optuna")) == []


def test_a_url_libpq_cannot_parse_still_opens_through_sqlalchemy(pg_storage: BuiltStorage) -> None:
    """A password that is not valid percent-encoding: libpq refuses the URL (and its message
    would quote the password), SQLAlchemy takes it as typed; the server (trust auth here)
    lets the user in, and the password is never shown."""
    scheme, _, rest = pg_storage.spec.partition("://")
    user, _, host = rest.partition("@")
    spec = f"{scheme}://{user}:s3cr%zz@{host}"
    result = _load_in_a_fresh_interpreter(
        spec,
        "print(len(campaign.trials), 'sqlalchemy' in sys.modules)\n"
        "print(*campaign.studies['source'].unique())\n",
    )
    counts, shown = result.stdout.splitlines()
    assert counts.split() == [str(_trial_count(pg_storage)), "True"]
    assert "s3cr" not in result.stdout + result.stderr
    assert shown == f"{scheme}://{user}:***@{host}"


def _trial_count(storage: BuiltStorage) -> int:
    from hpo_tui.core import load_campaign

    return len(load_campaign([storage.spec]).trials)
