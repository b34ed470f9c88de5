"""The import graph of our packages, and the rules it must keep.

Every ``import`` and ``from ... import`` of every module is read with ``ast``: at module level,
inside functions, and under ``if TYPE_CHECKING:`` alike (a lazy import that closes a cycle is
still a cycle; it only moves the failure from import time to the first call). Imports are
grouped by *unit*: a top-level package (``api``, ``graders``, ``sandbox``), or one package or
module directly under ``harness`` (``harness.ledger``, ``harness.errors``).

``check`` returns one ``Violation`` per broken rule, each naming the importing module's file and
line, what it imports, and the rule; an empty list means the graph is clean.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Edge", "Rules", "Violation", "check", "scan", "unit_of"]


@dataclass(frozen=True, order=True)
class Edge:
    """One import statement, resolved to the module it names."""

    importer: str
    """Dotted name of the importing module."""
    imported: str
    """Dotted name of the imported module (the deepest one that exists in the tree)."""
    path: str
    """The importing file, relative to the scanned root."""
    line: int

    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Violation:
    rule: str
    """Short name of the rule: ``cycle``, ``layer``, ``sandbox``, ``graders``, ``harness->api``,
    ``api->internals``, ``router->router``, ``unlayered``."""
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


@dataclass(frozen=True)
class Rules:
    """What the graph must keep. ``layers`` lists the ``harness`` units, lowest layer first."""

    layers: Sequence[tuple[str, frozenset[str]]]
    """(layer name, units in it), lowest first. A unit may import units of its own layer and of
    lower ones, never of a higher one."""
    api_may_import: frozenset[str] = frozenset({"graders.types"})
    """Modules of ``graders`` and ``sandbox`` that ``api`` may import: result types only."""
    allowed: Mapping[tuple[str, str], str] = field(default_factory=dict)
    """(importing module, imported module) -> why this edge may break a top-level or layer rule.
    Allowed edges still count for cycles."""


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(name: str, modules: set[str]) -> str | None:
    """The deepest existing module that ``name`` names (``a.b.func`` -> ``a.b``)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterable[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        anchor = package[: len(package) - (node.level - 1)]
        base = ".".join([*anchor, *([base] if base else [])])
    # ``from a import b`` may name the module ``a.b`` or a name defined in ``a``.
    return [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"] or [base]


def scan(root: Path, packages: Sequence[str]) -> list[Edge]:
    """Every import between modules of ``packages`` (top-level package names under ``root``)."""
    files = {
        _module_name(root, path): path
        for package in packages
        for path in sorted((root / package).rglob("*.py"))
    }
    modules = set(files)
    edges: set[Edge] = set()
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in _targets(node, module, is_package):
                imported = _resolve(target, modules)
                if imported is not None and imported != module:
                    rel = path.relative_to(root).as_posix()
                    edges.add(Edge(module, imported, rel, node.lineno))
    return sorted(edges)


def unit_of(module: str) -> str:
    """``harness.ledger.pay`` -> ``harness.ledger``; ``api.routers.x`` -> ``api``."""
    parts = module.split(".")
    if parts[0] == "harness" and len(parts) > 1:
        return ".".join(parts[:2])
    return parts[0]


def _top(module: str) -> str:
    return module.split(".")[0]


def _cycles(edges: Sequence[Edge]) -> list[Violation]:
    graph: dict[str, set[str]] = {}
    for e in edges:
        a, b = unit_of(e.importer), unit_of(e.imported)
        graph.setdefault(a, set())
        graph.setdefault(b, set())
        if a != b:
            graph[a].add(b)
    # Tarjan's strongly connected components, iteratively (no recursion limit to meet).
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
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
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    out = []
    for component in components:
        cycle = _shortest_cycle(graph, set(component))
        hops = list(itertools.pairwise(cycle))
        lines = "\n".join(
            f"    {e.where()} imports {e.imported} ({a} -> {b})"
            for a, b in hops
            for e in edges
            if unit_of(e.importer) == a and unit_of(e.imported) == b
        )
        out.append(
            Violation(
                "cycle",
                f"{' -> '.join(cycle)} is a package-level import cycle (packages "
                f"{', '.join(component)} all reach each other); the imports of this loop:\n"
                f"{lines}",
            )
        )
    return out


def _shortest_cycle(graph: Mapping[str, set[str]], members: set[str]) -> list[str]:
    """The shortest loop inside one strongly connected component, as ``[a, b, ..., a]``."""
    best: list[str] | None = None
    for start in sorted(members):
        parents: dict[str, str] = {}
        queue = [start]
        found = None
        while queue and found is None:
            nxt = []
            for node in queue:
                for child in sorted(graph[node] & members):
                    if child == start:
                        found = node
                        break
                    if child not in parents:
                        parents[child] = node
                        nxt.append(child)
                if found is not None:
                    break
            queue = nxt
        if found is None:
            continue
        path = [found]
        while path[-1] != start:
            path.append(parents[path[-1]])
        cycle = [*reversed(path), start]
        if best is None or len(cycle) < len(best):
            best = cycle
    assert best is not None  # a component of two or more always has a loop
    return best


def _layer_violations(edges: Sequence[Edge], rules: Rules) -> list[Violation]:
    level: dict[str, tuple[int, str]] = {}
    for i, (name, units) in enumerate(rules.layers):
        for unit in units:
            level[unit] = (i, name)
    out = []
    harness_units = sorted(
        {unit_of(m) for e in edges for m in (e.importer, e.imported) if _top(m) == "harness"}
        - {"harness"}
    )
    for unit in harness_units:
        if unit not in level:
            out.append(
                Violation(
                    "unlayered",
                    f"{unit} is in no layer; add it to LAYERS (tests/architecture/"
                    "test_import_layers.py) at the lowest layer whose packages it needs",
                )
            )
    for e in edges:
        a, b = unit_of(e.importer), unit_of(e.imported)
        if a == b or a not in level or b not in level or (e.importer, e.imported) in rules.allowed:
            continue
        (ia, na), (ib, nb) = level[a], level[b]
        if ib > ia:
            out.append(
                Violation(
                    "layer",
                    f"{e.where()}: {e.importer} imports {e.imported}, but {a} (layer {ia} "
                    f"'{na}') may not import {b} (higher layer {ib} '{nb}'): a lower layer "
                    "never imports a higher one",
                )
            )
    return out


def _top_level_violations(edges: Sequence[Edge], rules: Rules) -> list[Violation]:
    out = []
    for e in edges:
        if (e.importer, e.imported) in rules.allowed:
            continue
        a, b = _top(e.importer), _top(e.imported)
        if a == b:
            continue
        if a == "sandbox":
            out.append(
                Violation(
                    "sandbox",
                    f"{e.where()}: {e.importer} imports {e.imported}; sandbox imports nothing of "
                    "ours (it must stay usable on its own)",
                )
            )
        elif a == "graders":
            out.append(
                Violation(
                    "graders",
                    f"{e.where()}: {e.importer} imports {e.imported}; graders import only "
                    "graders (a grader is a pure function of its GradingContext)",
                )
            )
        elif a == "harness" and b == "api":
            out.append(
                Violation(
                    "harness->api",
                    f"{e.where()}: {e.importer} imports {e.imported}; harness never imports api "
                    "(the web layer sits on top of harness, not inside it)",
                )
            )
        elif a == "api" and b in ("graders", "sandbox") and e.imported not in rules.api_may_import:
            out.append(
                Violation(
                    "api->internals",
                    f"{e.where()}: {e.importer} imports {e.imported}; api reaches graders and "
                    f"the sandbox through harness, importing only their result types "
                    f"({', '.join(sorted(rules.api_may_import))})",
                )
            )
    return out


def _router_violations(edges: Sequence[Edge], rules: Rules) -> list[Violation]:
    """A router resolves dependencies and calls services; what two routers share lives in
    ``api.deps`` or a service, never in one of them."""
    prefix = "api.routers."
    return [
        Violation(
            "router->router",
            f"{e.where()}: {e.importer} imports {e.imported}; a router never imports another "
            "router (move what they share to api/deps.py or a service)",
        )
        for e in edges
        if e.importer.startswith(prefix)
        and e.imported.startswith(prefix)
        and (e.importer, e.imported) not in rules.allowed
    ]


def check(edges: Sequence[Edge], rules: Rules) -> list[Violation]:
    """Every rule ``edges`` break: cycles, top-level rules, routers, then layers."""
    return [
        *_cycles(edges),
        *_top_level_violations(edges, rules),
        *_router_violations(edges, rules),
        *_layer_violations(edges, rules),
    ]
