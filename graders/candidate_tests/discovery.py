"""Static discovery of the candidate's tests: files, functions, parametrised cases, assertions.

Follows pytest's default conventions (``test_*.py`` / ``*_test.py`` files, ``test*`` functions,
``Test*`` classes without ``__init__``, ``unittest.TestCase`` subclasses) on the syntax tree only;
nothing is imported. Counted as an assertion: an ``assert`` statement, a call whose name starts
with ``assert`` (``self.assertEqual``, ``np.testing.assert_allclose``, ``mock.assert_called``),
``pytest.raises``/``warns``/``fail``, and a call to a helper function of the same file that
itself asserts.

Each assertion is also classified, so a test whose every assertion checks nothing about behaviour
is trivial: tautologies (``assert True``), restated configuration (``assert vec.max_features ==
MAX_FEATURES``, ``assert CONFIG["seed"] == 42``), shape-of-the-API checks (``hasattr``,
``callable``, ``isinstance``, ``is not None``) and assertions on mocks that replace the
candidate's own code (``patch("pkg.model.train")`` then ``mock.assert_called_once()``). One
assertion about behaviour (a value computed by the code compared with an expectation) makes the
test meaningful, whatever else it checks.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePosixPath

from graders._pysource import SourceUnit

__all__ = [
    "DiscoveredTest",
    "Discovery",
    "TrivialReason",
    "discover",
    "is_test_module",
    "own_modules",
]

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
    restates_config = "restates-config"
    """Asserts only that a setting equals a constant of the code or configuration."""
    structure_only = "structure-only"
    """Asserts only that things exist or have a type (``hasattr``, ``callable``, ``isinstance``)."""
    mocks_only = "mocks-only"
    """Asserts only on mocks that replace the candidate's own code."""


class _Check(StrEnum):
    """What one assertion checks."""

    behaviour = "behaviour"
    tautology = "tautology"
    config = "config"
    structure = "structure"
    mock = "mock"


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


_STRUCTURE_CALLS = frozenset(
    {"hasattr", "callable", "isinstance", "issubclass", "isclass", "isfunction", "ismethod"}
)
_CONFIG_NAMES = frozenset(
    {"config", "cfg", "conf", "settings", "params", "hparams", "hyperparams", "options", "defaults"}
)
_MOCK_FACTORIES = frozenset(
    {"Mock", "MagicMock", "AsyncMock", "NonCallableMock", "create_autospec"}
)
_MOCK_ATTRS = frozenset(
    {"called", "call_count", "call_args", "call_args_list", "mock_calls", "await_count"}
)
_UNITTEST_STRUCTURE = frozenset(
    {"assertIsInstance", "assertNotIsInstance", "assertIsNotNone", "assertTrue", "assertFalse"}
)
_UNITTEST_EQUAL = frozenset({"assertEqual", "assertEquals", "assertIs", "assertIn"})


@dataclass
class _Context:
    """What the classification of one test's assertions needs to know."""

    imported_constants: set[str]
    """UPPER_CASE names imported into the test module (settings of the code under test)."""
    modules: set[str]
    """Names imported as modules (``import config``, ``from pkg import settings``)."""
    mocks: set[str] = field(default_factory=set)
    """Names bound to mocks in this test."""
    computed: set[str] = field(default_factory=set)
    """Names this test assigns from a call (``config = load_config(path)``): what they hold was
    computed by code, so checking it is behaviour."""
    patches_own_code: bool = False
    """Whether this test patches something of the candidate's own code."""
    own_modules: set[str] = field(default_factory=set)
    """Names bound to the candidate's own modules (``import ticket_model as tm``)."""
    fresh: set[str] = field(default_factory=set)
    """Names assigned from an object built from configuration alone (``vec = build_vectorizer()``)."""
    echoes: set[object] = field(default_factory=set)
    """Constants a mock was told to return (``model.predict.return_value = ["billing"]``)."""


def _is_upper(name: str) -> bool:
    return name.isupper() and any(c.isalpha() for c in name)


def _is_config_ref(node: ast.expr, ctx: _Context) -> bool:
    """A setting of the code: an imported constant, ``mod.CONSTANT`` or a config lookup."""
    if isinstance(node, ast.Name):
        return node.id in ctx.imported_constants
    if isinstance(node, ast.Attribute):
        base = node.value
        if isinstance(base, ast.Name) and (
            (_is_upper(node.attr) and base.id in ctx.modules) or base.id in ctx.own_modules
        ):
            return True  # a constant, or a module-level value, of the code under test
        return _config_root(node, ctx)
    if isinstance(node, ast.Subscript):
        return _config_root(node, ctx)
    if isinstance(node, ast.Call) and _call_name(node) == "len" and len(node.args) == 1:
        return _is_config_ref(node.args[0], ctx)
    return False


