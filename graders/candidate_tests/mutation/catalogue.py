"""Every mutant of the candidate's own code that a passing test runs, and a fixed-seed sample.

The catalogue is a pure function of the submission's files and two files the tests stage wrote
(per-test coverage and the JUnit report). The stage builder computes it to plan the mutation
stage, and the ``tests`` grader computes it again to read that stage's results, which name
mutants only by id: what a mutant changes is never taken from a file a sandbox wrote.

- Mutated files: the candidate's non-test ``.py`` files that the tests stage ran (so never
  tests, conftest, setup.py, notebooks or the harness's own code), each parsed and
  depth-checked as the static graders do, and compiled (never run) to recognise mutants that
  compile to the same code as the original.
- Tests of a mutant: the passing tests whose coverage context ran the mutated statement's line.
  A line run only at import (a module constant, a ``def`` line) is tested by the tests that ran
  any line of its file.
"""

from __future__ import annotations

import hashlib
import json
import random
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from graders._pysource import MAX_PY_BYTES, parse_source
from graders._workspace import read_text, scan_workspace
from graders.candidate_tests.mutation.operators import Site, find_sites
from graders.candidate_tests.plan import CONTEXTS_JSON, WORKDIR
from graders.candidate_tests.reports import Outcome, read_bounded, read_junit, relative_path

__all__ = [
    "Catalogue",
    "CoverageMap",
    "Mutant",
    "build_catalogue",
    "read_contexts",
    "sample_mutants",
]

MAX_CONTEXT_TESTS = 20_000
MAX_MUTANTS = 50_000
MAX_FILES = 500
OUTSIDE_TESTS = -1


class _ContextsJson(BaseModel):
    model_config = ConfigDict(extra="ignore")
    format: Literal[1]
    tests: Annotated[list[Annotated[str, Field(max_length=2000)]], Field(max_length=MAX_CONTEXT_TESTS)]
    files: Annotated[dict[str, dict[str, list[int]]], Field(max_length=5000)]
    truncated: bool = False


@dataclass
class CoverageMap:
    """Which tests ran which line of which file (from :data:`CONTEXTS_JSON`)."""

    tests: list[str] = field(default_factory=list)
    lines: dict[str, dict[int, frozenset[int]]] = field(default_factory=dict)
    """Relative path -> line -> test numbers (:data:`OUTSIDE_TESTS` for import-time runs)."""
    truncated: bool = False
    problem: str | None = None


def read_contexts(path: Path | None) -> CoverageMap:
    """Read the per-test coverage export; a missing or bad file is a :attr:`CoverageMap.problem`."""
    if path is None:
        return CoverageMap(problem="the tests stage wrote no per-test coverage")
    data = read_bounded(path)
    if isinstance(data, str):
        return CoverageMap(problem=f"{CONTEXTS_JSON} {data}")
    try:
        parsed = _ContextsJson.model_validate(json.loads(data))
    except RecursionError:
        return CoverageMap(problem=f"{CONTEXTS_JSON} is nested too deeply")
    except (ValueError, ValidationError) as exc:
        return CoverageMap(problem=f"{CONTEXTS_JSON} is not a per-test coverage export ({str(exc)[:160]})")
    out = CoverageMap(tests=parsed.tests, truncated=parsed.truncated)
    count = len(parsed.tests)
    for raw, by_line in parsed.files.items():
        rel = relative_path(raw, WORKDIR)
        if rel is None:
            continue
        lines: dict[int, frozenset[int]] = {}
        for line, numbers in by_line.items():
            if line.isdigit():
                lines[int(line)] = frozenset(n for n in numbers if n == OUTSIDE_TESTS or 0 <= n < count)
        out.lines[rel] = lines
    return out


def _failing_tests(junit: Path | None) -> frozenset[str]:
    """Node ids of tests the tests stage did not see pass (failed, errored, skipped)."""
    if junit is None:
        return frozenset()
    report = read_junit(junit)
    return frozenset(
        f"{case.rel}::{case.test_name}"
        for case in report.cases
        if case.outcome is not Outcome.passed and case.rel is not None
    )


@dataclass(frozen=True)
class Mutant:
    """One small change to one file, and the tests that run the changed line."""

    id: str
    """Stable: a hash of file, span and replacement."""
    file: str
    line: int
    start: int
    end: int
    original: str
    replacement: str
    operator: str
    tests: tuple[str, ...]

    @property
    def change(self) -> str:
        """``<`` → ``<=``, for people (long spans shortened)."""

        def short(text: str) -> str:
            flat = " ".join(text.split())
            return flat if len(flat) <= 60 else flat[:57] + "..."

        return f"`{short(self.original) or '(nothing)'}` → `{short(self.replacement) or '(nothing)'}`"

    def apply(self, text: str) -> str:
        return text[: self.start] + self.replacement + text[self.end :]


