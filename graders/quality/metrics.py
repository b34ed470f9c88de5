"""Per-unit code metrics: complexity (radon), maintainability index, type hints, docstrings.

Radon's raw-metrics module tokenizes every file and is slow (seconds per 10,000 lines), so the
maintainability index uses radon's formula (:func:`radon.metrics.mi_compute`) with Halstead
volume and complexity from radon's AST visitors and line counts taken from our own tree.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from radon.complexity import cc_visit_ast
from radon.metrics import h_visit_ast, mi_compute
from radon.visitors import Function

from graders._pysource import SourceUnit

__all__ = ["FunctionInfo", "UnitMetrics", "unit_metrics"]


@dataclass(frozen=True)
class FunctionInfo:
    """A function or method definition."""

    name: str
    line: int
    public: bool
    """Module-level function or method of a public class, not starting with ``_``."""
    annotated_slots: int
    """Parameters (without ``self``/``cls``) and return that carry a type annotation."""
    slots: int
    """Parameters (without ``self``/``cls``) plus the return (except for ``__init__``)."""
    has_docstring: bool


@dataclass
class UnitMetrics:
    """What one unit measures."""

    rel: str
    sloc: int = 0
    """Non-blank lines."""
    functions: list[FunctionInfo] = field(default_factory=list)
    public_classes: int = 0
    public_classes_documented: int = 0
    complexities: list[tuple[str, int, int]] = field(default_factory=list)
    """(qualified name, line, cyclomatic complexity) per function and method."""
    maintainability: float | None = None
    """Radon's maintainability index, 0-100."""
    has_main_guard: bool = False
    """Has ``if __name__ == "__main__":``."""
    is_cli: bool = False
    """Imports a command-line parser (argparse, click, typer, fire, docopt): a command-line module."""
    defines_logic: bool = False
    """Defines at least one function or class."""
    string_constants: list[tuple[str, int]] = field(default_factory=list)
    """(value, line) of string literals, for the hard-coded path check."""
    statements: int = 0
    """Logical lines (statements), radon's LLOC."""
    docstring_lines: int = 0
    """Lines taken by module, class and function docstrings."""


_CLI_MODULES = frozenset({"argparse", "click", "typer", "fire", "docopt"})


def _slots(fn: ast.FunctionDef | ast.AsyncFunctionDef, is_method: bool) -> tuple[int, int]:
    args = fn.args
    positional = [*args.posonlyargs, *args.args]
    if is_method and positional and positional[0].arg in {"self", "cls", "mcs", "metacls"}:
        positional = positional[1:]
    params = [*positional, *args.kwonlyargs]
    if args.vararg is not None:
        params.append(args.vararg)
    if args.kwarg is not None:
        params.append(args.kwarg)
    annotated = sum(1 for p in params if p.annotation is not None)
    slots = len(params)
    if fn.name != "__init__":
        slots += 1
        annotated += fn.returns is not None
    return annotated, slots


def _is_main_guard(node: ast.If) -> bool:
    test = node.test
    if not isinstance(test, ast.Compare) or len(test.comparators) != 1:
        return False
    sides = [test.left, test.comparators[0]]
    names = {s.id for s in sides if isinstance(s, ast.Name)}
    consts = {s.value for s in sides if isinstance(s, ast.Constant)}
    return "__name__" in names and "__main__" in consts


def _collect(tree: ast.Module, m: UnitMetrics) -> None:
    # (node, inside a function, enclosing class is public or None when not in a class)
    stack: list[tuple[ast.AST, bool, bool | None]] = [(tree, False, None)]
    while stack:
        node, in_function, class_public = stack.pop()
        if isinstance(node, ast.stmt):
            m.statements += 1
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            m.docstring_lines += _docstring_span(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            m.defines_logic = True
            if not in_function:
                is_method = class_public is not None
                public = not node.name.startswith("_") and class_public is not False
                annotated, slots = _slots(node, is_method)
                m.functions.append(
                    FunctionInfo(
                        name=node.name,
                        line=node.lineno,
                        public=public,
                        annotated_slots=annotated,
                        slots=slots,
                        has_docstring=ast.get_docstring(node, clean=False) is not None,
                    )
                )
            stack.extend((child, True, None) for child in ast.iter_child_nodes(node))
            continue
        if isinstance(node, ast.ClassDef):
            m.defines_logic = True
            public = not node.name.startswith("_") and not in_function
            if public:
                m.public_classes += 1
                m.public_classes_documented += ast.get_docstring(node, clean=False) is not None
            stack.extend((child, in_function, public) for child in node.body)
            continue
        if isinstance(node, ast.If) and _is_main_guard(node):
            m.has_main_guard = True
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            m.is_cli = m.is_cli or any(n.split(".")[0] in _CLI_MODULES for n in names)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 512:
            m.string_constants.append((node.value, getattr(node, "lineno", 0)))
        stack.extend((child, in_function, class_public) for child in ast.iter_child_nodes(node))


def _docstring_span(
    node: ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef,
) -> int:
    first = node.body[0] if node.body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return (first.end_lineno or first.lineno) - first.lineno + 1
    return 0


def unit_metrics(unit: SourceUnit) -> UnitMetrics:
    """Metrics of one parsed unit (``unit.ok`` must be true)."""
    assert unit.tree is not None and unit.text is not None
    m = UnitMetrics(rel=unit.rel)
    lines = unit.text.splitlines()
    m.sloc = sum(1 for ln in lines if ln.strip())
    comment_lines = sum(1 for ln in lines if ln.lstrip().startswith("#"))
    _collect(unit.tree, m)
    for block in cc_visit_ast(unit.tree):
        # Radon lists methods both on their class and as blocks of their own: take functions only.
        if isinstance(block, Function):
            qual = f"{block.classname}.{block.name}" if block.classname else block.name
            m.complexities.append((qual, block.lineno, block.complexity))
    # Sum of the functions' complexities stands in for radon's module total in the MI formula.
    total_cc = sum(c for _, _, c in m.complexities) or 1
    if m.sloc and m.statements:
        comments = 100.0 * (comment_lines + m.docstring_lines) / m.sloc
        volume = h_visit_ast(unit.tree).total.volume
        m.maintainability = round(
            mi_compute(volume, total_cc, m.statements, min(comments, 100.0)), 2
        )
    return m
