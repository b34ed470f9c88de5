"""Erasing a candidate: every holder's rows in one transaction, the files after it, anonymous
figures left behind, and an audit event that names no one.

The audit event says who erased, when, why (``request`` or ``retention``), a random reference
to give the person who asked, and how many rows and files went; never the address, the name or
the ids of the erased rows.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.audit import service as audit
from harness.db.engine import Database
from harness.errors import HarnessError
from harness.privacy.holders import Drafts, FileSink, Subject
from harness.retention.files import FilesDeleted, delete_files
from harness.retention.registry import HOLDERS
from harness.settings import Settings

__all__ = ["ErasureBlocked", "ErasureReceipt", "blockers", "erase"]


class ErasureBlocked(HarnessError):
    """Something must happen before this candidate can be erased; the message says what."""

    status_code = 409


@dataclass
class ErasureReceipt:
    reference: str
    """Random; in the audit log, for the person who asked."""
    reason: str
    at: datetime
    invitations: int
    uploads: int
    rows: dict[str, int] = field(default_factory=dict)
    """Rows removed or redacted, by holder."""
    anonymous_candidates: int = 0
    anonymous_uploads: int = 0
    files: FilesDeleted = field(default_factory=FilesDeleted)


def blockers(session: Session, subject: Subject) -> list[str]:
    """Why the subject cannot be erased yet (empty when it can)."""
    return [reason for holder in HOLDERS for reason in holder.blockers(session, subject)]


def _erase_rows(
    session: Session,
    settings: Settings,
    subject: Subject,
    sink: FileSink,
    *,
    reason: str,
    now: datetime,
) -> ErasureReceipt:
    drafts = Drafts()
    for holder in HOLDERS:  # figures first: the holders read each other's rows
        holder.summarise(session, subject, drafts)
    for candidate in drafts.candidates.values():
        candidate.reason, candidate.erased_at = reason, now
    for upload in drafts.submissions.values():
        upload.erased_at = now
    receipt = ErasureReceipt(
        reference=secrets.token_hex(6),
        reason=reason,
        at=now,
        invitations=len(subject.invitation_ids),
        uploads=len(subject.submission_ids),
        anonymous_candidates=len(drafts.candidates),
        anonymous_uploads=len(drafts.submissions),
    )
    for holder in HOLDERS:
        touched = holder.erase(session, subject, settings, sink)
        if touched:
            receipt.rows[holder.name] = touched
    session.add_all(drafts.rows())
    return receipt


def erase(
    db: Database,
    settings: Settings,
    resolve: Callable[[Session], Subject],
    *,
    actor: Reviewer | str,
    reason: str,
    now: datetime,
) -> ErasureReceipt:
    """Erase the subject ``resolve`` finds (in the erasure's own write transaction), then its
    files. Raises ``ErasureBlocked`` when a holder says it must wait, ``NotFound`` from
    ``resolve`` when there is no one to erase."""
    sink = FileSink()
    with db.session(write=True) as session:
        subject = resolve(session)
        waiting = blockers(session, subject)
        if waiting:
            raise ErasureBlocked("cannot erase this candidate yet: " + "; ".join(waiting))
        receipt = _erase_rows(session, settings, subject, sink, reason=reason, now=now)
        audit.record(
            session,
            "candidate.erase",
            actor=actor,
            object_type="erasure",
            reference=receipt.reference,
            reason=reason,
            invitations=receipt.invitations,
            uploads=receipt.uploads,
            rows=receipt.rows,
            anonymous={
                "candidates": receipt.anonymous_candidates,
                "uploads": receipt.anonymous_uploads,
            },
        )
    receipt.files = delete_files(db, settings, sink)
    with db.session(write=True) as session:
        audit.record(
            session,
            "candidate.erase_files",
            actor=actor,
            object_type="erasure",
            reference=receipt.reference,
            files=receipt.files.files,
            blobs=receipt.files.blobs,
            blobs_shared=receipt.files.blobs_shared,
        )
    return receipt