def _config_root(node: ast.expr, ctx: _Context) -> bool:
    root = _root_name(node)
    if root is None or root in ctx.computed:
        return False
    return root.lower() in _CONFIG_NAMES or _is_upper(root)


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


_FACTORY = re.compile(r"^(?:build|make|create)(?:_|$)|^(?:get|new)_|^[A-Z]")


def _is_setting_read(node: ast.expr) -> bool:
    """``vec.max_features``, ``build_vectorizer().max_features``: a parameter, not learned state
    (fitted attributes end in ``_``) and not a property of some computed result."""
    if not isinstance(node, ast.Attribute) or node.attr.endswith("_") or node.attr.startswith("_"):
        return False
    value = node.value
    if isinstance(value, ast.Call):
        return bool(_FACTORY.search(_call_name(value)))
    return not any(isinstance(sub, ast.Call) for sub in ast.walk(value))


_WRAPPERS = frozenset({"list", "tuple", "set", "sorted", "len", "type"})


def _is_fresh_call(node: ast.expr) -> bool:
    """``build_model()`` or ``TfidfVectorizer(max_features=10)``: built from configuration alone."""
    if not isinstance(node, ast.Call) or not _FACTORY.search(_call_name(node)):
        return False
    return all(_is_literal(a) for a in node.args) and all(
        _is_literal(k.value) for k in node.keywords
    )


def _is_fresh_read(node: ast.expr, ctx: _Context) -> bool:
    """How a freshly built object is configured: ``list(build_model().named_steps)``,
    ``vec.max_features`` after ``vec = build_vectorizer()``. Fitted state (``classes_``) is not."""
    while isinstance(node, ast.Call) and _call_name(node) in _WRAPPERS and len(node.args) == 1:
        node = node.args[0]
    if not isinstance(node, (ast.Attribute, ast.Subscript)):
        return False
    if isinstance(node, ast.Attribute) and (node.attr.endswith("_") or node.attr.startswith("_")):
        return False
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        if isinstance(node, ast.Subscript) and not _is_literal(node.slice):
            return False
        node = node.value
    return (isinstance(node, ast.Name) and node.id in ctx.fresh) or _is_fresh_call(node)


def _is_literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _compare_check(left: ast.expr, right: ast.expr, ctx: _Context) -> _Check:
    if ast.dump(left) == ast.dump(right):
        return _Check.tautology
    for a, b in ((left, right), (right, left)):
        if _is_config_ref(a, ctx) and (
            _is_literal(b)
            or _is_config_ref(b, ctx)
            or _is_setting_read(b)
            or _is_fresh_read(b, ctx)
        ):
            return _Check.config
        if _is_literal(a) and _is_fresh_read(b, ctx):
            return _Check.config  # restates how the object is built
    if _is_mock_ref(left, ctx) or _is_mock_ref(right, ctx):
        return _Check.mock
    if ctx.patches_own_code and ctx.echoes:
        for side in (left, right):
            if isinstance(side, ast.Constant) and side.value in ctx.echoes:
                return _Check.mock  # the value a mock of the code under test was told to return
    return _Check.behaviour


def _is_mock_ref(node: ast.expr, ctx: _Context) -> bool:
    """``m.called``, ``m.call_count``, ``m.fit.call_args`` on a mock of this test."""
    if not isinstance(node, ast.Attribute) or node.attr not in _MOCK_ATTRS:
        return False
    root = _root_name(node)
    return root is not None and root in ctx.mocks


