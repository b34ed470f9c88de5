"""Running ruff (lint and format check) on the submission, read-only, with a time limit.

Only units that parsed with a bounded syntax-tree depth are handed to ruff: ruff's parser is
recursive and aborts the whole process on a stack overflow, which would lose every other file's
findings. ``--no-cache`` keeps ruff from writing into the workspace; notebooks' exported scripts
are passed on stdin so nothing is written anywhere.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graders._pysource import SourceUnit
from graders.quality.rules import IGNORE, MAX_COMPLEXITY, SELECT

__all__ = ["FormatStats", "LintIssue", "RuffOutcome", "ruff_binary", "run_ruff"]

LINE_LENGTH = 100
MAX_FILES_PER_CALL = 500


@dataclass(frozen=True)
class LintIssue:
    """One ruff diagnostic, located in the submission."""

    rel: str
    line: int | None
    code: str
    message: str


@dataclass(frozen=True)
class FormatStats:
    """How much of the Python would change under ``ruff format``."""

    files_checked: int = 0
    files_unformatted: int = 0
    lines_checked: int = 0
    lines_changed: int = 0
    """Lines of the original files that the formatter would rewrite."""
    unformatted: tuple[str, ...] = ()
    """Files that would be reformatted."""

    @property
    def formatted_share(self) -> float | None:
        if self.lines_checked == 0:
            return None
        return max(0.0, 1.0 - self.lines_changed / self.lines_checked)


@dataclass
class RuffOutcome:
    """Everything ruff said, plus what went wrong running it."""

    issues: list[LintIssue] = field(default_factory=list)
    format: FormatStats = field(default_factory=FormatStats)
    problems: list[str] = field(default_factory=list)
    """Why ruff could not check some files (time-out, crash), for findings."""


def ruff_binary() -> str | None:
    """The ruff executable that belongs to this environment, or one on PATH."""
    try:
        from ruff import find_ruff_bin

        return str(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        return shutil.which("ruff")


def _env() -> dict[str, str]:
    # A clean environment: no RUFF_* variable of the host changes the rule set.
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "NO_COLOR": "1",
        "HOME": "/nonexistent",
    }


def _check_args(binary: str) -> list[str]:
    return [
        binary,
        "check",
        "--isolated",
        "--no-cache",
        "--ignore-noqa",
        "--exit-zero",
        "--output-format",
        "json",
        "--target-version",
        "py311",
        "--line-length",
        str(LINE_LENGTH),
        "--config",
        f"lint.mccabe.max-complexity = {MAX_COMPLEXITY}",
        "--select",
        ",".join(SELECT),
        "--ignore",
        ",".join(IGNORE),
    ]


def _parse_check(stdout: str, root: Path, stdin_rel: str | None) -> list[LintIssue]:
    try:
        raw = json.loads(stdout or "[]")
    except ValueError:
        return []
    issues: list[LintIssue] = []
    if not isinstance(raw, list):
        return issues
    for item in raw:
        if not isinstance(item, dict):
            continue
        code = item.get("code") or item.get("name") or "invalid-syntax"
        location: Any = item.get("location") or {}
        row = location.get("row") if isinstance(location, dict) else None
        if stdin_rel is not None:
            rel = stdin_rel
        else:
            filename = str(item.get("filename", ""))
            rel = os.path.relpath(filename, root) if os.path.isabs(filename) else filename
            rel = rel.replace(os.sep, "/")
        issues.append(
            LintIssue(
                rel=rel,
                line=row if isinstance(row, int) else None,
                code=str(code),
                message=str(item.get("message", ""))[:300],
            )
        )
    return issues


def _run(
    args: list[str], cwd: Path, timeout_s: float, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout_s,
        env=_env(),
        check=False,
    )


def _parse_diff(diff: str) -> dict[str, int]:
    """Original lines changed per file in a unified diff."""
    changed: dict[str, int] = {}
    current: str | None = None
    for line in diff.splitlines():
        if line.startswith("--- "):
            current = line[4:].strip().removeprefix("./")
            changed.setdefault(current, 0)
        elif line.startswith("+++ "):
            continue
        elif current is not None and line.startswith("-"):
            changed[current] += 1
    return changed


def run_ruff(root: Path, units: list[SourceUnit], *, timeout_s: float = 60.0) -> RuffOutcome:
    """Lint every parsed unit and format-check the ``.py`` files among them."""
    outcome = RuffOutcome()
    binary = ruff_binary()
    if binary is None:
        outcome.problems.append("ruff is not installed in the grading environment")
        return outcome
    root = root.resolve()
    files = [u for u in units if u.ok and not u.is_notebook]
    for start in range(0, len(files), MAX_FILES_PER_CALL):
        batch = files[start : start + MAX_FILES_PER_CALL]
        args = [*_check_args(binary), "--", *(f"./{u.rel}" for u in batch)]
        try:
            done = _run(args, root, timeout_s)
        except subprocess.TimeoutExpired:
            outcome.problems.append(
                f"ruff check timed out after {timeout_s:.0f} s on {len(batch)} files"
            )
            continue
        if done.returncode not in (0, 1):
            outcome.problems.append(
                f"ruff check failed (exit {done.returncode}): {done.stderr.strip()[:200]}"
            )
            continue
        outcome.issues.extend(_parse_check(done.stdout, root, None))
    for unit in units:
        if not (unit.ok and unit.is_notebook and unit.text):
            continue
        args = [*_check_args(binary), "--stdin-filename", f"{unit.rel}.py", "-"]
        try:
            done = _run(args, root, timeout_s, stdin=unit.text)
        except subprocess.TimeoutExpired:
            outcome.problems.append(f"ruff check timed out on the notebook {unit.rel}")
            continue
        if done.returncode not in (0, 1):
            outcome.problems.append(f"ruff check failed on {unit.rel} (exit {done.returncode})")
            continue
        outcome.issues.extend(_parse_check(done.stdout, root, unit.rel))
    outcome.format = _format_check(binary, root, files, timeout_s, outcome)
    return outcome


def _format_check(
    binary: str, root: Path, files: list[SourceUnit], timeout_s: float, outcome: RuffOutcome
) -> FormatStats:
    lines = {u.rel: (u.text or "").count("\n") + 1 for u in files}
    changed: dict[str, int] = {}
    checked: list[str] = []
    for start in range(0, len(files), MAX_FILES_PER_CALL):
        batch = files[start : start + MAX_FILES_PER_CALL]
        args = [
            binary, "format", "--isolated", "--no-cache", "--check", "--diff",
            "--line-length", str(LINE_LENGTH), "--target-version", "py311",
            "--", *(f"./{u.rel}" for u in batch),
        ]  # fmt: skip
        try:
            done = _run(args, root, timeout_s)
        except subprocess.TimeoutExpired:
            outcome.problems.append(f"ruff format timed out after {timeout_s:.0f} s")
            continue
        if done.returncode not in (0, 1):
            outcome.problems.append(
                f"ruff format failed (exit {done.returncode}): {done.stderr.strip()[:200]}"
            )
            continue
        checked.extend(u.rel for u in batch)
        changed.update(_parse_diff(done.stdout))
    unformatted = tuple(sorted(rel for rel, n in changed.items() if n > 0 and rel in lines))
    return FormatStats(
        files_checked=len(checked),
        files_unformatted=len(unformatted),
        lines_checked=sum(lines[r] for r in checked),
        lines_changed=sum(min(changed.get(r, 0), lines[r]) for r in checked),
        unformatted=unformatted,
    )
