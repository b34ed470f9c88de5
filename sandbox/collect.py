"""Reading what a container wrote, on the host, after the container is gone.

The container is hostile: its output folders may hold symlinks to host files, FIFOs that would
block a reader, device files, enormous files, deep trees or names that are not UTF-8. Only regular
files within the caps come back; everything else is listed as rejected with the reason.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from sandbox.walk import WalkLimitError, human_bytes, kind_of, walk_nofollow

__all__ = ["Collected", "CollectedFile", "collect_outputs"]

_MAX_REJECTIONS_LISTED = 100
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


@dataclass(frozen=True)
class CollectedFile:
    """A regular file accepted from an output folder."""

    name: str
    """Path relative to the output folder, ``/``-separated (e.g. ``predictions.csv``)."""
    path: Path
    """Absolute host path. Safe to open: every component was checked not to be a link, and the
    container that wrote it no longer exists."""
    size: int
    """Size in bytes."""


@dataclass(frozen=True)
class Collected:
    """What :func:`collect_outputs` found."""

    files: list[CollectedFile]
    """Accepted regular files, sorted by name."""
    rejected: list[str]
    """One line per refused entry with the reason, e.g. ``"x: FIFO"``; at most 100 lines, the last
    saying how many more were refused."""

    def get(self, name: str) -> CollectedFile | None:
        """The accepted file called ``name``, if any."""
        return next((f for f in self.files if f.name == name), None)


def collect_outputs(
    out_dir: Path, *, max_files: int = 1000, max_file_bytes: int, max_total_bytes: int
) -> Collected:
    """List the regular files under ``out_dir`` within the caps, never following links.

    Never raises because of what the folder holds; an unusable ``out_dir`` itself gives an empty
    result with the reason in ``rejected``.
    """
    files: list[CollectedFile] = []
    rejected: list[str] = []
    extra_rejections = 0
    total = 0

    def reject(line: str) -> None:
        nonlocal extra_rejections
        if len(rejected) < _MAX_REJECTIONS_LISTED - 1:
            rejected.append(line)
        else:
            extra_rejections += 1

    root = Path(os.path.abspath(out_dir))
    try:
        for entry in walk_nofollow(root, max_entries=max(10 * max_files, 1000)):
            mode = entry.st.st_mode
            label = _printable(entry.rel)
            if stat.S_ISDIR(mode):
                continue
            if not _is_utf8(entry.rel):
                reject(f"{label}: name is not valid UTF-8")
                continue
            if not stat.S_ISREG(mode):
                reject(f"{label}: {kind_of(mode)}")
                continue
            size = entry.st.st_size
            if len(files) >= max_files:
                reject(f"{label}: over the {max_files}-file cap")
                continue
            if size > max_file_bytes:
                reject(f"{label}: {human_bytes(size)} over the {human_bytes(max_file_bytes)} cap")
                continue
            if total + size > max_total_bytes:
                reject(
                    f"{label}: {human_bytes(size)} would pass the {human_bytes(max_total_bytes)} "
                    "total cap"
                )
                continue
            problem = _confirm_regular(entry.parent_fd, entry.name, entry.st)
            if problem:
                reject(f"{label}: {problem}")
                continue
            total += size
            files.append(CollectedFile(name=entry.rel, path=root / entry.rel, size=size))
    except WalkLimitError as exc:
        reject(f"stopped reading the output folder: {exc}")
    except OSError as exc:
        reject(f"{root}: cannot be read as a folder ({exc.strerror or exc})")
    if extra_rejections:
        rejected.append(f"... and {extra_rejections} more refused")
    return Collected(files=files, rejected=rejected)


def _confirm_regular(parent_fd: int, name: str, st: os.stat_result) -> str | None:
    """Open the entry the way a reader would and check it is still the file we stat'ed."""
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=parent_fd)
    except OSError as exc:
        return f"cannot be opened ({exc.strerror or exc})"
    try:
        now = os.fstat(fd)
    finally:
        os.close(fd)
    if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
        return "changed while being read"
    return None


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(name: str) -> str:
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return "".join(ch if ch.isprintable() else "?" for ch in text)[:200]
