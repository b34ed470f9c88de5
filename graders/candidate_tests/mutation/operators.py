"""The mutation operators: small changes to the candidate's own code that a good test notices.

Each operator finds *sites* on a parsed module: a span of the source text and what to put there
instead. The set is documented in ``docs/scoring/tests.md`` (:data:`OPERATORS` is the same list).

Sites that are cheaply recognised as equivalent or as saying nothing about the tests are never
produced:

- docstrings and other string statements; type annotations; ``if TYPE_CHECKING:`` blocks; the
  ``__name__ == "__main__"`` test; module-level dunder assignments (``__all__``, ``__version__``);
- the arguments of output-only calls (``print``, logging, ``warnings.warn``, plotting, ``echo``),
  and removing such a call;
- strings in ``raise`` and ``assert`` messages and in ``help=``-like keyword arguments (text for
  people);
- numbers passed as keyword arguments or given as parameter defaults (hyperparameters, seeds,
  ``n_jobs``: values a test should not pin) and integers of 100 or more (sizes where ``+ 1`` changes nothing observable);
- ``x + 0``, ``x * 1`` and the like; ``+`` and ``%`` on a string literal (string building,
  which any execution of the line breaks);
- lines marked ``# pragma: no mutate`` or ``# pragma: no cover``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace

__all__ = ["OPERATORS", "Site", "find_sites"]

OPERATORS: dict[str, str] = {
    "comparison": "a comparison moved across its boundary or negated (`<` to `<=`, `==` to `!=`, "
    "`in` to `not in`, `is` to `is not`)",
    "arithmetic": "an arithmetic or mask operator swapped (`+`/`-`, `*`/`/`, `//` to `/`, `%` to "
    "`*`, `**` to `*`, `&`/`|`), also in augmented assignments",
    "boolean": "`and` swapped with `or`",
    "condition": "the condition of an `if`, `while` or conditional expression negated",
    "not": "a `not` removed",
    "minus": "a unary minus removed",
    "number": "a number changed by one (`3` to `4`, `0.5` to `1.5`)",
    "true-false": "`True` swapped with `False`",
    "string": "a string constant changed (`'label'` to `'XXlabelXX'`)",
    "return": "a returned value replaced by `None`",
    "call": "a call made for its effect removed (`model.fit(X, y)` to `None`)",
    "loop": "`break` swapped with `continue`",
}
"""Operator name -> what it does, as reviewers read it."""

MAX_SITES_PER_FILE = 5_000
MAX_STRING_CHARS = 200
"""Longer string constants (templates, SQL, prose) are not mutated."""
MIN_INT_SKIPPED = 100

_COMPARE = {
    ast.Lt: (r"<(?![<=])", "<="),
    ast.LtE: (r"<=", "<"),
    ast.Gt: (r">(?![>=])", ">="),
    ast.GtE: (r">=", ">"),
    ast.Eq: (r"==", "!="),
    ast.NotEq: (r"!=", "=="),
    ast.Is: (r"is\b(?!\s+not\b)", "is not"),
    ast.IsNot: (r"is\s+not\b", "is"),
    ast.In: (r"in\b", "not in"),
    ast.NotIn: (r"not\s+in\b", "in"),
}
_ARITH = {
    ast.Add: (r"\+", "-"),
    ast.Sub: (r"-", "+"),
    ast.Mult: (r"\*(?!\*)", "/"),
    ast.Div: (r"/(?!/)", "*"),
    ast.FloorDiv: (r"//", "/"),
    ast.Mod: (r"%", "*"),
    ast.Pow: (r"\*\*", "*"),
    ast.BitAnd: (r"&", "|"),
    ast.BitOr: (r"\|", "&"),
}
_BOOL = {ast.And: (r"and\b", "or"), ast.Or: (r"or\b", "and")}
# Whitespace, brackets, line continuations and comments between an operand and its operator.
_GAP = re.compile(r"(?:\s|[()]|\\\r?\n|#[^\n]*)*")
_PRAGMA = re.compile(r"#\s*pragma:\s*no\s*(?:mutate|cover)\b", re.IGNORECASE)

_OUTPUT_ROOTS = frozenset({"print", "pprint", "logging", "warnings", "plt", "sns", "tqdm", "click", "typer", "rich", "console"})
_LOG_LEVELS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"})
_OUTPUT_ATTRS = frozenset({"echo", "secho", "print", "pprint", "write"})
_OUTPUT_OWNERS = frozenset({"stdout", "stderr", "click", "typer", "console"})
_TEXT_KEYWORDS = frozenset({"help", "description", "epilog", "metavar", "usage", "prog", "title", "desc"})
_DUNDERS = re.compile(r"^__\w+__$")


@dataclass(frozen=True)
class Site:
    """One place where one operator changes the source."""

    line: int
    """1-based line of the change."""
    stmt_line: int
    """First line of the enclosing statement: the line coverage records as run."""
    start: int
    """Character offset of the replaced span in the source text."""
    end: int
    original: str
    """The replaced text (``text[start:end]``)."""
    replacement: str
    operator: str
    """A key of :data:`OPERATORS`."""


@dataclass(frozen=True)
class _Ctx:
    stmt_line: int = 0
    no_strings: bool = False
    """Inside text for people: raise/assert messages, help= arguments."""
    keyword_value: bool = False
    """Inside a keyword argument's value: numbers are tuning knobs, not logic."""


