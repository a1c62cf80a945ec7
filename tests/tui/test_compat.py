"""``hpo_tui.tui.compat`` holds every private member of Textual, textual-fastdatatable,
textual-plotext and plotext that the TUI uses: each still exists in the pinned versions, and
no other TUI module touches one."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pyarrow as pa
import pytest
from textual_fastdatatable import ArrowBackend, DataTable

import hpo_tui
from hpo_tui.tui import compat
from hpo_tui.tui.compat import PRIVATE_MEMBERS, PrivateMember

PACKAGE = Path(hpo_tui.__file__).resolve().parent
TUI = PACKAGE / "tui"
COMPAT = TUI / "compat.py"


def _owner(member: PrivateMember) -> object:
    module_name, _, class_name = member.owner.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, class_name) if class_name else module


def _instance(owner: object) -> object:
    """An unmounted instance, for the members set in ``__init__``."""
    if owner is DataTable:
        return DataTable(backend=ArrowBackend(pa.table({"a": [1]})))
    raise AssertionError(f"no instance recipe for {owner!r}: add one here")


@pytest.mark.parametrize("member", PRIVATE_MEMBERS, ids=lambda m: f"{m.owner}.{m.name}")
def test_each_private_member_still_exists(member: PrivateMember) -> None:
    owner = _owner(member)
    holder = _instance(owner) if member.on_instance else owner
    assert hasattr(holder, member.name), f"{member.owner} has no {member.name} any more"
    if member.parameters is not None:
        found = tuple(inspect.signature(getattr(owner, member.name)).parameters)
        assert found[1:] == member.parameters, f"{member.owner}.{member.name}{found}"


def test_the_cell_cache_key_is_the_librarys() -> None:
    """``CellHookDataTable`` stores hooked cells in the library's cell cache under the
    library's key: the key must hold the same members, or a cached cell would outlive what
    the library invalidates."""
    source = inspect.getsource(DataTable._render_cell)
    found = re.search(r"cell_cache_key[^=]*=\s*\((.*?)\)\n", source, re.DOTALL)
    assert found is not None, "the library's _render_cell builds no cell_cache_key any more"
    fields = [part.strip() for part in found.group(1).split(",") if part.strip()]
    arguments = ["row_index", "column_index", "base_style", "cursor", "hover", "in_range"]
    assert fields == [*arguments, *(f"self.{name}" for name in compat.CELL_CACHE_KEY_FIELDS)]


def _own_private_names() -> set[str]:
    """Private names hpo-tui defines itself: functions, classes, class-level names and the
    attributes its ``__init__`` methods set."""
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            if isinstance(node, ast.Module | ast.ClassDef):
                for statement in node.body:
                    targets = []
                    if isinstance(statement, ast.Assign):
                        targets = statement.targets
                    elif isinstance(statement, ast.AnnAssign):
                        targets = [statement.target]
                    names.update(t.id for t in targets if isinstance(t, ast.Name))
            if isinstance(node, ast.FunctionDef) and node.name == "__init__":
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Attribute) and isinstance(inner.ctx, ast.Store):
                        names.add(inner.attr)
    return {name for name in names if name.startswith("_")}


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_other_tui_module_touches_a_private_member() -> None:
    own = _own_private_names()
    found = []
    for path in sorted(TUI.rglob("*.py")):
        if path == COMPAT:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(PACKAGE)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and _is_private(node.attr) and node.attr not in own:
                found.append(f"{where}:{node.lineno} .{node.attr}")
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                parts = node.module.split(".")
                if parts[0] != "hpo_tui" and any(_is_private(part) for part in parts):
                    found.append(f"{where}:{node.lineno} from {node.module}")
    assert found == [], "private members outside tui/compat.py: " + ", ".join(found)


def test_no_other_tui_class_overrides_a_private_method() -> None:
    found = []
    for path in sorted(TUI.rglob("*.py")):
        module_name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        module = importlib.import_module(module_name.removesuffix(".__init__"))
        for cls in vars(module).values():
            if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                continue
            if module is compat:
                continue
            foreign = [b for b in cls.__mro__[1:] if not b.__module__.startswith("hpo_tui.")]
            for name, value in vars(cls).items():
                if not (_is_private(name) and inspect.isfunction(value)):
                    continue
                if any(name in vars(base) for base in foreign):
                    found.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert found == [], "private overrides outside tui/compat.py: " + ", ".join(found)
