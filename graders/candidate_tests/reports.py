"""Reading what the test stage wrote: JUnit XML and coverage JSON, bounded and validated.

Both files were written inside the sandbox by a process that also ran candidate code, so they are
untrusted: read at most :data:`MAX_REPORT_BYTES`, parse XML with :mod:`defusedxml` (no DTDs,
entities or external references), validate JSON against a schema, and never let a bad file raise.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath

from defusedxml import ElementTree as SafeET
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from graders._workspace import is_test_path

__all__ = [
    "MAX_REPORT_BYTES",
    "CoverageReport",
    "JUnitCase",
    "JUnitReport",
    "Outcome",
    "read_bounded",
    "read_coverage",
    "read_junit",
    "relative_path",
]

MAX_REPORT_BYTES = 32 * 1024 * 1024
MAX_CASES = 20_000
MAX_TEXT = 4_000
"""Characters kept of each failure's text."""


def read_bounded(path: Path, limit: int | None = None) -> bytes | str:
    """The file's bytes (at most ``limit``, by default :data:`MAX_REPORT_BYTES` as it is at the
    call), or a reason it was not read: links, non-regular files and files over the cap are
    refused."""
    limit = MAX_REPORT_BYTES if limit is None else limit
    try:
        # O_NONBLOCK: a FIFO left where a report should be must not block the reader.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return f"could not be opened ({exc.strerror})"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return "is not a regular file"
        if info.st_size > limit:
            return f"is {info.st_size:,} bytes, over the {limit:,}-byte cap"
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
        return data if len(data) <= limit else f"grew past the {limit:,}-byte cap while being read"
    finally:
        os.close(fd)


class Outcome(StrEnum):
    passed = "passed"
    failed = "failed"
    errored = "errored"
    skipped = "skipped"


@dataclass(frozen=True)
class JUnitCase:
    """One ``<testcase>``."""

    classname: str
    name: str
    outcome: Outcome
    message: str = ""
    text: str = ""
    """The failure's traceback text, bounded."""
    time_s: float = 0.0
    collection_error: bool = False
    """A module that failed to import or collect (pytest reports it as an errored case)."""

    @property
    def rel(self) -> str | None:
        """The test module's path, from pytest's dotted classname (or the name, for collection errors)."""
        dotted = self.name if self.collection_error else self.classname
        if not dotted:
            return None
        parts = dotted.split(".")
        # Drop trailing class names (capitalised) to reach the module.
        while len(parts) > 1 and parts[-1][:1].isupper():
            parts.pop()
        return "/".join(parts) + ".py"

    @property
    def test_name(self) -> str:
        """``test_x`` or ``TestClass::test_x``, as static discovery names it."""
        parts = self.classname.split(".")
        klass = parts[-1] if len(parts) > 1 and parts[-1][:1].isupper() else ""
        return f"{klass}::{self.name}" if klass else self.name


@dataclass
class JUnitReport:
    cases: list[JUnitCase] = field(default_factory=list)
    problem: str | None = None
    """Why the report could not be read; None when it was."""
    truncated: bool = False

    def count(self, outcome: Outcome) -> int:
        return sum(1 for c in self.cases if c.outcome is outcome)

    @property
    def collection_errors(self) -> list[JUnitCase]:
        return [c for c in self.cases if c.collection_error]


def _text(value: str | None, limit: int = MAX_TEXT) -> str:
    return (value or "")[:limit]


def read_junit(path: Path) -> JUnitReport:
    """Parse pytest's JUnit XML; any problem is reported in :attr:`JUnitReport.problem`."""
    data = read_bounded(path)
    if isinstance(data, str):
        return JUnitReport(problem=f"junit.xml {data}")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except Exception as exc:  # defusedxml raises ParseError or its own DefusedXmlException types
        return JUnitReport(problem=f"junit.xml is not valid, safe XML ({type(exc).__name__})")
    report = JUnitReport()
    for i, case in enumerate(root.iter("testcase")):
        if i >= MAX_CASES:
            report.truncated = True
            break
        outcome, message, text = Outcome.passed, "", ""
        for child in case:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "failure":
                outcome, message, text = Outcome.failed, child.get("message", ""), child.text or ""
                break
            if tag == "error" and outcome is not Outcome.failed:
                outcome, message, text = Outcome.errored, child.get("message", ""), child.text or ""
            elif tag == "skipped" and outcome is Outcome.passed:
                outcome, message = Outcome.skipped, child.get("message", "")
        try:
            time_s = float(case.get("time", "0") or 0)
        except ValueError:
            time_s = 0.0
        classname = _text(case.get("classname"), 500)
        report.cases.append(
            JUnitCase(
                classname=classname,
                name=_text(case.get("name"), 500),
                outcome=outcome,
                message=_text(message, 500),
                text=_text(text),
                time_s=time_s,
                collection_error=outcome is Outcome.errored and message == "collection failure",
            )
        )
    return report


class _CoverageSummary(BaseModel):
    model_config = ConfigDict(extra="ignore")
    covered_lines: int = Field(ge=0)
    num_statements: int = Field(ge=0)


class _CoverageFile(BaseModel):
    model_config = ConfigDict(extra="ignore")
    summary: _CoverageSummary


class _CoverageJson(BaseModel):
    model_config = ConfigDict(extra="ignore")
    meta: dict[str, object]
    files: dict[str, _CoverageFile]
    totals: _CoverageSummary


@dataclass
class CoverageReport:
    """Statement coverage of the candidate's own (non-test) source."""

    files: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Relative path -> (covered statements, statements), test files excluded."""
    problem: str | None = None

    @property
    def statements(self) -> int:
        return sum(n for _, n in self.files.values())

    @property
    def covered(self) -> int:
        return sum(c for c, _ in self.files.values())

    @property
    def percent(self) -> float | None:
        return round(100.0 * self.covered / self.statements, 2) if self.statements else None


def relative_path(path: str, workdir: str) -> str | None:
    """A path the sandbox reported, relative to the submission root; None when it leaves it."""
    if path.startswith(workdir.rstrip("/") + "/"):
        path = path[len(workdir.rstrip("/")) + 1 :]
    posix = PurePosixPath(path.replace("\\", "/"))
    if posix.is_absolute() or ".." in posix.parts or not path:
        return None
    return str(posix)


def read_coverage(path: Path, *, workdir: str = "/work") -> CoverageReport:
    """Parse coverage.py's JSON report and keep the candidate's non-test files."""
    data = read_bounded(path)
    if isinstance(data, str):
        return CoverageReport(problem=f"coverage.json {data}")
    try:
        parsed = _CoverageJson.model_validate(json.loads(data))
    except RecursionError:
        return CoverageReport(problem="coverage.json is nested too deeply")
    except (ValueError, ValidationError) as exc:
        return CoverageReport(
            problem=f"coverage.json does not match coverage.py's JSON schema ({str(exc)[:160]})"
        )
    report = CoverageReport()
    for raw, entry in list(parsed.files.items())[:MAX_CASES]:
        rel = relative_path(raw, workdir)
        if rel is None or is_test_path(rel):
            continue
        covered = min(entry.summary.covered_lines, entry.summary.num_statements)
        report.files[rel] = (covered, entry.summary.num_statements)
    return report
