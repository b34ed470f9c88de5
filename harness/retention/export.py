"""Everything held about a candidate, as a zip with a JSON manifest (the right of access).

``manifest.json`` lists every holder's records (the candidate, invitations, uploads, reports,
notes, decisions, extensions, payments, notifications, survey, ATS tests, audit events) and every
file in the zip with its size and SHA-256; the files are the candidate's own archives and their
reports' files. Left out, and said so in the manifest: held-out data, other candidates, the
identity of reviewers, and credentials (link token hashes).
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from harness.privacy.holders import Subject
from harness.retention.registry import HOLDERS
from harness.retention.subject import subject_for_email
from harness.settings import Settings

__all__ = ["EXPORT_FORMAT", "ExportSummary", "export_candidate"]

EXPORT_FORMAT = "harness-candidate-export/1"
LEFT_OUT = [
    "the held-out tickets and their labels, which are the hiring team's test data",
    "the logs of your code's runs and its rendered notebook, which ran on that test data and may "
    "print it (your code itself is in your archives)",
    "other candidates' data",
    "which reviewer wrote a note, decision or comment (their own personal data)",
    "credentials: the hash of your link's token (the link itself was never stored)",
]


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    records: dict[str, int]
    """Rows per section."""
    files: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _collect(
    session: Session, settings: Settings, subject: Subject
) -> tuple[dict[str, Any], list[tuple[str, Path]]]:
    sections: dict[str, Any] = {}
    files: list[tuple[str, Path]] = []
    for holder in HOLDERS:
        part = holder.export(session, subject, settings)
        for name, rows in part.records.items():
            sections.setdefault(name, []).extend(rows)
        files.extend(part.files)
    return sections, files


def export_candidate(
    session: Session, settings: Settings, email: str, dest: Path, *, now: datetime
) -> ExportSummary:
    """Write the export of the candidate with ``email`` to ``dest`` (replaced atomically)."""
    subject = subject_for_email(session, email)
    sections, files = _collect(session, settings, subject)
    listed = []
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, path in files:
            if not path.is_file():
                continue
            zf.write(path, f"files/{name}")
            listed.append(
                {"name": f"files/{name}", "bytes": path.stat().st_size, "sha256": _sha256(path)}
            )
        manifest = {
            "format": EXPORT_FORMAT,
            "generated_at": now.isoformat(),
            "about": "Everything the take-home grading harness holds about you.",
            "left_out": LEFT_OUT,
            "records": sections,
            "files": listed,
        }
        zf.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True, default=str))
    os.replace(tmp, dest)
    return ExportSummary(dest, {k: len(v) for k, v in sections.items()}, len(listed))
