"""The core's modules import each other without a circle, and no module imports the facade
(core/desk.py): the features get the session, never the facade."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "opgelucht_desk" / "core"
PREFIX = "opgelucht_desk.core."


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted(CORE.glob("*.py")):
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "opgelucht_desk.core":
                    edges.update(alias.name for alias in node.names)
                elif node.module.startswith(PREFIX):
                    edges.add(node.module.removeprefix(PREFIX))
            elif isinstance(node, ast.Import):
                edges.update(a.name.removeprefix(PREFIX) for a in node.names if a.name.startswith(PREFIX))
        graph[path.stem] = edges
    return graph


def test_no_import_circle_among_core_modules() -> None:
    graph = _imports()
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for imported in sorted(graph.get(module, set())):
            assert state.get(imported) != 1, " → ".join([*path, module, imported])
            if imported not in state:
                visit(imported, [*path, module])
        state[module] = 2

    for module in graph:
        if module not in state:
            visit(module, [])
    assert len(graph) > 10


def test_only_the_facade_is_desk() -> None:
    importers = [m for m, edges in _imports().items() if "desk" in edges]
    assert importers == []
