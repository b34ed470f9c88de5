"""How the code is laid out: what is importable, what runs at import time, what is in functions.

Every top-level statement of a module (or of a notebook's script) is one of:

- a **definition** (function or class): the code a reviewer wants to see;
- **neutral**: imports, docstrings, constants and cheap configuration (``DATA = Path(...)``);
- **work**: anything else run when the file is executed, including the body of an
  ``if __name__ == "__main__":`` block (script wiring).

A function that only wires things together (parses arguments, builds paths, hands over to another
script with ``runpy``/``subprocess``, exits) is neutral too: a 15-line launcher beside a top-level
script organises nothing, and must not count as code in functions.

Work that is expensive or has side effects (fitting a model, reading a CSV, loading a pickle,
network or shell calls, calling the program's own ``main()``) and sits outside a main guard runs
*at import time*.

Entry points and imported modules are judged differently. A module that other code imports (or
that sits in a package) and does expensive work at import time is a finding: every import,
including the tests', pays for it. A script that only the command line runs may do its work at the
top level; that is a milder, informational finding, and such a script does not count as
importable logic.

A module counts as **importable** when its dotted name is made of valid identifiers (``tf-idf.py``
cannot be imported), it does no expensive work at import time, and something could really import
it: another file of the submission imports it, it sits in a package (a folder with
``__init__.py``), or it is an entry point guarded by ``if __name__ == "__main__":``.
"""

from __future__ import annotations

import ast
import keyword
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from graders._pysource import SourceUnit

__all__ = [
    "MIN_CODE_LINES",
    "CodeLayout",
    "ImportTimeWork",
    "ModuleLayout",
    "code_layout",
    "import_statements",
]

MIN_CODE_LINES = 60
"""Code lines a submission is assumed to need: shares of code in functions and importable modules
are taken over at least this many lines, so a 10-line file does not count as 100% organised."""
COMPLEX_COUNTS = 0.0
"""Share of a too-complex function's lines (cyclomatic complexity over the limit) that count as
organised: a 60-line function with ten branches is a script inside a ``def``."""

_TRAIN = frozenset(
    {"fit", "fit_transform", "fit_predict", "partial_fit", "train", "train_model",
     "fit_generator", "cross_val_score", "cross_validate", "cross_val_predict"}
)  # fmt: skip
_READ = frozenset(
    {"read_csv", "read_table", "read_parquet", "read_json", "read_excel", "read_feather",
     "read_pickle", "read_sql", "read_sql_query", "loadtxt", "genfromtxt", "load_dataset",
     "load_files"}
)  # fmt: skip
_MODEL_LOAD_ROOTS = frozenset(
    {"pickle", "joblib", "torch", "dill", "cloudpickle", "np", "numpy", "keras", "tf", "tensorflow"}
)
_MODEL_LOAD = frozenset({"load_model", "from_pretrained", "load_learner"})
_NETWORK = frozenset({"urlopen", "urlretrieve", "hf_hub_download", "snapshot_download", "download"})
_HTTP_VERBS = frozenset({"get", "post", "put", "delete", "patch", "request", "head"})
_HTTP_ROOTS = frozenset({"requests", "httpx", "urllib3"})
_SHELL = frozenset({"system", "popen", "run", "call", "check_call", "check_output", "Popen"})
_SHELL_ROOTS = frozenset({"os", "subprocess"})
# Calls a wiring-only function may make: argument parsing, paths, handing over, exiting.
_WIRING_CALLS = frozenset(
    {"ArgumentParser", "add_argument", "parse_args", "parse_known_args", "add_subparsers",
     "add_parser", "set_defaults", "add_mutually_exclusive_group", "add_argument_group", "Path",
     "PurePath", "exists", "is_file", "is_dir", "mkdir", "makedirs", "with_name", "with_suffix",
     "joinpath", "resolve", "absolute", "join", "dirname", "basename", "abspath", "realpath",
     "exit", "SystemExit", "run_path", "run_module", "run", "call", "check_call", "Popen",
     "system", "import_module", "getenv", "get", "len", "str", "int", "print", "format",
     "insert", "append", "chdir", "getcwd", "cwd", "expanduser"}
)  # fmt: skip
_CHEAP_CALLS = frozenset(
    {"Path", "PurePath", "PurePosixPath", "frozenset", "set", "dict", "list", "tuple", "compile",
     "getLogger", "get", "getenv", "TypeVar", "NewType", "namedtuple", "field", "int", "float",
     "str", "bool", "object", "partial", "join", "dirname", "abspath", "basename", "realpath",
     "expanduser", "resolve", "with_name", "with_suffix", "joinpath", "cwd", "home", "Enum",
     "StrEnum", "IntEnum", "defaultdict", "OrderedDict", "Counter", "deque", "range", "sorted",
     "dataclass", "cast"}
)  # fmt: skip