class _Source:
    """Character offsets from the (line, UTF-8 byte column) positions ``ast`` gives."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        for index, char in enumerate(text):
            if char == "\n":
                self.starts.append(index + 1)
        self.pragma_lines = {
            number
            for number, line in enumerate(text.split("\n"), start=1)
            if "pragma" in line and _PRAGMA.search(line)
        }

    def offset(self, line: int, col: int) -> int:
        begin = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        raw = self.text[begin:end].encode("utf-8")[:col]
        return begin + len(raw.decode("utf-8", errors="ignore"))

    def span(self, node: ast.AST) -> tuple[int, int] | None:
        end_line, end_col = getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None)
        if end_line is None or end_col is None:
            return None
        return self.offset(node.lineno, node.col_offset), self.offset(end_line, end_col)  # type: ignore[attr-defined]

    def line_of(self, offset: int) -> int:
        low, high = 0, len(self.starts) - 1
        while low < high:
            mid = (low + high + 1) // 2
            if self.starts[mid] <= offset:
                low = mid
            else:
                high = mid - 1
        return low + 1


def _call_name(func: ast.expr) -> list[str]:
    parts: list[str] = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    elif isinstance(func, ast.Call):
        parts.extend(reversed(_call_name(func.func)))
    return list(reversed(parts))


def _is_output_call(node: ast.Call) -> bool:
    """print, logging, warnings, plotting and echo: calls whose only effect is output."""
    parts = _call_name(node.func)
    if not parts:
        return False
    lowered = [p.lower() for p in parts]
    if lowered[0] in _OUTPUT_ROOTS:
        return True
    if len(parts) > 1 and lowered[-1] in _LOG_LEVELS and any("log" in p for p in lowered[:-1]):
        return True
    return lowered[-1] in _OUTPUT_ATTRS and (len(parts) == 1 or lowered[-2] in _OUTPUT_OWNERS)


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )


def _is_type_checking(test: ast.expr) -> bool:
    name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else ""
    return name == "TYPE_CHECKING"


def _neutral(op: ast.operator, left: ast.expr, right: ast.expr) -> bool:
    """``x + 0``, ``x * 1``, string building: a swap that says nothing about the tests."""

    def const(node: ast.expr) -> object:
        return node.value if isinstance(node, ast.Constant) else None

    def is_text(node: ast.expr) -> bool:
        return isinstance(node, ast.JoinedStr) or isinstance(const(node), str)

    if isinstance(op, (ast.Add, ast.Mod)) and (is_text(left) or is_text(right)):
        return True
    values = {repr(const(left)), repr(const(right))}
    if isinstance(op, (ast.Add, ast.Sub)):
        return bool(values & {"0", "0.0"})
    if isinstance(op, (ast.Mult, ast.Div, ast.FloorDiv, ast.Pow)):
        return repr(const(right)) in {"1", "1.0"} or (
            isinstance(op, ast.Mult) and repr(const(left)) in {"1", "1.0"}
        )
    return False


def _docstring_body(body: list[ast.stmt]) -> list[ast.stmt]:
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        return body[1:]
    return body


class _Finder:
    """Walks one module (depth-checked by the caller) and collects :class:`Site` values."""

    def __init__(self, source: _Source) -> None:
        self.src = source
        self.sites: list[Site] = []

    # --- recording ------------------------------------------------------------------------
    def _add(self, start: int, end: int, replacement: str, operator: str, ctx: _Ctx) -> None:
        line = self.src.line_of(start)
        if line in self.src.pragma_lines or (ctx.stmt_line in self.src.pragma_lines):
            return
        if len(self.sites) >= MAX_SITES_PER_FILE:
            return
        original = self.src.text[start:end]
        if original == replacement or not original:
            return
        self.sites.append(Site(line, ctx.stmt_line or line, start, end, original, replacement, operator))

    def _token(self, after: ast.AST, before: ast.AST, pattern: str) -> tuple[int, int] | None:
        """The operator between two operands: after ``after`` ends, before ``before`` starts."""
        left, right = self.src.span(after), self.src.span(before)
        if left is None or right is None:
            return None
        gap = self.src.text[left[1] : right[0]]
        skipped = _GAP.match(gap)
        offset = skipped.end() if skipped else 0
        found = re.compile(pattern).match(gap, offset)
        if found is None:
            return None
        return left[1] + found.start(), left[1] + found.end()

    # --- walking --------------------------------------------------------------------------
    def visit(self, node: ast.AST, ctx: _Ctx) -> None:
        if isinstance(node, ast.stmt):
            ctx = replace(ctx, stmt_line=node.lineno)
        handler = getattr(self, f"_visit_{type(node).__name__}", None)
        if handler is not None:
            handler(node, ctx)
        else:
            self.children(node, ctx)

    def children(self, node: ast.AST, ctx: _Ctx) -> None:
        for name, value in ast.iter_fields(node):
            if name in {"annotation", "returns", "type_comment", "type_params"}:
                continue
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.AST):
                    self.visit(child, ctx)

    def _body(self, body: list[ast.stmt], ctx: _Ctx) -> None:
        for stmt in _docstring_body(body):
            self.visit(stmt, ctx)

    def _visit_Module(self, node: ast.Module, ctx: _Ctx) -> None:
        for stmt in _docstring_body(node.body):
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and _assigns_dunder(stmt):
                continue
            self.visit(stmt, ctx)

    def _visit_ClassDef(self, node: ast.ClassDef, ctx: _Ctx) -> None:
        for child in [*node.decorator_list, *node.bases, *node.keywords]:
            self.visit(child, ctx)
        self._body(node.body, ctx)

    def _visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef, ctx: _Ctx) -> None:
        for child in node.decorator_list:
            self.visit(child, ctx)
        self.visit(node.args, ctx)
        self._body(node.body, ctx)

    _visit_AsyncFunctionDef = _visit_FunctionDef

    def _visit_Expr(self, node: ast.Expr, ctx: _Ctx) -> None:
        value = node.value
        if isinstance(value, ast.Constant):
            return  # a string (or other constant) statement does nothing
        if isinstance(value, ast.Call) and not _is_output_call(value):
            span = self.src.span(value)
            if span is not None:
                self._add(span[0], span[1], "None", "call", ctx)
        self.visit(value, ctx)

    def _visit_Call(self, node: ast.Call, ctx: _Ctx) -> None:
        if _is_output_call(node):
            return
        self.visit(node.func, ctx)
        for arg in node.args:
            self.visit(arg, replace(ctx, keyword_value=False))
        for keyword in node.keywords:
            inner = replace(ctx, keyword_value=True)
            if keyword.arg in _TEXT_KEYWORDS:
                inner = replace(inner, no_strings=True)
            self.visit(keyword.value, inner)

    def _visit_arguments(self, node: ast.arguments, ctx: _Ctx) -> None:
        # Default values are tuning knobs like keyword arguments: numbers are left alone.
        for default in [*node.defaults, *(d for d in node.kw_defaults if d is not None)]:
            self.visit(default, replace(ctx, keyword_value=True))

    def _visit_Raise(self, node: ast.Raise, ctx: _Ctx) -> None:
        if node.exc is not None:
            self.visit(node.exc, replace(ctx, no_strings=True))
        if node.cause is not None:
            self.visit(node.cause, ctx)

    def _visit_Assert(self, node: ast.Assert, ctx: _Ctx) -> None:
        self.visit(node.test, ctx)

    def _visit_JoinedStr(self, node: ast.JoinedStr, ctx: _Ctx) -> None:
        return  # f-strings build text for people

    def _condition(self, test: ast.expr, ctx: _Ctx) -> None:
        span = self.src.span(test)
        if span is not None:
            self._add(span[0], span[1], f"not ({self.src.text[span[0]:span[1]]})", "condition", ctx)

    def _visit_If(self, node: ast.If, ctx: _Ctx) -> None:
        if _is_type_checking(node.test):
            return
        if not _is_main_guard(node.test):
            self._condition(node.test, ctx)
            self.visit(node.test, ctx)
        for stmt in [*node.body, *node.orelse]:
            self.visit(stmt, ctx)

    def _visit_While(self, node: ast.While, ctx: _Ctx) -> None:
        self._condition(node.test, ctx)
        self.children(node, ctx)

    def _visit_IfExp(self, node: ast.IfExp, ctx: _Ctx) -> None:
        self._condition(node.test, ctx)
        self.children(node, ctx)

    def _visit_Compare(self, node: ast.Compare, ctx: _Ctx) -> None:
        operands = [node.left, *node.comparators]
        for index, op in enumerate(node.ops):
            pattern, replacement = _COMPARE[type(op)]
            found = self._token(operands[index], operands[index + 1], pattern)
            if found is not None:
                self._add(found[0], found[1], replacement, "comparison", ctx)
        self.children(node, ctx)

    def _visit_BinOp(self, node: ast.BinOp, ctx: _Ctx) -> None:
        rule = _ARITH.get(type(node.op))
        if rule is not None and not _neutral(node.op, node.left, node.right):
            found = self._token(node.left, node.right, rule[0])
            if found is not None:
                self._add(found[0], found[1], rule[1], "arithmetic", ctx)
        self.children(node, ctx)

    def _visit_AugAssign(self, node: ast.AugAssign, ctx: _Ctx) -> None:
        rule = _ARITH.get(type(node.op))
        if rule is not None and not _neutral(node.op, node.target, node.value):
            found = self._token(node.target, node.value, rule[0] + "=")
            if found is not None:
                self._add(found[0], found[1], rule[1] + "=", "arithmetic", ctx)
        self.visit(node.value, ctx)

    def _visit_BoolOp(self, node: ast.BoolOp, ctx: _Ctx) -> None:
        pattern, replacement = _BOOL[type(node.op)]
        for left, right in zip(node.values, node.values[1:], strict=False):
            found = self._token(left, right, pattern)
            if found is not None:
                self._add(found[0], found[1], replacement, "boolean", ctx)
        self.children(node, ctx)

    def _visit_UnaryOp(self, node: ast.UnaryOp, ctx: _Ctx) -> None:
        span = self.src.span(node)
        if span is not None and isinstance(node.op, ast.Not):
            keyword = re.compile(r"not\s*").match(self.src.text, span[0])
            if keyword is not None:
                self._add(keyword.start(), keyword.end(), "", "not", ctx)
        elif span is not None and isinstance(node.op, ast.USub):
            operand = node.operand
            zero = isinstance(operand, ast.Constant) and operand.value in (0, 0.0)
            if not zero and self.src.text[span[0]] == "-":
                self._add(span[0], span[0] + 1, "", "minus", ctx)
        self.visit(node.operand, ctx)

    def _visit_Constant(self, node: ast.Constant, ctx: _Ctx) -> None:
        span = self.src.span(node)
        if span is None:
            return
        value = node.value
        if isinstance(value, bool):
            self._add(span[0], span[1], "False" if value else "True", "true-false", ctx)
        elif isinstance(value, int) and not ctx.keyword_value and abs(value) < MIN_INT_SKIPPED:
            self._add(span[0], span[1], repr(value + 1), "number", ctx)
        elif isinstance(value, float) and not ctx.keyword_value and value + 1.0 != value:
            self._add(span[0], span[1], repr(value + 1.0), "number", ctx)
        elif isinstance(value, str) and not ctx.no_strings and len(value) <= MAX_STRING_CHARS:
            self._add(span[0], span[1], repr(f"XX{value}XX"), "string", ctx)

    def _visit_Return(self, node: ast.Return, ctx: _Ctx) -> None:
        value = node.value
        if value is None:
            return
        if not (isinstance(value, ast.Constant) and value.value is None):
            span = self.src.span(value)
            if span is not None:
                self._add(span[0], span[1], "None", "return", ctx)
        self.visit(value, ctx)

    def _visit_Break(self, node: ast.Break, ctx: _Ctx) -> None:
        span = self.src.span(node)
        if span is not None:
            self._add(span[0], span[1], "continue", "loop", ctx)

    def _visit_Continue(self, node: ast.Continue, ctx: _Ctx) -> None:
        span = self.src.span(node)
        if span is not None:
            self._add(span[0], span[1], "break", "loop", ctx)


def _assigns_dunder(stmt: ast.Assign | ast.AnnAssign) -> bool:
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    return any(isinstance(t, ast.Name) and _DUNDERS.match(t.id) for t in targets)


def find_sites(text: str, tree: ast.Module) -> list[Site]:
    """Every mutation site of a module, in source order. ``tree`` must be ``text`` parsed (and
    depth-checked: the walk is recursive)."""
    finder = _Finder(_Source(text))
    finder.visit(tree, _Ctx())
    return sorted(finder.sites, key=lambda s: (s.start, s.end, s.operator, s.replacement))
