"""Static discovery of the candidate's tests: files, functions, parametrised cases, assertions.

Follows pytest's default conventions (``test_*.py`` / ``*_test.py`` files, ``test*`` functions,
``Test*`` classes without ``__init__``, ``unittest.TestCase`` subclasses) on the syntax tree only;
nothing is imported. Counted as an assertion: an ``assert`` statement, a call whose name starts
with ``assert`` (``self.assertEqual``, ``np.testing.assert_allclose``, ``mock.assert_called``),
``pytest.raises``/``warns``/``fail``, and a call to a helper function of the same file that
itself asserts.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePosixPath

from graders._pysource import SourceUnit

__all__ = ["DiscoveredTest", "Discovery", "TrivialReason", "discover", "is_test_module"]

_ASSERTING_PYTEST = frozenset({"raises", "warns", "deprecated_call", "fail", "approx"})


class TrivialReason(StrEnum):
    """Why a test checks nothing."""

    empty = "empty"
    """Only ``pass``, ``...`` or a docstring."""
    imports_only = "imports-only"
    """Only imports: it proves a module imports, nothing more."""
    no_assertion = "no-assertion"
    """Runs code but asserts nothing about the result."""
    constant_assertion = "constant-assertion"
    """Asserts only constants (``assert True``) or tautologies (``assert x == x``)."""


@dataclass(frozen=True)
class DiscoveredTest:
    """One test function or method."""

    rel: str
    name: str
    """pytest-style name within the file: ``test_x`` or ``TestClass::test_x``."""
    line: int
    cases: int
    """Cases after ``pytest.mark.parametrize`` (1 when not parametrised or not countable)."""
    assertions: int
    trivial: TrivialReason | None = None


@dataclass
class Discovery:
    """The candidate's tests as the source shows them."""

    files: list[str] = field(default_factory=list)
    """Test modules found (``test_*.py`` / ``*_test.py``)."""
    tests: list[DiscoveredTest] = field(default_factory=list)
    unparseable: list[SourceUnit] = field(default_factory=list)
    """Test modules that could not be parsed (they will fail collection too)."""

    @property
    def functions(self) -> int:
        return len(self.tests)

    @property
    def cases(self) -> int:
        return sum(t.cases for t in self.tests)

    @property
    def assertions(self) -> int:
        return sum(t.assertions for t in self.tests)

    @property
    def trivial(self) -> list[DiscoveredTest]:
        return [t for t in self.tests if t.trivial is not None]

    def find(self, rel: str, name: str) -> DiscoveredTest | None:
        """The test called ``name`` (parametrisation ids stripped) in ``rel``."""
        base = name.split("[", 1)[0]
        for t in self.tests:
            if t.rel == rel and (t.name == base or t.name.endswith(f"::{base}")):
                return t
        return None


def is_test_module(rel: str) -> bool:
    """pytest's default ``python_files``: ``test_*.py`` and ``*_test.py``."""
    name = PurePosixPath(rel).name
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _dotted(node: ast.AST) -> str:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _is_trivial_assert(node: ast.Assert) -> bool:
    test = node.test
    if isinstance(test, ast.Constant):
        return bool(test.value)
    if isinstance(test, ast.Compare) and len(test.comparators) == 1:
        return ast.dump(test.left) == ast.dump(test.comparators[0]) and isinstance(
            test.ops[0], (ast.Eq, ast.Is, ast.GtE, ast.LtE)
        )
    return False


def _asserting_call(node: ast.Call, helpers: set[str]) -> bool:
    name = _call_name(node)
    if name.startswith(("assert", "Assert")) or name in helpers:
        return True
    dotted = _dotted(node.func)
    return name in _ASSERTING_PYTEST and dotted.startswith("pytest")


def _count_assertions(body: list[ast.stmt], helpers: set[str]) -> tuple[int, int]:
    """(assertions, trivial assertions) in a function body, nested blocks included."""
    total = trivial = 0
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Assert):
                total += 1
                trivial += _is_trivial_assert(node)
            elif isinstance(node, ast.Call) and _asserting_call(node, helpers):
                # pytest.approx only matters inside an assert, which is counted already
                total += _call_name(node) != "approx"
    return total, trivial


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)


def _trivial_reason(
    fn: ast.FunctionDef | ast.AsyncFunctionDef, assertions: int, trivial: int
) -> TrivialReason | None:
    body = [s for s in fn.body if not _is_docstring(s) and not isinstance(s, ast.Pass)]
    if not body:
        return TrivialReason.empty
    if all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in body):
        return TrivialReason.imports_only
    if assertions == 0:
        return TrivialReason.no_assertion
    if trivial == assertions:
        return TrivialReason.constant_assertion
    return None


def _parametrize_cases(decorators: list[ast.expr]) -> int:
    cases = 1
    for dec in decorators:
        if not isinstance(dec, ast.Call) or _call_name(dec) != "parametrize":
            continue
        values: ast.expr | None = dec.args[1] if len(dec.args) > 1 else None
        for kw in dec.keywords:
            if kw.arg == "argvalues":
                values = kw.value
        if isinstance(values, (ast.List, ast.Tuple, ast.Set)):
            cases *= max(len(values.elts), 1)
    return cases


def _asserting_helpers(tree: ast.Module) -> set[str]:
    """Module-level non-test functions that assert: calling one is an assertion."""
    helpers: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith(
            "test"
        ):
            count, _ = _count_assertions(node.body, set())
            if count:
                helpers.add(node.name)
    return helpers


def _is_test_class(node: ast.ClassDef) -> bool:
    unittest = any(_dotted(b).endswith("TestCase") for b in node.bases)
    if unittest:
        return True
    if not node.name.startswith("Test"):
        return False
    return not any(isinstance(s, ast.FunctionDef) and s.name == "__init__" for s in node.body)


def _tests_of(unit: SourceUnit) -> list[DiscoveredTest]:
    assert unit.tree is not None
    helpers = _asserting_helpers(unit.tree)
    found: list[DiscoveredTest] = []

    def add(fn: ast.FunctionDef | ast.AsyncFunctionDef, prefix: str, class_cases: int) -> None:
        assertions, trivial = _count_assertions(fn.body, helpers)
        found.append(
            DiscoveredTest(
                rel=unit.rel,
                name=f"{prefix}{fn.name}",
                line=fn.lineno,
                cases=class_cases * _parametrize_cases(fn.decorator_list),
                assertions=assertions,
                trivial=_trivial_reason(fn, assertions, trivial),
            )
        )

    for node in unit.tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith(
            "test"
        ):
            add(node, "", 1)
        elif isinstance(node, ast.ClassDef) and _is_test_class(node):
            class_cases = _parametrize_cases(node.decorator_list)
            for item in node.body:
                if isinstance(
                    item, (ast.FunctionDef, ast.AsyncFunctionDef)
                ) and item.name.startswith("test"):
                    add(item, f"{node.name}::", class_cases)
    return found


def discover(units: list[SourceUnit]) -> Discovery:
    """Tests in the test modules among ``units``."""
    result = Discovery()
    for unit in units:
        if unit.is_notebook or not is_test_module(unit.rel):
            continue
        result.files.append(unit.rel)
        if unit.tree is None:
            result.unparseable.append(unit)
            continue
        result.tests.extend(_tests_of(unit))
    return result
