"""The shape of the code: feature packages import one another without a cycle, none imports
another's views, core imports no feature, and the pure modules stay free of Flask and the
database.

Run ``python -m tests.test_structure`` to print the graph between packages.
"""

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from config import PROJECT_ROOT

APP = PROJECT_ROOT / "app"
# Top-level modules that belong to a package's layer: the permission helper decides on the
# community's roles; extensions and phone numbers are shared ground like core.
MODULE_HOMES = {"permissions": "community", "extensions": "core", "phones": "core"}
# Where everything meets: the factory, the CLI, the demo data, the model registry.
ASSEMBLY = {"__init__", "cli", "demo", "models"}
PURE_MODULES = [
    "app/audit/chain.py",
    "app/community/link_risk.py",
    "app/community/roster.py",
    "app/community/scope.py",
    "app/core/text.py",
    "app/feeds/calendar.py",
    "app/feeds/export.py",
    "app/insights/charts.py",
    "app/meetings/kinds.py",
    "app/meetings/quorum.py",
    "app/messaging/rules.py",
    "app/proposals/states.py",
    "app/recovery/codes.py",
    "app/voting/recount.py",
    "app/voting/roll.py",
    "app/voting/rules.py",
    "app/voting/stored.py",
    "app/webhooks/signing.py",
    "app/webhooks/targets.py",
    "app/webhooks/transport.py",
]
IMPURE_ROOTS = {"flask", "flask_babel", "flask_login", "flask_sqlalchemy", "flask_wtf",
                "flask_htmx", "flask_limiter", "flask_migrate", "sqlalchemy", "werkzeug"}


def _imports(path: Path) -> list[str]:
    """Every module this file imports, by its full dotted name."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return names


def _package_of(path: Path) -> str:
    parts = path.relative_to(APP).with_suffix("").parts
    return MODULE_HOMES.get(parts[0], parts[0])


def _imported_package(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "app" or len(parts) < 2:
        return None
    return MODULE_HOMES.get(parts[1], parts[1])


def package_graph() -> dict[str, dict[str, list[str]]]:
    """package -> imported package -> the files that import it."""
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(APP.rglob("*.py")):
        source = _package_of(path)
        if source in ASSEMBLY:
            continue
        for module in _imports(path):
            target = _imported_package(module)
            if target and target != source and target not in ASSEMBLY:
                where = str(path.relative_to(PROJECT_ROOT))
                if where not in graph[source][target]:
                    graph[source][target].append(where)
    return graph


def find_cycle(graph) -> list[str] | None:
    """One cycle between packages, as the list of packages along it, or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == "open":
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_feature_packages_import_each_other_without_a_cycle():
    graph = package_graph()
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle) + "".join(
        f"\n  {a} -> {b}: {', '.join(graph[a][b])}" for a, b in zip(cycle, cycle[1:], strict=False))


def test_the_cycle_check_sees_a_cycle():
    assert find_cycle({"a": {"b": []}, "b": {"c": []}, "c": {"a": []}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": []}, "b": {}, "c": {"a": []}}) is None


def test_core_imports_no_feature():
    assert dict(package_graph()["core"]) == {}


def test_no_feature_imports_another_features_views():
    offenders = []
    for path in APP.rglob("*.py"):
        source = _package_of(path)
        if source in ASSEMBLY:
            continue
        for module in _imports(path):
            parts = module.split(".")
            if (len(parts) >= 3 and parts[0] == "app" and parts[2] == "views"
                    and _imported_package(module) != source):
                offenders.append(f"{path.relative_to(PROJECT_ROOT)} imports {module}")
    assert offenders == []


def _own_app_modules(path: Path) -> set[Path]:
    """The app modules a module imports, followed through the app but not through the
    packages' __init__ files (which only name the package)."""
    seen: set[Path] = set()
    todo = [path]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for module in _imports(current):
            if module.split(".")[0] != "app":
                continue
            candidate = PROJECT_ROOT.joinpath(*module.split(".")).with_suffix(".py")
            if candidate.exists() and candidate.name != "__init__.py":
                todo.append(candidate)
    return seen


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_modules_import_neither_flask_nor_the_database(module):
    found = []
    for path in _own_app_modules(PROJECT_ROOT / module):
        for name in _imports(path):
            if name.split(".")[0] in IMPURE_ROOTS or name.startswith(("app.extensions",)) or (
                    name.split(".")[0] == "app" and name.split(".")[-1] == "models"):
                found.append(f"{path.relative_to(PROJECT_ROOT)}: {name}")
    assert found == []


if __name__ == "__main__":
    graph = package_graph()
    for package in sorted(graph):
        print(f"{package:11} -> {', '.join(sorted(graph[package]))}")
    cycle = find_cycle(graph)
    print("no cycle" if cycle is None else "cycle: " + " -> ".join(cycle))
