"""Loading the submission's notebooks once, defensively, for every grader that reads them.

A notebook is hostile JSON. It is read bounded, parsed with :mod:`json` (deep nesting raises,
and is caught), checked for the shape nbformat expects, and rebuilt from its plain string parts
before nbconvert sees it. The Python view (for linting and metrics) is produced by nbconvert's
``PythonExporter`` from a copy whose IPython magics and ``!`` shell lines are turned into inert
Python, so analysers see valid code and line numbers still match the cells.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass
from typing import Any

import nbformat

from graders._workspace import FileKind, TextProblem, inventory, read_text
from graders.types import GradingContext

__all__ = [
    "MAX_CELLS",
    "MAX_NOTEBOOK_BYTES",
    "CellSpan",
    "LoadedNotebook",
    "RawCell",
    "load_notebook_text",
    "neutralise_magics",
    "notebooks",
]

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
"""Notebooks larger than this are not parsed (images make notebooks big; 20 MiB is generous)."""
MAX_CELLS = 2_000
"""Cells read per notebook."""
MAX_CELL_CHARS = 200_000
"""Characters of source kept per cell."""
MAX_NOTEBOOKS = 50
"""Notebooks loaded per submission."""
MAX_TOTAL_NOTEBOOK_BYTES = 80 * 1024 * 1024
"""Bytes of notebook JSON read per submission."""

# Cell magics whose body is still Python: keep the body, neutralise the magic line.
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit"})
_SHELL_ASSIGN = re.compile(r"^(\s*)([A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*=\s*[!%]")


@dataclass(frozen=True)
class RawCell:
    """One cell reduced to the plain strings graders need."""

    index: int
    """0-based position among all cells."""
    cell_type: str
    """``code``, ``markdown`` or ``raw``."""
    source: str
    execution_count: int | None = None
    outputs: tuple[dict[str, Any], ...] = ()
    """The cell's outputs as plain JSON objects (code cells only)."""


@dataclass(frozen=True)
class CellSpan:
    """Where a code cell's source sits in the exported Python script."""

    cell_index: int
    """0-based position among all cells."""
    first_line: int
    """1-based line of the script where the cell's first source line is."""
    line_count: int


@dataclass(frozen=True)
class LoadedNotebook:
    """A notebook of the workspace, or why it could not be read."""

    rel: str
    """Path relative to the workspace root."""
    problem: str | None
    """Why the notebook could not be read (malformed JSON, too large, ...); None when it could."""
    cells: tuple[RawCell, ...] = ()
    script: str = ""
    """The code cells exported as a Python script by nbconvert, magics neutralised."""
    spans: tuple[CellSpan, ...] = ()
    """Where each code cell sits in :attr:`script`."""
    nbformat_major: int = 4
    truncated: bool = False
    """True when :data:`MAX_CELLS` or :data:`MAX_CELL_CHARS` cut something off."""

    @property
    def code_cells(self) -> list[RawCell]:
        return [c for c in self.cells if c.cell_type == "code"]

    @property
    def markdown_cells(self) -> list[RawCell]:
        return [c for c in self.cells if c.cell_type == "markdown"]

    def cell_at(self, script_line: int) -> tuple[int, int] | None:
        """(1-based cell number, 1-based line in that cell) of a script line, if in a cell."""
        for span in self.spans:
            if span.first_line <= script_line < span.first_line + max(span.line_count, 1):
                return span.cell_index + 1, script_line - span.first_line + 1
        return None

    def code_lines(self) -> int:
        """Non-blank lines of code over all code cells."""
        return sum(1 for c in self.code_cells for ln in c.source.splitlines() if ln.strip())


def _source(value: object) -> str:
    if isinstance(value, str):
        return value[:MAX_CELL_CHARS]
    if isinstance(value, list):
        parts = [p for p in value if isinstance(p, str)]
        return "".join(parts)[:MAX_CELL_CHARS]
    return ""


def _outputs(value: object) -> tuple[dict[str, Any], ...]:
    if not isinstance(value, list):
        return ()
    return tuple(o for o in value[:500] if isinstance(o, dict))


def neutralise_magics(source: str) -> str:
    """The cell with IPython magics, ``!`` shell lines and ``?`` help turned into inert Python.

    Each such line is replaced, at its own indentation, by ``pass`` (or ``name = ...`` for
    ``x = !ls``) followed by the original as a comment, so blocks stay valid and line numbers
    keep matching the cell.
    """
    lines = source.split("\n")
    first = next((ln.strip() for ln in lines if ln.strip()), "")
    if first.startswith("%%"):
        magic = first[2:].split(maxsplit=1)[0] if len(first) > 2 else ""
        if magic not in _PYTHON_CELL_MAGICS:
            return "\n".join(f"# {ln}" if ln.strip() else ln for ln in lines)
    out: list[str] = []
    continuing = False
    for line in lines:
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if continuing:
            out.append(f"{indent}# {stripped}")
            continuing = stripped.endswith("\\")
            continue
        shell_assign = _SHELL_ASSIGN.match(line)
        if shell_assign:
            out.append(f"{shell_assign.group(1)}{shell_assign.group(2)} = ...  # {stripped}")
            continuing = stripped.endswith("\\")
        elif stripped.startswith(("%", "!", "?")) or (
            stripped.endswith("?")
            and not stripped.startswith("#")
            and stripped[:-1].strip().isidentifier()
        ):
            out.append(f"{indent}pass  # {stripped}")
            continuing = stripped.endswith("\\")
        else:
            out.append(line)
    return "\n".join(out)


