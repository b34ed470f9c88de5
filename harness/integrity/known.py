"""What every submission of an assignment is compared with besides other submissions, and what
is left out of the comparison because candidates were given it.

- **Starter code**: the Python files and notebooks of the assignment's ``starter_kit/`` folder
  and its extra kit files. Their fingerprints are removed from every submission before it is
  indexed or compared: code the candidates were given is not evidence of copying.
- **Known solutions**: each sub-folder of ``[integrity] known_solutions`` (public solutions the
  team has found) and of ``solutions/`` (the assignment's own baseline and reference).

Both are fingerprinted once per process and again when a file under them changes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from harness.assignments.loader import Assignment
from harness.integrity.fingerprint import Fingerprinted, fingerprint
from harness.integrity.sources import code_file, code_from_folder

__all__ = ["KnownSolution", "known_solutions", "starter_hashes"]


@dataclass(frozen=True)
class KnownSolution:
    name: str
    """Its folder, relative to the assignment folder (``solutions/reference``)."""
    code: Fingerprinted


def _signature(folders: list[Path]) -> tuple[tuple[str, int, int], ...]:
    out = []
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else [folder]:
            if path.is_file() and not path.is_symlink():
                stat = path.stat()
                out.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(out)


def _solution_folders(assignment: Assignment) -> list[tuple[str, Path]]:
    out = []
    for base in (assignment.spec.integrity.known_solutions, "solutions"):
        folder = assignment.root / base
        if not folder.is_dir() or folder.is_symlink():
            continue
        for child in sorted(folder.iterdir()):
            if child.is_dir() and not child.is_symlink() and not child.name.startswith("."):
                out.append((f"{base}/{child.name}", child))
    return out


@functools.lru_cache(maxsize=32)
def _known(name: str, folders: tuple[tuple[str, str], ...],
           signature: tuple[tuple[str, int, int], ...]) -> tuple[KnownSolution, ...]:
    return tuple(KnownSolution(label, fingerprint(code_from_folder(Path(path)), name))
                 for label, path in folders)


def known_solutions(assignment: Assignment) -> tuple[KnownSolution, ...]:
    """The assignment's known solutions, fingerprinted (cached until a file changes)."""
    folders = _solution_folders(assignment)
    return _known(assignment.name, tuple((label, str(path)) for label, path in folders),
                  _signature([path for _, path in folders]))


@functools.lru_cache(maxsize=32)
def _starter(name: str, root: str, extras: tuple[str, ...],
             signature: tuple[tuple[str, int, int], ...]) -> frozenset[int]:
    files = code_from_folder(Path(root) / "starter_kit")
    for extra in extras:
        path = Path(extra)
        if path.is_file():
            code = code_file(path.name, path.read_text(encoding="utf-8", errors="replace"))
            files.extend([code] if code is not None else [])
    return fingerprint(files, name).hashes


def starter_hashes(assignment: Assignment) -> frozenset[int]:
    """Fingerprints of the code the starter kit gives every candidate."""
    extras = tuple(str(assignment.path(p)) for p in assignment.spec.starter_kit
                   if p.endswith((".py", ".ipynb")))
    kit = assignment.root / "starter_kit"
    return _starter(assignment.name, str(assignment.root), extras,
                    _signature([kit, *[Path(e) for e in extras]]))
