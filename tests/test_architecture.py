"""The layout shows the architecture: one framework-neutral core, two thin adapters.

- the core (`goalpost.models`, `goalpost.services`) imports neither Strawberry nor FastAPI;
- the REST adapter (`goalpost.rest`) loads no Strawberry;
- the Python client (`goalpost.client`) and the pytest plugin load nothing of the server:
  the client imports only `goalpost.domain`, which imports nothing of goalpost;
- no import cycle between the packages and top-level modules of `goalpost`.

Imports are checked twice: what a fresh interpreter really loads (`sys.modules`), and the
import statements of every module (the graph), lazy imports inside functions included.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "goalpost"
CORE = ("goalpost.models", "goalpost.services")


def loaded_after_importing(*modules: str) -> set[str]:
    """Top-level names in sys.modules after a fresh interpreter imports `modules`."""
    code = (
        "import importlib, json, sys\n"
        f"for m in {list(modules)!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(done.stdout))


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def core_modules() -> list[str]:
    return sorted(
        module_name(p)
        for p in PACKAGE.rglob("*.py")
        if module_name(p).startswith(CORE) and "migrations" not in p.parts
    )


def unit_of(module: str) -> str:
    """The package (or top-level module) of goalpost that a module belongs to."""
    return ".".join(module.split(".")[:2])


def import_graph() -> dict[str, set[str]]:
    """goalpost unit → the goalpost units its modules import."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        source = module_name(path)
        edges = graph.setdefault(unit_of(source), set())
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                if name.startswith("goalpost.") and unit_of(name) != unit_of(source):
                    edges.add(unit_of(name))
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def test_the_core_loads_no_web_or_graphql_framework() -> None:
    modules = core_modules()
    assert "goalpost.services.batch.engine" in modules
    loaded = loaded_after_importing(*modules)
    assert not loaded & {"strawberry", "fastapi", "starlette", "graphql"}, sorted(loaded)


def test_the_rest_adapter_loads_no_strawberry() -> None:
    loaded = loaded_after_importing("goalpost.rest")
    assert "fastapi" in loaded
    assert not loaded & {"strawberry", "graphql"}


SERVER_LIBRARIES = {"sqlalchemy", "strawberry", "fastapi", "starlette", "alembic", "uvicorn"}
SERVER_LIBRARIES |= {"asyncpg", "aiosqlite", "structlog", "prometheus_client", "opentelemetry"}


def test_the_client_and_the_plugin_load_nothing_of_the_server() -> None:
    """A user's suite that wants only the client must not pull in the server."""
    loaded = loaded_after_importing("goalpost.client", "goalpost.pytest_plugin")
    assert "gql" in loaded
    assert not loaded & SERVER_LIBRARIES, sorted(loaded & SERVER_LIBRARIES)


def test_the_client_imports_only_the_shared_vocabulary() -> None:
    graph = import_graph()
    assert graph["goalpost.client"] <= {"goalpost.domain"}, graph["goalpost.client"]
    assert graph.get("goalpost.domain", set()) == set()


def test_no_import_cycle_between_packages() -> None:
    graph = import_graph()
    assert graph["goalpost.services"] >= {"goalpost.models"}
    assert "goalpost.services" in graph["goalpost.rest"]
    assert "goalpost.services" in graph["goalpost.resolvers"]
    assert find_cycle(graph) is None, " → ".join(find_cycle(graph) or [])


def test_the_cycle_check_sees_cycles() -> None:
    """The check itself: a graph with a cycle is reported."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_create_app_composes_named_parts() -> None:
    """The app factory reads as a list of its parts (each a function of app.py), not as one
    long body: a new part gets a name of its own."""
    tree = ast.parse((PACKAGE / "app.py").read_text())
    [factory] = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "create_app"]
    assert factory.end_lineno is not None
    assert factory.end_lineno - factory.lineno + 1 <= 50
