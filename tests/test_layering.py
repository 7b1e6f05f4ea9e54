"""The import graph of the shipped code: no import circles, and the layers point one way.

    ui ──▶ core ──▶ protocol ◀── relay
                       ▲
            opgelucht_reporter

Every module of `opgelucht_desk`, `opgelucht_reporter` and `opgelucht_relay` (in server/) is parsed with
`ast` (nothing is imported), and every import becomes an edge to the module it names: top-level imports,
imports inside functions and `if TYPE_CHECKING:` blocks, relative imports (`from . import x`, `from
..core import y`) and `importlib.import_module("literal")`. An edge goes to the deepest module the name
resolves to (`from pkg import mod` → `pkg.mod` when that is a module, else `pkg`); parent packages
executed on the way are not edges (a package's `__init__` importing its own submodules is not a circle).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Each import package and the folder it lives in (the relay's is in server/, installed as opgelucht_relay).
PACKAGES = {
    "opgelucht_desk": ROOT / "opgelucht_desk",
    "opgelucht_reporter": ROOT / "opgelucht_reporter",
    "opgelucht_relay": ROOT / "server" / "opgelucht_relay",
}

# (layer, a layer it must never reach, directly or through other modules)
FORBIDDEN: tuple[tuple[str, str], ...] = (
    ("protocol", "core"),
    ("protocol", "ui"),
    ("protocol", "relay"),
    ("protocol", "reporter"),
    ("core", "ui"),
    ("core", "relay"),
    ("core", "reporter"),
    ("relay", "core"),
    ("relay", "ui"),
    ("relay", "reporter"),
    ("reporter", "core"),
    ("reporter", "ui"),
    ("reporter", "relay"),
)

# Third-party packages a layer must not import (directly; the graph rules keep it so transitively).
FORBIDDEN_THIRD_PARTY: dict[str, frozenset[str]] = {
    "protocol": frozenset({"httpx", "PySide6", "qasync", "fastapi", "sqlalchemy"}),
}


Graph = dict[str, dict[str, int]]  # module → {what it imports: the first line that does}


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    is_package: bool


def layer_of(module: str) -> str:
    """The layer a module belongs to; the desk's own top-level modules (`__main__`, `preset`, …) are
    "app" and bound by no rule of their own (a path through them still counts for the others)."""
    for prefix, layer in (
        ("opgelucht_desk.protocol", "protocol"),
        ("opgelucht_desk.core", "core"),
        ("opgelucht_desk.ui", "ui"),
        ("opgelucht_reporter", "reporter"),
        ("opgelucht_relay", "relay"),
    ):
        if module == prefix or module.startswith(prefix + "."):
            return layer
    return "app"


def discover() -> dict[str, Module]:
    modules: dict[str, Module] = {}
    for folder in PACKAGES.values():
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder.parent).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            modules[".".join(parts)] = Module(".".join(parts), path, is_package)
    return modules


def imported_names(module: Module) -> Iterator[tuple[str, int]]:
    """(absolute dotted name, line) of everything `module` imports, anywhere in its body; for
    `from pkg import x` the name is `pkg.x` (a submodule, or a name in `pkg`)."""
    tree = ast.parse(module.path.read_text(encoding="utf-8"), filename=str(module.path))
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                assert node.level - 1 < len(parts), f"{module.name}: relative import beyond the top"
                above = ".".join(parts[: len(parts) - (node.level - 1)])
                base = f"{above}.{base}" if base else above
            for alias in node.names:
                yield (base if alias.name == "*" else f"{base}.{alias.name}"), node.lineno
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and not node.args[0].value.startswith(".")
        ):
            yield node.args[0].value, node.lineno


def resolve(name: str, modules: dict[str, Module]) -> str | None:
    """The deepest of our modules that `name` names (None: not ours)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def build_graph() -> tuple[Graph, Graph]:
    """Internal edges and third-party imports (module → {top-level package: first line})."""
    modules = discover()
    graph: Graph = {name: {} for name in modules}
    third_party: Graph = {name: {} for name in modules}
    for module in modules.values():
        for name, line in imported_names(module):
            target = resolve(name, modules)
            if target is None:
                third_party[module.name].setdefault(name.split(".")[0], line)
            elif target != module.name or not module.is_package:
                graph[module.name].setdefault(target, line)
    return graph, third_party


