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


def test_loading_an_sqlite_storage_does_not_import_optuna(sqlite_storage: BuiltStorage) -> None:
    """Optuna's package import is most of a small campaign's load: the reader parses the
    distributions it stores without it (``raw.external_param_values``)."""
    code = (
        "import sys\n"
        "from hpo_tui.core import load_campaign\n"
        f"campaign = load_campaign([{sqlite_storage.spec!r}])\n"
        "assert len(campaign.trials) > 0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'optuna'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