def _structure_expr(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return _structure_expr(node.operand)
    if isinstance(node, ast.BoolOp):
        return all(_structure_expr(v) for v in node.values)
    if isinstance(node, ast.Call):
        return _call_name(node) in _STRUCTURE_CALLS
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        right = node.comparators[0]
        return (
            isinstance(node.ops[0], ast.IsNot)
            and isinstance(right, ast.Constant)
            and right.value is None
        )
    return False


def _assert_check(node: ast.Assert, ctx: _Context) -> _Check:
    test = node.test
    if isinstance(test, ast.Constant):
        return _Check.tautology if test.value else _Check.behaviour
    if _structure_expr(test):
        return _Check.structure
    if isinstance(test, ast.Compare) and len(test.comparators) == 1:
        op = test.ops[0]
        if isinstance(op, (ast.Eq, ast.Is, ast.GtE, ast.LtE)):
            check = _compare_check(test.left, test.comparators[0], ctx)
            if check is not _Check.behaviour:
                return check
        elif (
            isinstance(op, (ast.In, ast.NotIn))
            and _is_literal(test.left)
            and _is_config_ref(test.comparators[0], ctx)
        ):
            return _Check.config  # assert "billing" in config.LABELS
        elif (
            isinstance(op, (ast.Gt, ast.Lt, ast.NotEq, ast.IsNot))
            and _is_config_ref(test.left, ctx)
            and _is_literal(test.comparators[0])
        ):
            return _Check.config  # assert MAX_FEATURES > 0
        if _is_mock_ref(test.left, ctx):
            return _Check.mock
    if _is_mock_ref(test, ctx) or (
        isinstance(test, ast.UnaryOp)
        and isinstance(test.op, ast.Not)
        and _is_mock_ref(test.operand, ctx)
    ):
        return _Check.mock
    return _Check.behaviour


def _call_check(node: ast.Call, ctx: _Context) -> _Check:
    name = _call_name(node)
    if name.startswith("assert_") or (name.startswith("assert") and name[6:7].islower()):
        root = _root_name(node.func) if isinstance(node.func, ast.Attribute) else None
        if root is not None and root in ctx.mocks:
            return _Check.mock
    if name in _UNITTEST_STRUCTURE and node.args:
        if name in {"assertIsInstance", "assertNotIsInstance", "assertIsNotNone"}:
            return _Check.structure
        if _structure_expr(node.args[0]):
            return _Check.structure
        if _is_mock_ref(node.args[0], ctx):
            return _Check.mock
    if name in _UNITTEST_EQUAL and len(node.args) >= 2:
        return _compare_check(node.args[0], node.args[1], ctx)
    return _Check.behaviour


def _asserting_call(node: ast.Call, helpers: set[str]) -> bool:
    name = _call_name(node)
    if name.startswith(("assert", "Assert")) or name in helpers:
        return True
    dotted = _dotted(node.func)
    return name in _ASSERTING_PYTEST and dotted.startswith("pytest")


def _count_assertions(
    body: list[ast.stmt], helpers: set[str], ctx: _Context | None = None
) -> list[_Check]:
    """What each assertion in a function body checks, nested blocks included."""
    ctx = ctx or _Context(set(), set())
    checks: list[_Check] = []
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Assert):
                checks.append(_assert_check(node, ctx))
            elif isinstance(node, ast.Call) and _asserting_call(node, helpers):
                if _call_name(node) == "approx":
                    continue  # pytest.approx only matters inside an assert, counted already
                checks.append(
                    _call_check(node, ctx) if _call_name(node) not in helpers else _Check.behaviour
                )
    return checks


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)


def _trivial_reason(
    fn: ast.FunctionDef | ast.AsyncFunctionDef, checks: list[_Check], ctx: _Context
) -> TrivialReason | None:
    body = [s for s in fn.body if not _is_docstring(s) and not isinstance(s, ast.Pass)]
    if not body:
        return TrivialReason.empty
    if all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in body):
        return TrivialReason.imports_only
    if not checks:
        return TrivialReason.no_assertion
    if _Check.behaviour in checks:
        return None
    if _Check.mock in checks:
        if not ctx.patches_own_code:
            return None  # a mocked dependency (network, clock) around real code is fine
        return TrivialReason.mocks_only
    if _Check.config in checks:
        return TrivialReason.restates_config
    if _Check.structure in checks:
        return TrivialReason.structure_only
    return TrivialReason.constant_assertion


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
        if (
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and not node.name.startswith("test")
            and _count_assertions(node.body, set())
        ):
            helpers.add(node.name)
    return helpers


def _module_context(tree: ast.Module) -> _Context:
    constants: set[str] = set()
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                local = alias.asname or alias.name
                if _is_upper(local):
                    constants.add(local)
                elif local.islower():
                    modules.add(local)  # `from pkg import config`: maybe a module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                modules.add(alias.asname or alias.name.split(".")[0])
    return _Context(constants, modules)


def _patch_target(node: ast.Call, modules: dict[str, str]) -> str | None:
    """The dotted target a ``patch(...)``/``patch.object(...)``/``mocker.patch`` call replaces."""
    name = _call_name(node)
    dotted = _dotted(node.func)
    if name == "patch" and (dotted.endswith("mock.patch") or dotted in {"patch", "mocker.patch"}):
        first = node.args[0] if node.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
    if name == "object" and dotted.endswith("patch.object") and node.args:
        target = node.args[0]
        root = _root_name(target)
        if root is not None:
            return modules.get(root, root)
    return None


@dataclass
class _Mocks:
    """How a test uses mocks."""

    names: set[str] = field(default_factory=set)
    own_code: bool = False
    """A patch or an assigned mock replaces part of the candidate's own code."""
    echoes: set[object] = field(default_factory=set)