@dataclass(frozen=True)
class ImportTimeWork:
    """An expensive call made when the file is imported (or run), outside any function."""

    line: int
    call: str
    """The call as written, e.g. ``pd.read_csv``."""
    does: str
    """What it does, e.g. "reads data"."""


@dataclass
class ModuleLayout:
    """One ``.py`` file (not a test) or notebook script, as the structure criteria see it."""

    rel: str
    is_notebook: bool = False
    dotted: str | None = None
    """The name it is imported by, when every part is a valid identifier."""
    in_package: bool = False
    imported_by: list[str] = field(default_factory=list)
    """Files of the submission (tests and notebooks included) that import it."""
    entry: bool = False
    """Run by ``submission.toml`` (as a script or with ``-m``)."""
    has_main_guard: bool = False
    def_lines: int = 0
    """Code lines of top-level function and class definitions."""
    work_lines: int = 0
    """Code lines of top-level statements that do something (see the module docstring)."""
    wiring_lines: int = 0
    """Code lines of functions that only wire arguments and paths (neutral)."""
    import_time: list[ImportTimeWork] = field(default_factory=list)
    """Expensive calls outside functions and outside the main guard."""

    @property
    def valid_name(self) -> bool:
        return self.dotted is not None

    @property
    def importable(self) -> bool:
        """Could be imported without side effects, by something that exists (see module docstring)."""
        if self.is_notebook or self.dotted is None or self.import_time:
            return False
        return bool(self.imported_by) or self.in_package or (self.entry and self.has_main_guard)


@dataclass
class CodeLayout:
    """Every non-test module and notebook script, with the totals the structure criteria use."""

    modules: list[ModuleLayout] = field(default_factory=list)

    @property
    def def_lines(self) -> int:
        return sum(m.def_lines for m in self.modules)

    @property
    def work_lines(self) -> int:
        return sum(m.work_lines for m in self.modules)

    @property
    def importable_def_lines(self) -> int:
        return sum(m.def_lines for m in self.modules if m.importable)

    @property
    def judged_lines(self) -> int:
        """Lines the shares are taken over: the code, but at least :data:`MIN_CODE_LINES`."""
        return max(self.def_lines + self.work_lines, MIN_CODE_LINES)

    @property
    def functions_share(self) -> float:
        """Share of the code in function and class definitions (0 when there is no code)."""
        return self.def_lines / self.judged_lines

    @property
    def importable_share(self) -> float:
        """Share of the code in definitions of importable modules."""
        return self.importable_def_lines / self.judged_lines


def _dotted(rel: str) -> str | None:
    path = PurePosixPath(rel)
    parts = [*path.parts[:-1], path.stem]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if parts and parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    if not parts or not all(p.isidentifier() and not keyword.iskeyword(p) for p in parts):
        return None
    return ".".join(parts)


