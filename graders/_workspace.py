"""A bounded, link-free inventory of a submission's workspace, shared by the static graders.

The workspace is hostile input: it may hold tens of thousands of files, symlinks pointing out of
it, huge files, binary files with a ``.py`` name. Everything here is bounded (entries walked,
depth, bytes read) and never follows a link. The inventory is computed once per grading context
and cached in :attr:`GradingContext.memo`.
"""

from __future__ import annotations

import itertools
import os
import stat
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath

from graders.types import GradingContext

__all__ = [
    "MAX_ENTRIES",
    "FileKind",
    "Inventory",
    "TextProblem",
    "TextRead",
    "WorkspaceFile",
    "inventory",
    "is_test_path",
    "read_bytes",
    "read_text",
    "scan_workspace",
]

MAX_ENTRIES = 20_000
"""Directory entries walked at most; beyond it the inventory is marked truncated."""
MAX_DEPTH = 16
"""Folder depth walked at most."""

# Folders that hold tools' caches or environments, not the candidate's work.
_SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".ipynb_checkpoints",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        "env",
        ".env.d",
        "site-packages",
        "node_modules",
        ".idea",
        ".vscode",
        "__MACOSX",
    }
)

_DATA_EXT = frozenset(
    {".csv", ".tsv", ".parquet", ".feather", ".jsonl", ".ndjson", ".xlsx", ".arrow"}
)
_MODEL_EXT = frozenset(
    {
        ".pkl",
        ".pickle",
        ".joblib",
        ".pt",
        ".pth",
        ".ckpt",
        ".h5",
        ".hdf5",
        ".keras",
        ".onnx",
        ".safetensors",
        ".npy",
        ".npz",
        ".bin",
        ".model",
        ".sav",
    }
)
_DOC_EXT = frozenset({".md", ".markdown", ".rst", ".txt", ""})
_ARCHIVE_EXT = frozenset({".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar"})


class FileKind(StrEnum):
    """What a file is, judged by its name only (contents are checked where they are read)."""

    python = "python"
    notebook = "notebook"
    doc = "doc"
    data = "data"
    model = "model"
    archive = "archive"
    other = "other"


@dataclass(frozen=True)
class WorkspaceFile:
    """One regular file of the workspace."""

    rel: str
    """POSIX path relative to the workspace root."""
    size: int
    """Size in bytes (from ``lstat``)."""
    kind: FileKind
    """Kind judged from the name."""

    @property
    def name(self) -> str:
        return PurePosixPath(self.rel).name

    @property
    def depth(self) -> int:
        """0 for a file at the root."""
        return self.rel.count("/")

    @property
    def is_test(self) -> bool:
        return is_test_path(self.rel)


@dataclass(frozen=True)
class Inventory:
    """The regular files of a workspace, in a stable (sorted) order."""

    root: Path
    files: tuple[WorkspaceFile, ...]
    truncated: bool = False
    """True when :data:`MAX_ENTRIES` or :data:`MAX_DEPTH` stopped the walk."""
    links: tuple[str, ...] = ()
    """Symbolic links found (never followed)."""
    special: tuple[str, ...] = field(default_factory=tuple)
    """FIFOs, sockets, devices found (never opened)."""
    skipped_dirs: tuple[str, ...] = ()
    """Folders not walked because they hold tools' caches, environments or IDE settings
    (``.git``, ``__pycache__``, ``.venv``, ``.idea``, ...), by path relative to the root."""

    def of_kind(self, kind: FileKind) -> list[WorkspaceFile]:
        return [f for f in self.files if f.kind is kind]

    def python_files(self, *, tests: bool | None = None) -> list[WorkspaceFile]:
        """Python files; ``tests=True`` only test files, ``False`` only non-test files."""
        out = self.of_kind(FileKind.python)
        if tests is None:
            return out
        return [f for f in out if f.is_test == tests]

    def get(self, rel: str) -> WorkspaceFile | None:
        for f in self.files:
            if f.rel == rel:
                return f
        return None