def _own_instances(
    fn: ast.FunctionDef | ast.AsyncFunctionDef, imports: dict[str, str], own: set[str]
) -> set[str]:
    """Names this test binds to objects of the candidate's own classes (``clf = Classifier()``)."""
    out: set[str] = set()
    for node in ast.walk(fn):
        if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Call):
            continue
        root = _root_name(node.value.func)
        if root is not None and imports.get(root, "").split(".")[0] in own:
            out.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return out


def _mocks_of(
    fn: ast.FunctionDef | ast.AsyncFunctionDef, imports: dict[str, str], own: set[str]
) -> _Mocks:
    """The mocks of ``fn``, whether they replace the candidate's own code, what they return."""
    found = _Mocks()
    instances = _own_instances(fn, imports, own)

    def owns(target: str) -> bool:
        root = target.split(".")[0]
        return root in own or root in instances

    decorated = False
    for dec in fn.decorator_list:
        target = _patch_target(dec, imports) if isinstance(dec, ast.Call) else None
        if target is not None:
            decorated = True
            found.own_code = found.own_code or owns(target)
    if decorated:
        found.names.update(a.arg for a in fn.args.args if a.arg != "self")
    for node in ast.walk(fn):
        value: ast.expr | None = None
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            value, targets = node.value, list(node.targets)
            if any(isinstance(t, ast.Attribute) and t.attr == "return_value" for t in targets):
                found.echoes.update(
                    c.value
                    for c in ast.walk(node.value)
                    if isinstance(c, ast.Constant) and c.value is not None
                )
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            value, targets = node.context_expr, [node.optional_vars]
        if not isinstance(value, ast.Call):
            continue
        target = _patch_target(value, imports)
        if target is not None:
            found.own_code = found.own_code or owns(target)
        if target is not None or _call_name(value) in _MOCK_FACTORIES:
            found.names.update(t.id for t in targets if isinstance(t, ast.Name))
            # clf.model = MagicMock(): the candidate's object now runs on a mock
            found.own_code = found.own_code or any(
                isinstance(t, ast.Attribute) and _root_name(t) in instances for t in targets
            )
    return found


def _import_sources(tree: ast.Module) -> dict[str, str]:
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                out[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                out[alias.asname or alias.name.split(".")[0]] = alias.name
    return out


def _is_test_class(node: ast.ClassDef) -> bool:
    unittest = any(_dotted(b).endswith("TestCase") for b in node.bases)
    if unittest:
        return True
    if not node.name.startswith("Test"):
        return False
    return not any(isinstance(s, ast.FunctionDef) and s.name == "__init__" for s in node.body)


def _tests_of(unit: SourceUnit, own: set[str]) -> list[DiscoveredTest]:
    assert unit.tree is not None
    helpers = _asserting_helpers(unit.tree)
    module_ctx = _module_context(unit.tree)
    imports = _import_sources(unit.tree)
    found: list[DiscoveredTest] = []

    def add(fn: ast.FunctionDef | ast.AsyncFunctionDef, prefix: str, class_cases: int) -> None:
        mocks = _mocks_of(fn, imports, own)
        assigned = [
            (t.id, node.value)
            for node in ast.walk(fn)
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
            for t in node.targets
            if isinstance(t, ast.Name)
        ]
        ctx = _Context(
            module_ctx.imported_constants,
            module_ctx.modules,
            mocks.names,
            {name for name, _ in assigned},
            mocks.own_code,
            own_modules={
                local
                for local, source in imports.items()
                if local.islower() and source.split(".")[0] in own
            },
            fresh={name for name, value in assigned if _is_fresh_call(value)},
            echoes=mocks.echoes,
        )
        checks = _count_assertions(fn.body, helpers, ctx)
        found.append(
            DiscoveredTest(
                rel=unit.rel,
                name=f"{prefix}{fn.name}",
                line=fn.lineno,
                cases=class_cases * _parametrize_cases(fn.decorator_list),
                assertions=len(checks),
                trivial=_trivial_reason(fn, checks, ctx),
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


def own_modules(units: list[SourceUnit]) -> set[str]:
    """Top-level module and package names of the candidate's own (non-test) code."""
    names: set[str] = set()
    for unit in units:
        if unit.is_notebook or unit.is_test:
            continue
        parts = PurePosixPath(unit.rel).parts
        if parts and parts[0] == "src" and len(parts) > 1:
            parts = parts[1:]
        if parts:
            names.add(PurePosixPath(parts[0]).stem if len(parts) == 1 else parts[0])
    return names


def discover(units: list[SourceUnit]) -> Discovery:
    """Tests in the test modules among ``units``."""
    result = Discovery()
    own = own_modules(units)
    for unit in units:
        if unit.is_notebook or not is_test_module(unit.rel):
            continue
        result.files.append(unit.rel)
        if unit.tree is None:
            result.unparseable.append(unit)
            continue
        result.tests.extend(_tests_of(unit, own))
    return result
