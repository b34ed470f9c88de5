"""Walking a folder a container could write to, without ever following a link out of it.

Every directory is opened relative to its parent with ``O_NOFOLLOW | O_DIRECTORY`` and listed
through that descriptor, so a directory swapped for a symlink (even while we walk) is never
entered: we list what we opened, not what a path resolves to later.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Entry", "WalkLimitError", "human_bytes", "kind_of", "walk_nofollow"]

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class WalkLimitError(Exception):
    """The tree is deeper or has more entries than the walk allows."""


@dataclass(frozen=True)
class Entry:
    """One entry met by :func:`walk_nofollow`."""

    rel: str
    """Path relative to the root, ``/``-separated."""
    st: os.stat_result
    """``lstat`` of the entry (links are not followed)."""
    parent_fd: int
    """Open descriptor of the containing directory, valid only while the walk is on this entry."""
    name: str
    """Name inside the parent (may hold surrogate escapes for bytes that are not UTF-8)."""


def walk_nofollow(
    root: Path, *, max_depth: int = 32, max_entries: int = 100_000
) -> Iterator[Entry]:
    """Yield every entry under ``root`` (not ``root`` itself), parents before children.

    Raises :class:`OSError` if ``root`` cannot be opened as a real directory, and
    :class:`WalkLimitError` past ``max_depth`` or ``max_entries``. Entries that vanish or cannot
    be read while walking are skipped.
    """
    root_fd = os.open(root, _DIR_FLAGS)
    counter = [0]
    try:
        yield from _walk_fd(root_fd, "", 0, max_depth, max_entries, counter)
    finally:
        os.close(root_fd)


def _walk_fd(
    dir_fd: int, prefix: str, depth: int, max_depth: int, max_entries: int, counter: list[int]
) -> Iterator[Entry]:
    try:
        names = sorted(os.listdir(dir_fd))
    except OSError:
        return
    for name in names:
        counter[0] += 1
        if counter[0] > max_entries:
            raise WalkLimitError(f"more than {max_entries} entries")
        try:
            st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except OSError:
            continue
        rel = f"{prefix}{name}"
        yield Entry(rel=rel, st=st, parent_fd=dir_fd, name=name)
        if not stat.S_ISDIR(st.st_mode):
            continue
        if depth + 1 >= max_depth:
            raise WalkLimitError(f"folders nested deeper than {max_depth} levels at {rel!r}")
        try:
            child_fd = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
        except OSError:
            continue  # replaced by a link or removed since the stat: not ours to follow
        try:
            yield from _walk_fd(child_fd, f"{rel}/", depth + 1, max_depth, max_entries, counter)
        finally:
            os.close(child_fd)


def kind_of(mode: int) -> str:
    """A person's word for a file type."""
    if stat.S_ISREG(mode):
        return "regular file"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISLNK(mode):
        return "symlink, not followed"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device file"
    return "special file"


def human_bytes(n: int) -> str:
    """``3 GiB``, ``50 MiB``, ``12.5 KiB``, ``512 B``."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            if unit == "B":
                return f"{int(value)} B"
            return f"{value:.1f} {unit}".replace(".0 ", " ")
        value /= 1024
    raise AssertionError("unreachable")