def _name(node: ast.expr) -> str:
    """``pd.read_csv`` for ``pd.read_csv(...)``'s func; empty when not a plain dotted name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif isinstance(node, ast.Call):
        parts.append(_name(node.func) + "()")
    return ".".join(reversed(parts))


def _does(call: ast.Call, own_functions: set[str]) -> str | None:
    """What an expensive call does, or None for a cheap one."""
    name = _name(call.func)
    if not name:
        return None
    parts = name.split(".")
    tail, root = parts[-1], parts[0]
    if tail in _TRAIN:
        return "trains a model"
    if tail in _READ or tail.startswith("fetch_"):
        return "reads data"
    if tail in _MODEL_LOAD or (tail == "load" and root in _MODEL_LOAD_ROOTS):
        return "loads a saved model"
    if tail in _NETWORK or (tail in _HTTP_VERBS and root in _HTTP_ROOTS):
        return "makes network calls"
    if tail in _SHELL and root in _SHELL_ROOTS:
        return "runs shell commands"
    if name == "open":
        return "opens files"
    if len(parts) == 1 and tail in own_functions:
        return f"runs {tail}()"
    return None


def _is_main_guard(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    if not isinstance(test, ast.Compare) or len(test.comparators) != 1:
        return False
    sides = [test.left, test.comparators[0]]
    names = {s.id for s in sides if isinstance(s, ast.Name)}
    consts = {s.value for s in sides if isinstance(s, ast.Constant)}
    return "__name__" in names and "__main__" in consts


def _cheap(node: ast.expr | None) -> bool:
    """A constant-like value: literals, names, containers and arithmetic of them, cheap calls."""
    if node is None or isinstance(node, (ast.Constant, ast.Name, ast.Attribute, ast.JoinedStr)):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_cheap(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(_cheap(k) for k in node.keys if k is not None) and all(
            _cheap(v) for v in node.values
        )
    if isinstance(node, ast.BinOp):
        return _cheap(node.left) and _cheap(node.right)
    if isinstance(node, ast.UnaryOp):
        return _cheap(node.operand)
    if isinstance(node, ast.Subscript):
        return _cheap(node.value) and _cheap(node.slice)
    if isinstance(node, ast.Call):
        tail = _name(node.func).split(".")[-1]
        return (
            tail in _CHEAP_CALLS
            and _cheap(node.func)
            and all(_cheap(a) for a in node.args)
            and all(_cheap(k.value) for k in node.keywords)
        )
    return isinstance(node, ast.Lambda)


def _neutral(node: ast.stmt, index: int) -> bool:
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.Pass)):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True  # docstrings and bare strings
    if isinstance(node, ast.Assign | ast.AnnAssign):
        return _cheap(node.value)
    if isinstance(node, ast.If):
        test = _name(node.test) if isinstance(node.test, (ast.Name, ast.Attribute)) else ""
        if test.endswith("TYPE_CHECKING"):
            return True
    if isinstance(node, ast.Try):
        return all(isinstance(s, (ast.Import, ast.ImportFrom, ast.Pass)) for s in node.body)
    return False


def _code_lines(text: str) -> list[bool]:
    """Per 1-based line (index 0 unused), whether it holds code (not blank, not a comment)."""
    flags = [False]
    for line in text.splitlines():
        stripped = line.strip()
        flags.append(bool(stripped) and not stripped.startswith("#"))
    return flags


def _span(node: ast.stmt, flags: list[bool]) -> int:
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    last = node.end_lineno or node.lineno
    return sum(flags[first : last + 1])


def _import_time_work(nodes: Iterable[ast.stmt], own: set[str]) -> list[ImportTimeWork]:
    found: list[ImportTimeWork] = []
    for stmt in nodes:
        stack: list[ast.AST] = [stmt]
        while stack:
            node = stack.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                continue
            if isinstance(node, ast.Call):
                does = _does(node, own)
                if does is not None:
                    found.append(ImportTimeWork(node.lineno, _name(node.func), does))
            stack.extend(ast.iter_child_nodes(node))
    return sorted(found, key=lambda w: w.line)


def _wiring_only(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether every call the function makes is argument parsing, path handling or a hand-over."""
    calls = [n for n in ast.walk(node) if isinstance(n, ast.Call)]
    return bool(calls) and all(_name(c.func).split(".")[-1] in _WIRING_CALLS for c in calls)


def _definition_lines(
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
    flags: list[bool],
    complex_lines: set[int],
) -> tuple[int, int]:
    """(organised, unorganised) code lines of a top-level definition."""
    span = _span(node, flags)
    if isinstance(node, ast.ClassDef):
        organised = span
        for item in node.body:
            if (
                isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                and item.lineno in complex_lines
            ):
                organised -= round(_span(item, flags) * (1 - COMPLEX_COUNTS))
        return organised, span - organised
    if node.lineno in complex_lines:
        organised = round(span * COMPLEX_COUNTS)
        return organised, span - organised
    return span, 0


