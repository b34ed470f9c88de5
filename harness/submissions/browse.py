"""Reading a stored submission's files for the code browser, without extracting it.

Paths are only ever looked up in the archive's own listing (normalised the way extraction does,
a lone top-level folder unwrapped), so ``../`` or absolute paths in a request find nothing.
"""

from __future__ import annotations

import functools
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from harness.submissions.archive import member_path

__all__ = ["FileEntry", "list_files", "read_text", "read_texts"]

MAX_VIEW_BYTES = 512 * 1024
MAX_LISTED = 5000


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    member: str
    """Name inside the archive."""


def _clean(name: str) -> str | None:
    return member_path(name)


@functools.lru_cache(maxsize=256)
def _listing(blob: str, mtime_ns: int) -> tuple[FileEntry, ...]:
    path = Path(blob)
    entries: list[tuple[str, int, str]] = []
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist()[:MAX_LISTED]:
                mode = (info.external_attr >> 16) & 0o170000
                if info.is_dir() or mode not in (0, 0o100000):
                    continue  # folders, symlinks and specials are not browsable
                name = _clean(info.filename)
                if name:
                    entries.append((name, info.file_size, info.filename))
    else:
        try:
            with tarfile.open(path, "r:*") as tf:
                for count, tinfo in enumerate(tf):
                    if count >= MAX_LISTED:
                        break
                    if not tinfo.isreg():
                        continue
                    name = _clean(tinfo.name)
                    if name:
                        entries.append((name, tinfo.size, tinfo.name))
        except (tarfile.TarError, OSError):
            return ()
    tops = {e[0].split("/", 1)[0] for e in entries}
    if len(tops) == 1 and all("/" in e[0] for e in entries):
        entries = [(e[0].split("/", 1)[1], e[1], e[2]) for e in entries]
    seen: dict[str, FileEntry] = {}
    for name, size, member in entries:
        seen.setdefault(name, FileEntry(name, size, member))
    return tuple(sorted(seen.values(), key=lambda e: e.path))


def list_files(blob: Path) -> tuple[FileEntry, ...]:
    """Regular files of the archive at ``blob``, by submission-relative path."""
    try:
        return _listing(str(blob), blob.stat().st_mtime_ns)
    except (OSError, zipfile.BadZipFile):
        return ()


def read_text(blob: Path, path: str) -> tuple[str, bool] | None:
    """(text, truncated) of one listed file, or None if no such file. Binary shows as None too.
    Cached per archive version: a report page reads the same writeup on every view."""
    try:
        mtime_ns = blob.stat().st_mtime_ns
    except OSError:
        return None  # as list_files: no archive, no files
    return _read_text(str(blob), mtime_ns, path)


@functools.lru_cache(maxsize=32)
def _read_text(blob_name: str, _mtime_ns: int, path: str) -> tuple[str, bool] | None:
    blob = Path(blob_name)
    entry = next((e for e in list_files(blob) if e.path == path), None)
    if entry is None:
        return None
    if zipfile.is_zipfile(blob):
        with zipfile.ZipFile(blob) as zf, zf.open(entry.member) as fh:
            data = fh.read(MAX_VIEW_BYTES + 1)
    else:
        with tarfile.open(blob, "r:*") as tf:
            extracted = tf.extractfile(tf.getmember(entry.member))
            if extracted is None:
                return None
            data = extracted.read(MAX_VIEW_BYTES + 1)
    truncated = len(data) > MAX_VIEW_BYTES
    data = data[:MAX_VIEW_BYTES]
    if b"\x00" in data[:8192]:
        return None
    return data.decode("utf-8", "replace"), truncated


def read_texts(blob: Path, wanted: Callable[[str], bool], *, max_bytes: int = MAX_VIEW_BYTES
               ) -> Iterator[tuple[str, str]]:
    """(path, text) of every listed file ``wanted`` accepts, opening the archive once; binary
    files and files larger than ``max_bytes`` are left out."""
    entries = [e for e in list_files(blob) if e.size <= max_bytes and wanted(e.path)]
    if not entries:
        return
    if zipfile.is_zipfile(blob):
        with zipfile.ZipFile(blob) as zf:
            for entry in entries:
                with zf.open(entry.member) as fh:
                    data = fh.read(max_bytes + 1)
                if len(data) <= max_bytes and b"\x00" not in data[:8192]:
                    yield entry.path, data.decode("utf-8", "replace")
        return
    members = {e.member: e.path for e in entries}
    with tarfile.open(blob, "r:*") as tf:
        for tinfo in tf:
            path = members.get(tinfo.name)
            extracted = tf.extractfile(tinfo) if path is not None and tinfo.isreg() else None
            if path is None or extracted is None:
                continue
            data = extracted.read(max_bytes + 1)
            if len(data) <= max_bytes and b"\x00" not in data[:8192]:
                yield path, data.decode("utf-8", "replace")
