"""The submission's Python code, parsed once and safely, as units graders can analyse.

A unit is a ``.py`` file or a notebook's exported script. Parsing never crashes: syntax errors,
null bytes, recursion in the parser, deeply nested expressions (which would overflow the recursive
visitors of ``ast``, radon and ruff) and oversized files each become a :class:`SourceProblem` the
graders turn into findings.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass
from enum import StrEnum

from graders._notebooks import LoadedNotebook, notebooks
from graders._workspace import TextProblem, inventory, is_test_path, read_text
from graders.types import GradingContext

__all__ = [
    "MAX_AST_DEPTH",
    "MAX_PY_BYTES",
    "MAX_TOTAL_PY_BYTES",
    "SourceProblem",
    "SourceUnit",
    "ast_depth",
    "parse_source",
    "source_units",
]

MAX_PY_BYTES = 1024 * 1024
"""Python files larger than this are reported, not analysed."""
MAX_TOTAL_PY_BYTES = 24 * 1024 * 1024
"""Bytes of Python analysed per submission; files past it are reported as not analysed."""
MAX_AST_DEPTH = 100
"""Deepest syntax tree analysed. Real code stays far below; deeper trees crash recursive tools."""
MAX_UNITS = 3_000
"""Python files analysed per submission."""


class SourceProblem(StrEnum):
    """Why a unit could not be analysed."""

    syntax_error = "syntax-error"
    too_deep = "too-deep"
    too_large = "too-large"
    binary = "binary"
    not_utf8 = "not-utf8"
    unreadable = "unreadable"
    over_budget = "over-budget"
    """The submission's total Python size passed :data:`MAX_TOTAL_PY_BYTES`."""


@dataclass(frozen=True)
class SourceUnit:
    """One analysable piece of Python."""

    rel: str
    """The file it comes from (``.py`` or ``.ipynb``), relative to the workspace."""
    text: str | None
    """The source (a notebook's exported script); None when it could not be read."""
    tree: ast.Module | None
    """The syntax tree; None when :attr:`problem` is set."""
    problem: SourceProblem | None = None
    detail: str = ""
    """What went wrong, for a finding."""
    problem_line: int | None = None
    notebook: LoadedNotebook | None = None
    """Set for a notebook's script."""

    @property
    def is_test(self) -> bool:
        return self.notebook is None and is_test_path(self.rel)

    @property
    def is_notebook(self) -> bool:
        return self.notebook is not None

    @property
    def ok(self) -> bool:
        return self.tree is not None

    def place(self, line: int | None) -> tuple[int | None, str]:
        """(line to report, a suffix naming the notebook cell) for a line of :attr:`text`."""
        if line is None or self.notebook is None:
            return line, ""
        cell = self.notebook.cell_at(line)
        if cell is None:
            return None, ""
        return None, f" (cell {cell[0]}, line {cell[1]})"

    def code_lines(self) -> int:
        """Non-blank, non-comment lines."""
        if self.text is None:
            return 0
        return sum(
            1 for ln in self.text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")
        )


def ast_depth(tree: ast.AST, limit: int) -> int:
    """Depth of the tree, computed without recursion; stops counting once ``limit`` is passed."""
    deepest = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                return deepest
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def parse_source(rel: str, text: str, notebook: LoadedNotebook | None = None) -> SourceUnit:
    """Parse one unit; every failure mode is a :class:`SourceProblem`, never an exception."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes is not our business
            tree = ast.parse(text, filename=rel)
    except SyntaxError as exc:
        return SourceUnit(
            rel,
            text,
            None,
            SourceProblem.syntax_error,
            f"{type(exc).__name__}: {exc.msg}",
            exc.lineno,
            notebook,
        )
    except (RecursionError, MemoryError):
        return SourceUnit(
            rel,
            text,
            None,
            SourceProblem.too_deep,
            "the parser ran out of stack: code nested too deeply",
            None,
            notebook,
        )
    except ValueError as exc:  # e.g. null bytes
        return SourceUnit(
            rel, text, None, SourceProblem.syntax_error, str(exc)[:200], None, notebook
        )
    depth = ast_depth(tree, MAX_AST_DEPTH)
    if depth > MAX_AST_DEPTH:
        return SourceUnit(
            rel,
            text,
            None,
            SourceProblem.too_deep,
            f"its syntax tree is more than {MAX_AST_DEPTH} levels deep",
            None,
            notebook,
        )
    return SourceUnit(rel, text, tree, notebook=notebook)


_READ_PROBLEM = {
    TextProblem.too_large: SourceProblem.too_large,
    TextProblem.binary: SourceProblem.binary,
    TextProblem.not_utf8: SourceProblem.not_utf8,
    TextProblem.unreadable: SourceProblem.unreadable,
}


def source_units(ctx: GradingContext) -> list[SourceUnit]:
    """All ``.py`` files, then every readable notebook's script, parsed once per context."""
    key = "graders._pysource.units"
    cached = ctx.memo.get(key)
    if isinstance(cached, list):
        return cached
    units: list[SourceUnit] = []
    budget = MAX_TOTAL_PY_BYTES
    for f in inventory(ctx).python_files()[:MAX_UNITS]:
        if f.size > budget:
            units.append(
                SourceUnit(
                    f.rel,
                    None,
                    None,
                    SourceProblem.over_budget,
                    "the submission's Python is too large",
                )
            )
            continue
        read = read_text(ctx.workspace, f.rel, f.size, MAX_PY_BYTES)
        if read.text is None:
            assert read.problem is not None
            units.append(
                SourceUnit(f.rel, None, None, _READ_PROBLEM[read.problem], f"{f.size} bytes")
            )
            continue
        budget -= f.size
        units.append(parse_source(f.rel, read.text))
    for nb in notebooks(ctx):
        if nb.problem is None and nb.script.strip():
            units.append(parse_source(nb.rel, nb.script, nb))
    ctx.memo[key] = units
    return units