def _parse_cells(data: dict[str, Any]) -> tuple[list[RawCell], bool]:
    raw_cells = data.get("cells")
    if not isinstance(raw_cells, list):
        # nbformat 3 keeps cells under worksheets[0].cells, with "input" for code.
        worksheets = data.get("worksheets")
        raw_cells = []
        if isinstance(worksheets, list) and worksheets and isinstance(worksheets[0], dict):
            inner = worksheets[0].get("cells")
            raw_cells = inner if isinstance(inner, list) else []
    truncated = len(raw_cells) > MAX_CELLS
    cells: list[RawCell] = []
    for index, cell in enumerate(raw_cells[:MAX_CELLS]):
        if not isinstance(cell, dict):
            continue
        cell_type = cell.get("cell_type")
        if cell_type not in {"code", "markdown", "raw", "heading"}:
            continue
        source = _source(cell.get("source", cell.get("input", "")))
        if cell_type == "heading":
            level = cell.get("level", 1)
            level = level if isinstance(level, int) and 1 <= level <= 6 else 1
            cell_type, source = "markdown", f"{'#' * level} {source}"
        count = cell.get("execution_count", cell.get("prompt_number"))
        cells.append(
            RawCell(
                index=index,
                cell_type=cell_type,
                source=source,
                execution_count=count
                if isinstance(count, int) and not isinstance(count, bool)
                else None,
                outputs=_outputs(cell.get("outputs")) if cell_type == "code" else (),
            )
        )
    return cells, truncated


def _export_script(cells: list[RawCell]) -> tuple[str, tuple[CellSpan, ...]]:
    from nbconvert import PythonExporter  # imported lazily: nbconvert is slow to import

    neutral = {c.index: neutralise_magics(c.source) for c in cells if c.cell_type == "code"}
    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    nb.metadata = {"language_info": {"name": "python"}}
    nb.cells = [
        nbformat.v4.new_code_cell(neutral[c.index])  # type: ignore[no-untyped-call]
        if c.cell_type == "code"
        else nbformat.v4.new_markdown_cell(c.source)  # type: ignore[no-untyped-call]
        for c in cells
        if c.cell_type in {"code", "markdown"}
    ]
    with warnings.catch_warnings():
        # Without IPython installed nbconvert warns it cannot transform magics; we did it above.
        warnings.simplefilter("ignore")
        script, _ = PythonExporter().from_notebook_node(nb)  # type: ignore[no-untyped-call]
    spans: list[CellSpan] = []
    pos = 0
    for cell in cells:
        if cell.cell_type != "code":
            continue
        body = neutral[cell.index]
        if not body.strip():
            continue
        found = script.find(body, pos)
        if found < 0:
            continue
        first_line = script.count("\n", 0, found) + 1
        spans.append(CellSpan(cell.index, first_line, body.count("\n") + 1))
        pos = found + len(body)
    return script, tuple(spans)


def load_notebook_text(rel: str, text: str) -> LoadedNotebook:
    """Parse a notebook's JSON text; a malformed notebook becomes a :attr:`LoadedNotebook.problem`."""
    try:
        data = json.loads(text)
    except RecursionError:
        return LoadedNotebook(rel, "its JSON is nested too deeply to parse")
    except ValueError as exc:
        return LoadedNotebook(rel, f"it is not valid JSON ({str(exc)[:120]})")
    if not isinstance(data, dict):
        return LoadedNotebook(rel, "its JSON is not an object, so it is not a notebook")
    major = data.get("nbformat")
    if not isinstance(major, int) or major not in {3, 4}:
        return LoadedNotebook(
            rel, f"it declares nbformat {major!r}; only notebook formats 3 and 4 are read"
        )
    if "cells" not in data and "worksheets" not in data:
        return LoadedNotebook(rel, "it has no cells list")
    cells, truncated = _parse_cells(data)
    try:
        script, spans = _export_script(cells)
    except Exception as exc:  # nbconvert on odd input: report, never crash the grader
        return LoadedNotebook(
            rel,
            f"nbconvert could not export it ({type(exc).__name__})",
            tuple(cells),
            nbformat_major=major,
        )
    return LoadedNotebook(
        rel=rel,
        problem=None,
        cells=tuple(cells),
        script=script,
        spans=spans,
        nbformat_major=major,
        truncated=truncated,
    )


_PROBLEM_TEXT = {
    TextProblem.too_large: f"it is larger than {MAX_NOTEBOOK_BYTES // (1024 * 1024)} MiB",
    TextProblem.binary: "it is a binary file, not notebook JSON",
    TextProblem.not_utf8: "it is not UTF-8 text",
    TextProblem.unreadable: "it could not be read",
}


def notebooks(ctx: GradingContext) -> list[LoadedNotebook]:
    """Every notebook of the workspace (at most :data:`MAX_NOTEBOOKS`), loaded once per context."""
    key = "graders._notebooks.notebooks"
    cached = ctx.memo.get(key)
    if isinstance(cached, list):
        return cached
    loaded: list[LoadedNotebook] = []
    budget = MAX_TOTAL_NOTEBOOK_BYTES
    for f in inventory(ctx).of_kind(FileKind.notebook)[:MAX_NOTEBOOKS]:
        if f.size > budget:
            loaded.append(
                LoadedNotebook(f.rel, "the submission's notebooks are too large in total to read")
            )
            continue
        budget -= f.size
        read = read_text(ctx.workspace, f.rel, f.size, MAX_NOTEBOOK_BYTES)
        if read.text is None:
            assert read.problem is not None
            loaded.append(LoadedNotebook(f.rel, _PROBLEM_TEXT[read.problem]))
            continue
        loaded.append(load_notebook_text(f.rel, read.text))
    ctx.memo[key] = loaded
    return loaded
