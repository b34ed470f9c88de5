"""Repository hygiene: what a reviewer does not want to find in a submission.

Hard-coded absolute paths; committed data, model binaries and archives; IDE settings, OS
droppings and virtual environments; code in other programming languages. Secrets are found by
:mod:`graders.quality.secret_scan`, work done at import time by :mod:`graders.quality.modules`.
Everything here is judged from names and sizes (a virtual environment by its marker files); no
file is read.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from graders._workspace import FileKind, Inventory
from graders.types import Severity

__all__ = [
    "ABSOLUTE_PATH",
    "Clutter",
    "ForeignCode",
    "Stored",
    "clutter",
    "find_absolute_path",
    "foreign_code",
    "stored_artifacts",
]

DATA_FILE_BYTES = 50 * 1024
"""Data files outside test folders larger than this are committed data (a sample of a few rows is not)."""
TEST_DATA_FILE_BYTES = 1024 * 1024
"""Test fixtures may hold data; larger than this they are committed data too."""
JSON_DUMP_BYTES = 1024 * 1024
"""JSON files larger than this are data dumps rather than configuration."""
LARGE_FILE_BYTES = 5 * 1024 * 1024
"""Other files larger than this are reported as large binaries."""

ABSOLUTE_PATH = re.compile(
    r"^(?:/(?:home|Users|root|mnt|media|Volumes|content|kaggle|data|datasets|workspace|work|opt|srv|"
    r"scratch|gpfs|nfs|shared|project|projects)/[^\s]*|[A-Za-z]:[\\/][^\s]*|~/[^\s]+)"
)
# The task's own files, or what the pipeline writes: never something to commit, whatever the size.
_TASK_DATA_NAME = re.compile(
    r"^(?:train|test|heldout|held_out|valid|validation|val|dev|predictions?|submission)"
    r"(?:[_.-][\w.-]*)?\.(?:csv|tsv|parquet|feather|jsonl)$",
    re.IGNORECASE,
)


def find_absolute_path(value: str) -> str | None:
    """The hard-coded absolute path a string literal starts with, if any."""
    match = ABSOLUTE_PATH.match(value)
    return match.group(0) if match else None


def _in_tests(rel: str) -> bool:
    return any(
        part in {"tests", "test", "testing", "fixtures"} for part in PurePosixPath(rel).parts[:-1]
    )


def _is_committed_data(kind: FileKind, lower_name: str, size: int, in_tests: bool) -> bool:
    if lower_name.endswith(".json"):
        return size > JSON_DUMP_BYTES
    if kind is not FileKind.data:
        return False
    if size > (TEST_DATA_FILE_BYTES if in_tests else DATA_FILE_BYTES):
        return True
    return not in_tests and bool(_TASK_DATA_NAME.match(lower_name))


@dataclass(frozen=True)
class Stored:
    """A file that should not be committed, and why."""

    rel: str
    size: int
    rule: str
    """``quality:model-binary``, ``quality:committed-data``, ``quality:large-binary``,
    ``quality:env-file`` or ``quality:archive``."""
    severity: Severity


def stored_artifacts(inv: Inventory) -> list[Stored]:
    """Model binaries (any size), data files (see :data:`DATA_FILE_BYTES`), archives, ``.env``
    files and other large files."""
    out: list[Stored] = []
    for f in inv.files:
        lower = f.name.lower()
        tests = _in_tests(f.rel)
        if f.kind is FileKind.model:
            out.append(Stored(f.rel, f.size, "quality:model-binary", Severity.warning))
        elif _is_committed_data(f.kind, lower, f.size, tests):
            out.append(Stored(f.rel, f.size, "quality:committed-data", Severity.warning))
        elif f.kind is FileKind.archive:
            out.append(Stored(f.rel, f.size, "quality:archive", Severity.info))
        elif lower == ".env" or (
            lower.startswith(".env.") and not lower.endswith((".example", ".sample", ".template"))
        ):
            out.append(Stored(f.rel, f.size, "quality:env-file", Severity.warning))
        elif f.size > LARGE_FILE_BYTES and f.kind not in {FileKind.notebook, FileKind.python}:
            out.append(Stored(f.rel, f.size, "quality:large-binary", Severity.warning))
    return out


_IDE_DIRS = frozenset({".idea", ".vscode", ".vs", ".spyproject", ".spyderproject"})
_ENV_DIRS = frozenset({"site-packages", "node_modules", ".conda"})
_MAYBE_ENV_DIRS = frozenset({"venv", ".venv", "env"})
"""Names a virtual environment usually has; flagged only when the folder holds one (``env/`` may
be a package of reinforcement-learning environments)."""
_ENV_MARKERS = ("pyvenv.cfg", "conda-meta", "bin/activate", "Scripts/activate")


def _is_environment(root: Path, rel: str) -> bool:
    for marker in _ENV_MARKERS:
        try:
            os.lstat(root / rel / marker)
        except OSError:
            continue
        return True
    return False


_CACHE_DIRS = frozenset(
    {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox",
     ".nox"}
)  # fmt: skip
_OS_FILES = frozenset({".ds_store", "thumbs.db", "desktop.ini", "._.ds_store"})


@dataclass(frozen=True)
class Clutter:
    """Something a packaged submission should not carry."""

    rel: str
    what: str
    """``ide`` (editor settings), ``os`` (.DS_Store, __MACOSX), ``environment`` (a virtualenv,
    node_modules) or ``cache`` (__pycache__, .ipynb_checkpoints)."""

    @property
    def scored(self) -> bool:
        """Caches are what running the code leaves behind: reported, not scored."""
        return self.what != "cache"


def clutter(inv: Inventory) -> list[Clutter]:
    """IDE folders, OS files, virtual environments and caches, from the inventory."""
    out: list[Clutter] = []
    for rel in inv.skipped_dirs:
        name = PurePosixPath(rel).name
        if name in _IDE_DIRS:
            out.append(Clutter(rel, "ide"))
        elif name in _ENV_DIRS or (name in _MAYBE_ENV_DIRS and _is_environment(inv.root, rel)):
            out.append(Clutter(rel, "environment"))
        elif name == "__MACOSX":
            out.append(Clutter(rel, "os"))
        elif name in _CACHE_DIRS or name.endswith(".egg-info"):
            out.append(Clutter(rel, "cache"))
    out.extend(Clutter(f.rel, "os") for f in inv.files if f.name.lower() in _OS_FILES)
    return out


_LANGUAGES = {
    ".java": "Java", ".kt": "Kotlin", ".scala": "Scala", ".js": "JavaScript", ".mjs": "JavaScript",
    ".jsx": "JavaScript", ".ts": "TypeScript", ".tsx": "TypeScript", ".go": "Go", ".rs": "Rust",
    ".c": "C", ".h": "C", ".cpp": "C++", ".cc": "C++", ".hpp": "C++", ".cs": "C#", ".rb": "Ruby",
    ".php": "PHP", ".swift": "Swift", ".r": "R", ".jl": "Julia", ".lua": "Lua", ".dart": "Dart",
    ".m": "Objective-C or MATLAB", ".pl": "Perl", ".vb": "Visual Basic",
}  # fmt: skip


@dataclass(frozen=True)
class ForeignCode:
    """Source files of one other programming language."""

    language: str
    files: tuple[str, ...]


def foreign_code(inv: Inventory) -> list[ForeignCode]:
    """Code in programming languages other than Python (shell, SQL and config files are not code
    in this sense), grouped by language, largest group first."""
    by_language: dict[str, list[str]] = defaultdict(list)
    for f in inv.files:
        language = _LANGUAGES.get(PurePosixPath(f.name.lower()).suffix)
        if language is not None:
            by_language[language].append(f.rel)
    return sorted(
        (ForeignCode(lang, tuple(files)) for lang, files in by_language.items()),
        key=lambda g: (-len(g.files), g.language),
    )