def _layout(unit: SourceUnit, complex_lines: set[int]) -> ModuleLayout:
    assert unit.tree is not None and unit.text is not None
    module = ModuleLayout(rel=unit.rel, is_notebook=unit.is_notebook)
    if not unit.is_notebook:
        module.dotted = _dotted(unit.rel)
    flags = _code_lines(unit.text)
    own = {
        n.name
        for n in unit.tree.body
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    }
    outside_guard: list[ast.stmt] = []
    for index, node in enumerate(unit.tree.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _wiring_only(node):
            module.wiring_lines += _span(node, flags)
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            organised, unorganised = _definition_lines(node, flags, complex_lines)
            module.def_lines += organised
            module.work_lines += unorganised
            continue
        if _is_main_guard(node):
            module.has_main_guard = True
            module.work_lines += _span(node, flags)
            continue
        if _neutral(node, index):
            continue
        module.work_lines += _span(node, flags)
        outside_guard.append(node)
    module.import_time = _import_time_work(outside_guard, own)
    return module


_OPTIONAL_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception"})


def _guards_imports(handler: ast.ExceptHandler) -> bool:
    """``except ImportError:`` (or a broader handler) makes the imports it guards optional."""
    if handler.type is None:
        return True
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(_name(k).split(".")[-1] in _OPTIONAL_IMPORT_ERRORS for k in kinds)


def import_statements(tree: ast.Module) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement at any depth, with whether it is optional (in a ``try`` that
    catches ImportError, or under ``if TYPE_CHECKING:``). Only statement lists are walked
    (imports are statements), never expressions, which are most of a tree's nodes."""
    found: list[tuple[ast.Import | ast.ImportFrom, bool]] = []
    stack: list[tuple[ast.stmt, bool]] = [(n, False) for n in tree.body]
    while stack:
        node, optional = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append((node, optional))
            continue
        inner = optional
        if isinstance(node, ast.Try) and any(_guards_imports(h) for h in node.handlers):
            inner = True
        if isinstance(node, ast.If) and _name(node.test).endswith("TYPE_CHECKING"):
            inner = True
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list):
                stack.extend((s, inner) for s in block if isinstance(s, ast.stmt))
        for handler in getattr(node, "handlers", None) or ():
            stack.extend((s, optional) for s in handler.body)
        for case in getattr(node, "cases", None) or ():
            stack.extend((s, optional) for s in case.body)
    return found


def _imported_names(unit: SourceUnit, dotted: str | None) -> set[str]:
    """Every dotted name this unit's imports could refer to."""
    assert unit.tree is not None
    names: set[str] = set()
    is_package = PurePosixPath(unit.rel).name == "__init__.py"
    package = (dotted or "").split(".") if is_package else (dotted or "").split(".")[:-1]
    for node, _ in import_statements(unit.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                names.update(".".join(parts[: i + 1]) for i in range(len(parts)))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if module:
                parts = module.split(".")
                names.update(".".join(parts[: i + 1]) for i in range(len(parts)))
            names.update(f"{module}.{a.name}" if module else a.name for a in node.names)
    return names


def code_layout(
    units: list[SourceUnit],
    entry_scripts: Iterable[str],
    complex_functions: Iterable[tuple[str, int]] = (),
) -> CodeLayout:
    """The layout of every parsed non-test unit, with who imports whom among all parsed units.

    ``complex_functions`` are (file, line of ``def``) of functions over the complexity limit.
    """
    parsed = [u for u in units if u.ok]
    entries = set(entry_scripts)
    complex_by_rel: dict[str, set[int]] = {}
    for rel, line in complex_functions:
        complex_by_rel.setdefault(rel, set()).add(line)
    layouts = {u.rel: _layout(u, complex_by_rel.get(u.rel, set())) for u in parsed if not u.is_test}
    by_dotted: dict[str, str] = {}
    for unit in parsed:
        if unit.is_notebook:
            continue
        dotted = _dotted(unit.rel)
        if dotted is not None:
            by_dotted.setdefault(dotted, unit.rel)
            if unit.rel.startswith("src/"):
                by_dotted.setdefault(f"src.{dotted}", unit.rel)  # `from src.data import load`
    for unit in parsed:
        own = None if unit.is_notebook else _dotted(unit.rel)
        for name in _imported_names(unit, own):
            target = by_dotted.get(name)
            if target is None or target == unit.rel or target not in layouts:
                continue
            if unit.rel not in layouts[target].imported_by:
                layouts[target].imported_by.append(unit.rel)
    inits = {
        str(PurePosixPath(u.rel).parent)
        for u in units
        if PurePosixPath(u.rel).name == "__init__.py"
    }
    for rel, module in layouts.items():
        if module.is_notebook:
            continue
        folder = str(PurePosixPath(rel).parent)
        module.in_package = folder != "." and folder in inits
        module.entry = rel in entries
    return CodeLayout(modules=list(layouts.values()))