def strongly_connected(graph: Graph) -> list[list[str]]:
    """Tarjan's algorithm (iterative): the components with more than one module, or a self-import."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    components.append(sorted(component))
    return components


def path_between(graph: Graph, start: str, goals: Iterable[str]) -> list[str] | None:
    """A shortest import path from `start` to any of `goals` (breadth first), or None."""
    wanted = set(goals)
    parent: dict[str, str | None] = {start: None}
    queue = [start]
    for node in queue:
        for child in sorted(graph[node]):
            if child in parent:
                continue
            parent[child] = node
            if child in wanted:
                path = [child]
                while (step := parent[path[-1]]) is not None:
                    path.append(step)
                return path[::-1]
            queue.append(child)
    return None


def cycle_in(graph: Graph, component: list[str]) -> list[str]:
    """One concrete circle through the component's first module, for the failure message."""
    members = set(component)
    start = component[0]
    sub = {name: {t: line for t, line in graph[name].items() if t in members} for name in component}
    for child in sorted(sub[start]):
        back = [start] if child == start else path_between(sub, child, [start])
        if back is not None:
            return [start, *back] if child != start else [start, start]
    raise AssertionError("not a strongly connected component")


def describe(graph: Graph, path: list[str]) -> str:
    return " → ".join(
        f"{a} (line {graph[a][b]})" if b in graph[a] else a
        for a, b in zip(path, [*path[1:], ""], strict=True)
    )


@pytest.fixture(scope="module")
def graphs() -> tuple[Graph, Graph]:
    return build_graph()


def test_the_graph_sees_every_package_and_relative_and_local_imports(graphs: tuple[Graph, Graph]) -> None:
    graph, third_party = graphs
    for package in PACKAGES:
        assert package in graph
    assert graph["opgelucht_reporter.client"].keys() >= {"opgelucht_reporter.state"}  # `from .state`
    assert "httpx" in third_party["opgelucht_reporter.client"]
    assert any(
        target.startswith("opgelucht_desk.protocol") for target in graph["opgelucht_relay.services.rosters"]
    )


def test_no_import_circles(graphs: tuple[Graph, Graph]) -> None:
    graph, _third_party = graphs
    circles = []
    for component in strongly_connected(graph):
        circles.append(f"{len(component)} modules: {describe(graph, cycle_in(graph, component))}")
    assert not circles, "import circles:\n" + "\n".join(circles)


def test_layers_point_one_way(graphs: tuple[Graph, Graph]) -> None:
    graph, _third_party = graphs
    problems = []
    for source_layer, target_layer in FORBIDDEN:
        targets = [name for name in graph if layer_of(name) == target_layer]
        for source in sorted(name for name in graph if layer_of(name) == source_layer):
            path = path_between(graph, source, targets)
            if path is not None:
                problems.append(f"{source_layer} reaches {target_layer}: {describe(graph, path)}")
                break  # one path per pair of layers is enough to act on
    assert not problems, "\n".join(problems)


def test_layers_avoid_the_third_party_packages_of_others(graphs: tuple[Graph, Graph]) -> None:
    _graph, third_party = graphs
    problems = [
        f"{name} imports {package} (line {line})"
        for name, imports in sorted(third_party.items())
        for package, line in sorted(imports.items())
        if package in FORBIDDEN_THIRD_PARTY.get(layer_of(name), frozenset())
    ]
    assert not problems, "\n".join(problems)


def test_the_checker_finds_a_circle_and_names_it() -> None:
    graph: Graph = {"a": {"b": 3}, "b": {"c": 5}, "c": {"a": 7}, "d": {"a": 1}, "e": {"e": 2}}
    components = strongly_connected(graph)
    assert components == [["a", "b", "c"], ["e"]]
    assert describe(graph, cycle_in(graph, ["a", "b", "c"])) == "a (line 3) → b (line 5) → c (line 7) → a"
    assert cycle_in(graph, ["e"]) == ["e", "e"]


def test_the_core_features_get_the_session_never_the_facade(graphs: tuple[Graph, Graph]) -> None:
    """Only the UI (and the app's entry point) import `core.desk`; the core's feature modules share the
    unlocked `Session` instead of reaching into the facade (docs/desktop-core.md)."""
    graph, _third_party = graphs
    importers = sorted(
        name
        for name, edges in graph.items()
        if "opgelucht_desk.core.desk" in edges and layer_of(name) == "core"
    )
    assert importers == []


def test_the_shared_disclosure_rules_import_nothing_of_ours(graphs: tuple[Graph, Graph]) -> None:
    """`opgelucht_desk.disclosure` (docs/layout.md) is shared by the relay and the core: it stays pure."""
    graph, third_party = graphs
    assert graph["opgelucht_desk.disclosure"] == {}
    assert set(third_party["opgelucht_desk.disclosure"]) <= {"__future__", "collections", "dataclasses"}
    assert "opgelucht_desk.disclosure" in graph["opgelucht_relay.services.stats_suppression"]
    assert "opgelucht_desk.disclosure" in graph["opgelucht_desk.core.annual_report"]
