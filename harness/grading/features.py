"""The held-out features every predict (or notebook) stage reads, built once per data version.

Both held-out sets go into one file, shuffled with the assignment's seed, so ids do not reveal
which rows measure robustness. The file is cached on disk under a key of the assignment's data
(name, version, seed, and each source file's size and modification time), and its ids in order
are kept beside it for scoring. Labels are never copied here. The same cache serves local runs
and the files the API hands to distributed workers.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import threading
from dataclasses import dataclass
from pathlib import Path

from harness.assignments.loader import Assignment

__all__ = ["HeldoutFeatures", "StoredFile", "sha256_of", "write_test_features"]


@dataclass(frozen=True)
class StoredFile:
    """A file on this host with the hash and size a downloader checks."""

    path: Path
    sha256: str
    size: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_test_features(assignment: Assignment, dest: Path) -> list[str]:
    """Write the held-out features (both sets, mixed with the assignment's seed); return the ids."""
    data = assignment.spec.data
    sources = [assignment.path(data.heldout_features)]
    if data.shifted_features:
        sources.append(assignment.path(data.shifted_features))
    header: list[str] | None = None
    rows: list[list[str]] = []
    for source in sources:
        with source.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            this_header = next(reader)
            if header is None:
                header = this_header
            elif this_header != header:
                raise ValueError(f"{source.name} has columns {this_header}, expected {header}")
            rows.extend(reader)
    if header is None or data.label_column in header:
        raise ValueError("held-out features must have a header and no label column")
    random.Random(assignment.spec.seed).shuffle(rows)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    id_index = header.index(data.id_column)
    return [row[id_index] for row in rows]


def _safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:64] or "assignment"


class HeldoutFeatures:
    """The features file of each assignment and its ids, cached on disk and in memory.

    Thread-safe; two processes building the same file at once each write a private temporary
    file and rename it into place, so a reader never sees half a file.
    """

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self._lock = threading.Lock()
        self._features: dict[str, tuple[StoredFile, list[str]]] = {}
        self._hashes: dict[tuple[str, int, int], StoredFile] = {}

    def stored(self, path: Path) -> StoredFile:
        """``path`` with its hash, computed once per (path, mtime, size)."""
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._hashes.get(key)
        if cached is None:
            cached = StoredFile(path, sha256_of(path), stat.st_size)
            with self._lock:
                self._hashes[key] = cached
        return cached

    def __call__(self, assignment: Assignment) -> tuple[StoredFile, list[str]]:
        """The held-out features file of ``assignment`` and its ids in file order."""
        key = self._key(assignment)
        with self._lock:
            cached = self._features.get(key)
            if cached is not None:
                return cached
            folder = self.cache_dir / _safe_name(assignment.name) / key
            csv_path, ids_path = folder / "features.csv", folder / "ids.json"
            if not (csv_path.is_file() and ids_path.is_file()):
                folder.mkdir(parents=True, exist_ok=True)
                tmp = folder / f"features.{os.getpid()}.{threading.get_ident()}.tmp"
                ids = write_test_features(assignment, tmp)
                tmp.chmod(0o644)  # mounted read-only into sandboxes, which run as another user
                ids_tmp = tmp.with_suffix(".ids")
                ids_tmp.write_text(json.dumps(ids), encoding="utf-8")
                os.replace(ids_tmp, ids_path)
                os.replace(tmp, csv_path)
            ids = json.loads(ids_path.read_text(encoding="utf-8"))
            stat = csv_path.stat()
            cached = (StoredFile(csv_path, sha256_of(csv_path), stat.st_size), ids)
            self._features[key] = cached
            return cached

    @staticmethod
    def _key(assignment: Assignment) -> str:
        data = assignment.spec.data
        sources = [assignment.path(data.heldout_features)]
        if data.shifted_features:
            sources.append(assignment.path(data.shifted_features))
        identity = [assignment.name, assignment.spec.version, str(assignment.spec.seed)]
        for source in sources:
            stat = source.stat()
            identity += [str(source), str(stat.st_mtime_ns), str(stat.st_size)]
        return hashlib.sha256("\n".join(identity).encode()).hexdigest()[:32]
