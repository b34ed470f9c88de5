"""Reading the code to fingerprint: from a stored archive, or from a folder of the assignment.

Python files are read as they are; a notebook contributes its code cells (magics and shell lines
left out), under its own path, so line numbers refer to the code cells joined.
"""

from __future__ import annotations

from pathlib import Path

from harness.integrity.fingerprint import (
    MAX_FILE_CHARS,
    MAX_FILES,
    CodeFile,
    is_code_path,
    notebook_code,
)
from harness.submissions.browse import read_texts

__all__ = ["code_file", "code_from_archive", "code_from_folder"]

MAX_READ_BYTES = 4 * MAX_FILE_CHARS
"""Notebooks carry outputs; their code is cut to :data:`MAX_FILE_CHARS` after extraction."""


def code_file(path: str, text: str) -> CodeFile | None:
    """The fingerprinted text of one file, or None when there is none (a broken notebook)."""
    if path.endswith(".ipynb"):
        code = notebook_code(text)
        return None if code is None else CodeFile(path, code)
    return CodeFile(path, text)


def code_from_archive(blob: Path) -> list[CodeFile]:
    """The code of a stored submission archive, read without extracting it to disk."""
    files = []
    for path, text in read_texts(blob, is_code_path, max_bytes=MAX_READ_BYTES):
        code = code_file(path, text)
        if code is not None:
            files.append(code)
        if len(files) >= MAX_FILES:
            break
    return files


def code_from_folder(root: Path) -> list[CodeFile]:
    """The code under a folder (known solutions, the starter kit, test corpora); links are not
    followed."""
    files = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink() or not path.is_file() or not is_code_path(rel):
            continue
        if path.stat().st_size > MAX_READ_BYTES:
            continue
        code = code_file(rel, path.read_text(encoding="utf-8", errors="replace"))
        if code is not None:
            files.append(code)
        if len(files) >= MAX_FILES:
            break
    return files
