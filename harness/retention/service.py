"""The use cases of the admin page and the CLI: look a candidate up, export, erase, and what
the retention policies will do next."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.assignments.loader import list_assignments
from harness.assignments.spec import Retention
from harness.audit import service as audit
from harness.db.engine import Database
from harness.errors import HarnessError
from harness.privacy.anonymous import count_erased
from harness.retention.erase import ErasureReceipt, blockers, erase
from harness.retention.export import ExportSummary, export_candidate
from harness.retention.registry import HOLDERS
from harness.retention.subject import subject_for_email
from harness.retention.sweep import due
from harness.settings import Settings

__all__ = [
    "CandidateHeld",
    "RetentionOverview",
    "erase_confirmed",
    "erase_on_request",
    "export_for",
    "held_about",
    "retention_overview",
]


@dataclass(frozen=True)
class CandidateHeld:
    """What the harness holds about one address, before export or erasure."""

    email: str
    records: dict[str, int]
    """Rows per section."""
    files: int
    """Files (archives, report files)."""
    blockers: list[str]
    """Why erasure must wait; empty when it can go ahead."""


def held_about(session: Session, settings: Settings, email: str) -> CandidateHeld:
    subject = subject_for_email(session, email)
    records: dict[str, int] = {}
    files = 0
    for holder in HOLDERS:
        part = holder.export(session, subject, settings)
        for name, rows in part.records.items():
            records[name] = records.get(name, 0) + len(rows)
        files += sum(1 for _, path in part.files if path.is_file())
    return CandidateHeld(email.strip().lower(), records, files, blockers(session, subject))


def erase_confirmed(
    db: Database,
    settings: Settings,
    email: str,
    confirm: str,
    *,
    actor: Reviewer | str,
    now: datetime,
) -> ErasureReceipt:
    """``erase_on_request``, once the admin typed the address a second time."""
    if confirm.strip().lower() != email.strip().lower():
        raise HarnessError(
            "type the candidate's address again in the confirmation field to erase", status_code=422
        )
    return erase_on_request(db, settings, email, actor=actor, now=now)


def erase_on_request(
    db: Database, settings: Settings, email: str, *, actor: Reviewer | str, now: datetime
) -> ErasureReceipt:
    """Erase everything about the candidate with ``email`` (they asked)."""
    return erase(
        db,
        settings,
        lambda session: subject_for_email(session, email),
        actor=actor,
        reason="request",
        now=now,
    )


def export_for(
    session: Session,
    settings: Settings,
    email: str,
    *,
    now: datetime,
    actor: Reviewer | str,
    dest: Path | None = None,
) -> ExportSummary:
    """Write the candidate's export to ``dest`` (default: a new file under the data folder's
    ``exports/``, which the caller deletes once sent). Audited, without the address."""
    if dest is None:
        folder = settings.data_dir / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        dest = folder / f"export-{secrets.token_hex(8)}.zip"
    done = export_candidate(session, settings, email, dest, now=now)
    audit.record(
        session,
        "candidate.export",
        actor=actor,
        object_type="export",
        records=sum(done.records.values()),
        files=done.files,
    )
    return done


@dataclass
class RetentionOverview:
    policies: dict[str, Retention]
    """By assignment."""
    due_archives: int
    due_reports: int
    due_personal: int
    erased_candidates: int
    erased_uploads: int
    holders: list[str] = field(default_factory=list)


def retention_overview(session: Session, settings: Settings, now: datetime) -> RetentionOverview:
    todo = due(session, settings, now)
    candidates, uploads = count_erased(session)
    return RetentionOverview(
        policies={a.spec.name: a.spec.retention for a in list_assignments(settings)},
        due_archives=len(todo.archives),
        due_reports=len(todo.reports),
        due_personal=len(todo.personal),
        erased_candidates=candidates,
        erased_uploads=uploads,
        holders=[h.name for h in HOLDERS],
    )
