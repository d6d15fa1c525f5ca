"""The dependency rules of docs/architecture.md ("Layering"), read from the source (no import is run).

- ``phongtrao/lib`` imports nothing from the apps, not even inside a function or under TYPE_CHECKING;
- no app imports another app's private name (``from phongtrao.units.actions import _helper``);
- the module-level imports of ``phongtrao`` (outside functions and TYPE_CHECKING) have no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "phongtrao"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources() -> dict[str, ast.Module]:
    return {module_name(p): ast.parse(p.read_text(encoding="utf-8"))
            for p in ROOT.rglob("*.py") if "migrations" not in p.parts}


def imports(node: ast.AST) -> list[tuple[str, list[str]]]:
    """(module, names) of every import under ``node``."""
    found: list[tuple[str, list[str]]] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.ImportFrom) and sub.module and sub.level == 0:
            found.append((sub.module, [a.name for a in sub.names]))
        elif isinstance(sub, ast.Import):
            found += [(a.name, []) for a in sub.names]
    return found


def module_level_imports(tree: ast.Module) -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.If, ast.Try)):
            found += imports(node)
    return found


def test_lib_imports_nothing_from_the_apps() -> None:
    wrong = [(name, module) for name, tree in sources().items() if name.startswith("phongtrao.lib")
             for module, _names in imports(tree)
             if module.startswith("phongtrao.") and not module.startswith("phongtrao.lib")]
    assert wrong == []


def test_no_private_name_is_imported_from_another_module() -> None:
    wrong = [(name, module, n) for name, tree in sources().items() for module, names in imports(tree)
             if module.startswith("phongtrao.") and module != name
             for n in names if n.startswith("_") and not n.startswith("__")]
    assert wrong == []


def test_module_level_imports_have_no_cycle() -> None:
    trees = sources()
    graph: dict[str, set[str]] = {}
    for name, tree in trees.items():
        deps = set()
        for module, names in module_level_imports(tree):
            deps |= {m for m in (module, *(f"{module}.{n}" for n in names)) if m in trees and m != name}
        graph[name] = deps
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append([*path[path.index(dep):], dep])
            elif dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_checks_see_a_violation() -> None:
    """The walkers find an app import inside a function and skip TYPE_CHECKING only at module level."""
    tree = ast.parse("from typing import TYPE_CHECKING\n"
                     "if TYPE_CHECKING:\n    from phongtrao.units.models import Unit\n"
                     "def f():\n    from phongtrao.accounts.access import can_import\n")
    assert ("phongtrao.accounts.access", ["can_import"]) in imports(tree)
    assert ("phongtrao.units.models", ["Unit"]) in imports(tree)
    assert module_level_imports(tree) == [("typing", ["TYPE_CHECKING"])]
