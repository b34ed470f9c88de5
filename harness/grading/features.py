"""The held-out features every predict (or notebook) stage reads, built once per data version.

Both held-out sets go into one file, with the assignment's canary rows (hidden copies of held-out
tickets under fresh ids, :mod:`harness.evaluation.canaries`), shuffled with the assignment's seed,
so ids do not reveal which rows measure robustness or which are canaries. The file is cached on
disk under a key of the assignment's data (name, version, seed, canary settings, and each source
file's size and modification time); its ids in order and the canaries (what each copies) are
kept beside it, on the host, for scoring. Labels are never copied here. The same cache serves
local runs and the files the API hands to distributed workers.
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
from harness.evaluation.canaries import Canary, CanaryKind, make_canaries

__all__ = ["HeldoutFeatures", "StoredFile", "reorder_rows", "sha256_of", "write_test_features"]


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


def _read_sources(assignment: Assignment) -> tuple[list[str], list[list[str]]]:
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
    return header, rows


def _train_ids(assignment: Assignment) -> set[str]:
    with assignment.train_csv.open(newline="", encoding="utf-8") as fh:
        return {row.get(assignment.spec.data.id_column) or "" for row in csv.DictReader(fh)}


def _write_csv(dest: Path, header: list[str], rows: list[list[str]]) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def _build(assignment: Assignment, dest: Path) -> tuple[list[str], list[Canary]]:
    spec = assignment.spec
    header, rows = _read_sources(assignment)
    id_index = header.index(spec.data.id_column)
    canaries: list[Canary] = []
    if spec.integrity.canaries:
        rng = random.Random(f"{spec.seed}:canaries")
        taken = {row[id_index] for row in rows} | _train_ids(assignment)
        made = make_canaries(header, rows, count=spec.integrity.canaries,
                             id_column=spec.data.id_column,
                             text_columns=spec.integrity.canary_text_columns,
                             taken_ids=taken, rng=rng)
        rows = rows + [row for row, _ in made]
        canaries = [canary for _, canary in made]
    random.Random(spec.seed).shuffle(rows)
    _write_csv(dest, header, rows)
    return [row[id_index] for row in rows], canaries


def write_test_features(assignment: Assignment, dest: Path) -> list[str]:
    """Write the held-out features (both sets and the canaries, mixed with the assignment's
    seed); return the ids in file order."""
    ids, _ = _build(assignment, dest)
    return ids


def reorder_rows(source: Path, dest: Path, seed: str) -> None:
    """Copy a features CSV with its rows in another order (the header first), readable by the
    sandbox user: a second run's input differs in order but not in content."""
    with source.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    random.Random(seed).shuffle(rows)
    _write_csv(dest, header, rows)
    dest.chmod(0o644)


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
        self._canaries: dict[str, list[Canary]] = {}
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
            canaries_path = folder / "canaries.json"
            if not (csv_path.is_file() and ids_path.is_file() and canaries_path.is_file()):
                folder.mkdir(parents=True, exist_ok=True)
                tmp = folder / f"features.{os.getpid()}.{threading.get_ident()}.tmp"
                ids, made = _build(assignment, tmp)
                tmp.chmod(0o644)  # mounted read-only into sandboxes, which run as another user
                for path, value in ((ids_path, ids), (canaries_path, [
                        [c.id, c.source, c.kind.value] for c in made])):
                    side = tmp.with_suffix(f".{path.stem}")
                    side.write_text(json.dumps(value), encoding="utf-8")
                    os.replace(side, path)
                os.replace(tmp, csv_path)
            ids = json.loads(ids_path.read_text(encoding="utf-8"))
            stat = csv_path.stat()
            cached = (StoredFile(csv_path, sha256_of(csv_path), stat.st_size), ids)
            self._features[key] = cached
            self._canaries[key] = [Canary(i, source, CanaryKind(kind)) for i, source, kind in
                                   json.loads(canaries_path.read_text(encoding="utf-8"))]
            return cached

    def canaries(self, assignment: Assignment) -> list[Canary]:
        """The canary rows of ``assignment``'s features file and what each copies (host only:
        never sent to a worker)."""
        self(assignment)
        with self._lock:
            return list(self._canaries[self._key(assignment)])

    @staticmethod
    def _key(assignment: Assignment) -> str:
        data = assignment.spec.data
        sources = [assignment.path(data.heldout_features)]
        if data.shifted_features:
            sources.append(assignment.path(data.shifted_features))
        integrity = assignment.spec.integrity
        identity = [assignment.name, assignment.spec.version, str(assignment.spec.seed),
                    f"canaries={integrity.canaries}:{','.join(integrity.canary_text_columns)}"]
        # Canary ids avoid the training ids too, so the training file is part of the key.
        for source in [*sources, assignment.train_csv]:
            stat = source.stat()
            identity += [str(source), str(stat.st_mtime_ns), str(stat.st_size)]
        return hashlib.sha256("\n".join(identity).encode()).hexdigest()[:32]
