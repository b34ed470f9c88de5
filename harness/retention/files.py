"""Deleting files once the rows that named them are gone, and the left-overs nothing names.

Blobs are content-addressed: two uploads with the same bytes share one file, so a blob goes
only when no upload refers to it any more. The check and the deletion happen in a write
transaction, which on SQLite serialises them with uploads (an upload stores its blob and its
row in one). The database file itself is zeroed where rows were (``secure_delete``) and its
write-ahead log truncated, so deleted rows do not linger in it.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, text

from harness.db.engine import Database
from harness.privacy.holders import FileSink
from harness.settings import Settings
from harness.submissions.models import ReportRecord, Submission
from harness.submissions.privacy import referenced_blobs

__all__ = ["FilesDeleted", "checkpoint", "collect_leftovers", "delete_files"]

log = logging.getLogger(__name__)

_BLOB_GRACE_S = 3600.0
"""An unreferenced blob younger than this may belong to an upload still being committed."""
_INCOMING_MAX_AGE_S = 24 * 3600.0
_RUN_MAX_AGE_S = 2 * 24 * 3600.0


@dataclass
class FilesDeleted:
    files: int = 0
    """Files and folders deleted (archives, artifacts, left-overs)."""
    blobs: int = 0
    """Archives deleted because nobody else refers to their content."""
    blobs_shared: int = 0
    """Archives kept because another upload has the same content."""


def _inside(root: Path, path: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root.resolve())
    except OSError:
        return False


def _remove(root: Path, path: Path) -> bool:
    """Delete a file or folder under ``root``; refuses anything outside it."""
    if not _inside(root, path) or path.resolve() == root.resolve():
        log.error("refusing to delete %s: outside the data folder %s", path, root)
        return False
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
        return True
    if path.exists() or path.is_symlink():
        path.unlink(missing_ok=True)
        return True
    return False


def _blob_file(settings: Settings, key: str) -> Path | None:
    path = settings.blobs_dir / key
    return path if key and _inside(settings.blobs_dir, path) else None


def delete_files(db: Database, settings: Settings, sink: FileSink) -> FilesDeleted:
    """Delete what an erasure or purge named, after its rows are gone."""
    done = FilesDeleted()
    for gone in sorted(sink.paths):
        done.files += _remove(settings.data_dir, gone)
    if sink.blob_keys:
        with db.session(write=True) as session:
            shared = referenced_blobs(session, sink.blob_keys)
            for key in sorted(sink.blob_keys):
                blob = _blob_file(settings, key)
                if key in shared:
                    done.blobs_shared += 1
                elif blob is not None and _remove(settings.data_dir, blob):
                    done.blobs += 1
    checkpoint(db)
    return done


def checkpoint(db: Database) -> None:
    """Fold SQLite's write-ahead log into the database and truncate it, so pages of deleted
    rows do not stay in the log (a no-op on PostgreSQL, whose VACUUM reclaims them)."""
    if not db.is_sqlite:
        return
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute(text("SELECT 1"))


def _old(path: Path, age_s: float, now: float) -> bool:
    try:
        return now - path.stat().st_mtime > age_s
    except OSError:
        return False


def _leftover_blobs(db: Database, settings: Settings, now: float) -> list[Path]:
    candidates = {
        f"{p.parent.name}/{p.name}": p
        for p in settings.blobs_dir.glob("??/*")
        if p.is_file() and _old(p, _BLOB_GRACE_S, now)
    }
    if not candidates:
        return []
    with db.session() as session:
        referenced = set(
            session.scalars(
                select(Submission.blob_key).where(Submission.blob_key.in_(list(candidates)))
            )
        )
    return [p for key, p in candidates.items() if key not in referenced]


def _leftover_artifacts(db: Database, settings: Settings, now: float) -> list[Path]:
    folders = {
        int(p.name): p
        for p in settings.artifacts_dir.glob("*")
        if p.is_dir() and p.name.isdigit() and _old(p, _BLOB_GRACE_S, now)
    }
    if not folders:
        return []
    with db.session() as session:
        alive = set(
            session.scalars(
                select(ReportRecord.submission_id).where(ReportRecord.submission_id.in_(folders))
            )
        )
    return [p for sid, p in folders.items() if sid not in alive]


def collect_leftovers(db: Database, settings: Settings) -> FilesDeleted:
    """Delete files no row names any more: archives and report files left by an erasure that
    stopped between its commit and its deletions, abandoned partial uploads, work folders of
    grading runs that crashed, outputs of distributed runs whose claim was lost, and exports
    that were never fetched."""
    now = time.time()
    stale = _leftover_blobs(db, settings, now) + _leftover_artifacts(db, settings, now)
    incoming = settings.blobs_dir / "incoming"
    stale += [p for p in incoming.glob("*") if _old(p, _INCOMING_MAX_AGE_S, now)]
    stale += [p for p in settings.work_dir.glob("run-*") if _old(p, _RUN_MAX_AGE_S, now)]
    stale += [p for p in settings.worker_outputs_dir.glob("*") if _old(p, _RUN_MAX_AGE_S, now)]
    stale += [p for p in (settings.data_dir / "exports").glob("*") if _old(p, _BLOB_GRACE_S, now)]
    done = FilesDeleted()
    for path in stale:
        done.files += _remove(settings.data_dir, path)
    return done