@dataclass
class Catalogue:
    """The mutants of a submission's covered code."""

    mutants: list[Mutant] = field(default_factory=list)
    uncovered: int = 0
    """Sites on lines no passing test ran: not sampled (coverage is scored on its own)."""
    texts: dict[str, str] = field(default_factory=dict)
    """Source of every mutated file, by relative path."""
    problem: str | None = None
    """Why there is no catalogue at all (no per-test coverage), when that is the case."""

    def by_id(self) -> dict[str, Mutant]:
        return {m.id: m for m in self.mutants}


def _mutant_id(rel: str, site: Site) -> str:
    key = f"{rel}\0{site.start}\0{site.end}\0{site.replacement}".encode()
    return hashlib.sha256(key).hexdigest()[:12]


def _compiled(text: str, rel: str) -> CodeType | None:
    """Compile (never run) a module; None when it does not compile."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return compile(text, rel, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _tests_of(lines: dict[int, frozenset[int]], site: Site, passing: list[bool],
              file_tests: frozenset[int]) -> frozenset[int]:
    for line in (site.stmt_line, site.line):
        numbers = lines.get(line)
        if numbers is None:
            continue
        ran = frozenset(n for n in numbers if n != OUTSIDE_TESTS and passing[n])
        if ran:
            return ran
        if OUTSIDE_TESTS in numbers:
            return file_tests
    return frozenset()


def build_catalogue(workspace: Path, contexts: Path | None, junit: Path | None) -> Catalogue:
    """The mutants of every candidate module a passing test ran, in a stable order."""
    coverage = read_contexts(contexts)
    if coverage.problem is not None:
        return Catalogue(problem=coverage.problem)
    failing = _failing_tests(junit)
    passing = [test not in failing for test in coverage.tests]
    catalogue = Catalogue()
    candidates = scan_workspace(workspace).python_files(tests=False)
    for f in [f for f in candidates if f.rel in coverage.lines][:MAX_FILES]:
        read = read_text(workspace, f.rel, f.size, MAX_PY_BYTES)
        if read.text is None or "\r" in read.text.replace("\r\n", ""):
            continue  # unreadable, or old Mac line ends (offsets would not be reliable)
        unit = parse_source(f.rel, read.text)
        if unit.tree is None or _compiled(read.text, f.rel) is None:
            continue
        lines = coverage.lines[f.rel]
        file_tests = frozenset(
            n for numbers in lines.values() for n in numbers if n != OUTSIDE_TESTS and passing[n]
        )
        sites = find_sites(read.text, unit.tree)
        kept = 0
        for site in sites:
            numbers = _tests_of(lines, site, passing, file_tests)
            if not numbers:
                catalogue.uncovered += 1
                continue
            tests = tuple(sorted(coverage.tests[n] for n in numbers))
            catalogue.mutants.append(
                Mutant(_mutant_id(f.rel, site), f.rel, site.line, site.start, site.end,
                       site.original, site.replacement, site.operator, tests)
            )
            kept += 1
        if kept:
            catalogue.texts[f.rel] = read.text
        if len(catalogue.mutants) >= MAX_MUTANTS:
            break
    return catalogue


def _shape(code: CodeType) -> tuple[object, ...]:
    """What a code object does, without where it came from (line and column tables)."""
    consts = tuple(
        _shape(c) if isinstance(c, CodeType) else (type(c).__name__, repr(c)) for c in code.co_consts
    )
    return (code.co_code, consts, code.co_names, code.co_varnames, code.co_freevars,
            code.co_cellvars, code.co_flags, code.co_argcount, code.co_kwonlyargcount)


def _viable(mutant: Mutant, text: str, original: tuple[object, ...] | None) -> bool:
    """The mutant compiles, and not to the same code as the original (a compiler-recognised
    equivalent mutant, such as a change the optimiser folds away)."""
    code = _compiled(mutant.apply(text), mutant.file)
    if code is None:
        return False
    return original is None or _shape(code) != original


def sample_mutants(catalogue: Catalogue, *, size: int, seed: int) -> list[Mutant]:
    """``size`` viable mutants in a fixed-seed order spread over the code: lines are shuffled and
    each contributes one mutant before any contributes a second."""
    by_line: dict[tuple[str, int], list[Mutant]] = defaultdict(list)
    for mutant in catalogue.mutants:
        by_line[(mutant.file, mutant.line)].append(mutant)
    rng = random.Random(seed)
    keys = sorted(by_line)
    rng.shuffle(keys)
    for key in keys:
        rng.shuffle(by_line[key])
    originals: dict[str, tuple[object, ...] | None] = {}
    chosen: list[Mutant] = []
    depth = 0
    while len(chosen) < size and any(len(by_line[k]) > depth for k in keys):
        for key in keys:
            group = by_line[key]
            if depth >= len(group):
                continue
            mutant = group[depth]
            if mutant.file not in originals:
                code = _compiled(catalogue.texts[mutant.file], mutant.file)
                originals[mutant.file] = _shape(code) if code is not None else None
            if _viable(mutant, catalogue.texts[mutant.file], originals[mutant.file]):
                chosen.append(mutant)
                if len(chosen) >= size:
                    break
        depth += 1
    return chosen
