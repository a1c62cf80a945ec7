"""Import rules.

The static rules (the core is UI-free, storage knows no analysis or export, screens never
import the app module) are import-linter contracts in ``pyproject.toml``, run by ``make lint``
and here, so that ``make test`` fails on a broken contract too. A second test proves the
contracts bite, on a copy of the package with one forbidden import planted per contract.

What a static graph cannot see is what a process really imports at run time: the lazy
imports of Optuna, SQLAlchemy and Textual. Those few checks run in a fresh interpreter.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import hpo_tui
from tests.conftest import BuiltStorage

SRC = Path(hpo_tui.__file__).resolve().parents[1]  # the tree under test, not an installed copy
PYPROJECT = SRC.parent / "pyproject.toml"
UI_PACKAGES = ("textual", "rich")


def _contract_names() -> list[str]:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    return [contract["name"] for contract in config["tool"]["importlinter"]["contracts"]]


def _lint_imports(src: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the package under ``src`` with this project's contracts."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
            "--config",
            str(PYPROJECT),
            "--no-cache",  # no cache folder written into the tree
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_import_contracts_hold() -> None:
    pytest.importorskip("importlinter", reason="import-linter is in the test extra")
    result = _lint_imports(SRC, SRC.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    names = _contract_names()
    assert len(names) >= 4
    for name in names:
        assert f"{name} KEPT" in result.stdout


def test_each_contract_catches_a_forbidden_import(tmp_path: Path) -> None:
    """One planted import per contract: each contract reports its own as broken."""
    pytest.importorskip("importlinter", reason="import-linter is in the test extra")
    copy = tmp_path / "src"
    shutil.copytree(SRC / "hpo_tui", copy / "hpo_tui", ignore=shutil.ignore_patterns("__pycache__"))
    planted = {
        # the core would import a UI package (an external package: needs
        # include_external_packages), and the TUI
        "core/display.py": "import rich.text\nimport hpo_tui.tui.text\n",
        "core/storage/raw.py": "import hpo_tui.core.export.writer\n",
        # a screen reaching the app through a module that imports it
        "tui/screens/base.py": "import hpo_tui.tui.app\n",
        "tui/widgets/footer.py": "import hpo_tui.tui.screens.help\n",
    }
    for module, line in planted.items():
        path = copy / "hpo_tui" / module
        path.write_text(path.read_text(encoding="utf-8") + "\n" + line, encoding="utf-8")
    result = _lint_imports(copy, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    for name in _contract_names():
        assert f"{name} BROKEN" in result.stdout, result.stdout


def _imported_in_a_fresh_interpreter(code: str, packages: tuple[str, ...]) -> list[str]:
    """Run ``code`` in a new Python process; the top-level ``packages`` it imported."""
    probe = (
        f"\nprint('imported:', *sorted({{m.split('.')[0] for m in sys.modules}}"
        f" & {set(packages)!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", "import sys\n" + code + probe],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()[-1].split()[1:]


def test_importing_the_core_imports_neither_optuna_nor_sqlalchemy_nor_the_ui() -> None:
    """Optuna (≈ 0.2 s) and SQLAlchemy (≈ 0.25 s) are imported by the readers that need
    them, when they need them."""
    packages = ("optuna", "sqlalchemy", *UI_PACKAGES)
    assert _imported_in_a_fresh_interpreter("import hpo_tui.core", packages) == []


def test_no_core_module_imports_the_ui_at_run_time() -> None:
    """The contract sees import statements; this sees what importing every core module
    really loads (an ``importlib`` call included)."""
    code = (
        "import importlib, pkgutil, hpo_tui.core\n"
        "for info in pkgutil.walk_packages(hpo_tui.core.__path__, 'hpo_tui.core.'):\n"
        "    importlib.import_module(info.name)\n"
    )
    assert _imported_in_a_fresh_interpreter(code, UI_PACKAGES) == []


# What ``hpo-tui --version`` and building the parser must leave unimported: the UI, Optuna,
# and the data stack (pandas, numpy and pyarrow take ≈ 0.3 s before anything is printed).
HEAVY_PACKAGES = ("textual", "optuna", "pandas", "numpy", "pyarrow")


def test_the_cli_version_imports_neither_the_ui_nor_optuna_nor_pandas() -> None:
    code = (
        "from hpo_tui.cli import main\n"
        "try:\n"
        "    main(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    assert _imported_in_a_fresh_interpreter(code, HEAVY_PACKAGES) == []


def test_building_the_parser_imports_neither_the_ui_nor_optuna_nor_pandas() -> None:
    """Every command module is imported to build the parser (its flags and choices): their
    module level stays light, the heavy imports wait for the command that runs."""
    code = "from hpo_tui.cli.parser import build_parser\nbuild_parser()\n"
    assert _imported_in_a_fresh_interpreter(code, HEAVY_PACKAGES) == []


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


def test_the_light_defaults_are_the_ones_the_analyses_use() -> None:
    """The CLI shows the defaults from the light modules; the analyses and the writer use
    the same values."""
    from hpo_tui.core.analysis import bands, contour, defaults, grid, grid_ci, metrics, summary
    from hpo_tui.core.export import defaults as export_defaults
    from hpo_tui.core.export import verify, writer

    assert grid.METRIC_LABELS.keys() == set(metrics.METRICS)
    assert set(metrics.SUMMARY_METRICS) <= {*metrics.METRICS, "dynamics_n"}
    assert summary.DYNAMICS_METRICS is metrics.DYNAMICS_METRICS
    assert grid_ci.DEFAULT_RESAMPLES == defaults.DEFAULT_RESAMPLES
    assert bands.DEFAULT_TOP_PERCENT == defaults.DEFAULT_TOP_PERCENT
    assert contour.DEFAULT_BINS == defaults.DEFAULT_BINS
    assert verify.DEFAULT_LIMIT == export_defaults.DEFAULT_LIMIT
    assert writer.DEFAULT_OUT == export_defaults.DEFAULT_OUT


def test_the_default_importance_imports_neither_scikit_learn_nor_optuna_importance(
    patterns_db: Path, tmp_path: Path
) -> None:
    """``optuna.importance`` imports scikit-learn and SciPy (≈ 2.4 s, ≈ 100 MB) for fANOVA:
    PED-ANOVA, the default of the export, the CLI table and the TUI's screen (the cache),
    runs without them."""
    result = _load_in_a_fresh_interpreter(
        str(patterns_db),
        "from hpo_tui.core.analysis.importance import ImportanceCache, campaign_importance\n"
        "from hpo_tui.core.export.writer import write_export\n"
        f"write_export(campaign, __import__('pathlib').Path({str(tmp_path / 'out')!r}))\n"
        "frame = ImportanceCache().get(campaign)\n"
        "assert frame['importance'].notna().sum() >= 6\n"
        "assert frame.equals(campaign_importance(campaign))\n"
        "print(*sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy')"
        " or m.startswith('optuna.importance')))\n",
    )
    assert result.stdout.split() == []
    csv = (tmp_path / "out" / "hpo_importance.csv").read_text(encoding="utf-8")
    assert ",ped_anova," in csv