def _kind(name: str) -> FileKind:
    lower = name.lower()
    suffix = PurePosixPath(lower).suffix
    if suffix == ".py":
        return FileKind.python
    if suffix == ".ipynb":
        return FileKind.notebook
    if suffix in _DATA_EXT:
        return FileKind.data
    if suffix in _MODEL_EXT:
        return FileKind.model
    if suffix in _ARCHIVE_EXT:
        return FileKind.archive
    if suffix in _DOC_EXT:
        return FileKind.doc
    return FileKind.other


def is_test_path(rel: str) -> bool:
    """Whether pytest's default conventions make this a test file (or test support)."""
    path = PurePosixPath(rel)
    name = path.name
    if path.suffix != ".py":
        return False
    if name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py":
        return True
    return any(part in {"tests", "test", "testing"} for part in path.parts[:-1])


def scan_workspace(root: Path) -> Inventory:
    """Walk ``root`` without following links; bounded by :data:`MAX_ENTRIES` and :data:`MAX_DEPTH`."""
    files: list[WorkspaceFile] = []
    links: list[str] = []
    special: list[str] = []
    skipped: list[str] = []
    truncated = False
    seen = 0
    stack: list[tuple[Path, str, int]] = [(root, "", 0)]
    while stack:
        folder, prefix, depth = stack.pop()
        try:
            with os.scandir(folder) as listing:
                # never read more of one huge folder than the remaining entry budget
                entries = sorted(
                    itertools.islice(listing, MAX_ENTRIES - seen + 1), key=lambda e: e.name
                )
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > MAX_ENTRIES:
                truncated = True
                break
            rel = f"{prefix}{entry.name}"
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                links.append(rel)
            elif stat.S_ISDIR(st.st_mode):
                if entry.name in _SKIP_DIRS or entry.name.endswith(".egg-info"):
                    skipped.append(rel)
                    continue
                if depth + 1 > MAX_DEPTH:
                    truncated = True
                    continue
                stack.append((Path(entry.path), f"{rel}/", depth + 1))
            elif stat.S_ISREG(st.st_mode):
                files.append(WorkspaceFile(rel=rel, size=st.st_size, kind=_kind(entry.name)))
            else:
                special.append(rel)
        if truncated:
            break
    files.sort(key=lambda f: f.rel)
    return Inventory(
        root=root,
        files=tuple(files),
        truncated=truncated,
        links=tuple(links),
        special=tuple(special),
        skipped_dirs=tuple(sorted(skipped)),
    )


def inventory(ctx: GradingContext) -> Inventory:
    """The workspace inventory of this context, computed once."""
    key = "graders._workspace.inventory"
    cached = ctx.memo.get(key)
    if isinstance(cached, Inventory):
        return cached
    result = scan_workspace(ctx.workspace)
    ctx.memo[key] = result
    return result


def read_bytes(root: Path, rel: str, max_bytes: int) -> bytes | None:
    """At most ``max_bytes`` of a regular file, refusing links; None when it cannot be read."""
    path = root / rel
    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks: list[bytes] = []
        left = max_bytes
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


class TextProblem(StrEnum):
    """Why a file's text could not be analysed."""

    too_large = "too-large"
    binary = "binary"
    not_utf8 = "not-utf8"
    unreadable = "unreadable"


@dataclass(frozen=True)
class TextRead:
    """The outcome of reading a file as UTF-8 text."""

    text: str | None
    problem: TextProblem | None = None


def read_text(root: Path, rel: str, size: int, max_bytes: int) -> TextRead:
    """A file as UTF-8 text (a BOM is allowed), or why not: too large, binary, not UTF-8."""
    if size > max_bytes:
        return TextRead(None, TextProblem.too_large)
    data = read_bytes(root, rel, max_bytes + 1)
    if data is None:
        return TextRead(None, TextProblem.unreadable)
    if len(data) > max_bytes:
        return TextRead(None, TextProblem.too_large)
    if b"\x00" in data[:65536]:
        return TextRead(None, TextProblem.binary)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return TextRead(None, TextProblem.not_utf8)
    return TextRead(text)
