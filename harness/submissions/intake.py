"""Taking an upload in: check it against the time box and the archive rules, store it, queue it,
record what the candidate is owed, and build the receipt.

``receive`` is the use case the candidate routes call (JSON and the no-JavaScript form alike):
it opens its own write transaction because the upload has been streamed to disk before the
request's session exists. ``accept_upload`` is the part inside that transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from harness.audit import service as audit
from harness.db.base import utcnow
from harness.db.engine import Database
from harness.errors import HarnessError
from harness.invitations import terms as promised
from harness.invitations.models import Invitation
from harness.invitations.service import invitation_for_token
from harness.ledger.clock import ensure_utc
from harness.ledger.pay import validate_reported_hours
from harness.ledger.timebox import Late, Refused, SubmissionTiming
from harness.notify.messages import Notification, format_late, submission_received
from harness.payments import service as payments
from harness.settings import Settings
from harness.submissions.archive import ArchiveLimits, check_archive
from harness.submissions.models import Submission, SubmissionStatus
from harness.submissions.repository import SubmissionRepository
from harness.submissions.service import store_blob
from harness.timeboxes import service as timeboxes

__all__ = [
    "MAX_VERSIONS",
    "Accepted",
    "SubmissionClosed",
    "UploadRefused",
    "accept_upload",
    "parse_hours",
    "receipt_notice",
    "receive",
]

log = logging.getLogger(__name__)

MAX_VERSIONS = 50
"""Uploads one invitation may make; past it the candidate is asked to contact the team."""


class SubmissionClosed(HarnessError):
    """Uploads are no longer accepted for this invitation."""

    status_code = 409


class UploadRefused(SubmissionClosed):
    """The time box refuses this upload: not started yet, window closed, or past a deadline
    that accepts nothing late. ``reason`` is the ledger's code; the message says what to do."""

    def __init__(self, refusal: Refused) -> None:
        super().__init__(refusal.message)
        self.reason = refusal.reason
        self.deadline = refusal.deadline


def parse_hours(value: str | None) -> Decimal | None:
    """The candidate's reported hours: empty, or more than 0 and at most 100, to 0.01 h."""
    if value is None or not str(value).strip():
        return None
    return validate_reported_hours(str(value).strip()[:32])


def _late_refused(settings: Settings, invitation: Invitation) -> bool:
    from harness.assignments.loader import load_assignment

    try:
        spec = load_assignment(invitation.assignment_name, settings).spec
    except HarnessError:
        return False
    return spec.policy.late.value == "refuse"


def _timing(
    settings: Settings, invitation: Invitation, now: datetime
) -> tuple[SubmissionTiming | None, bool]:
    """The time box's verdict on an upload at ``now`` and whether it is late; raises when the
    upload must be refused."""
    timing = timeboxes.upload_timing(
        invitation, now, promised.policy_fallback(settings, invitation)
    )
    if isinstance(timing, Refused):
        raise UploadRefused(timing)
    if timing is not None:
        return timing, isinstance(timing, Late)
    # An untimed invitation: only a stored deadline can make it late.
    late = invitation.deadline_at is not None and now > invitation.deadline_at
    if late and _late_refused(settings, invitation):
        raise SubmissionClosed(
            "the deadline for this assignment has passed and late submissions are not accepted"
        )
    return None, late


def _clean_filename(name: str) -> str:
    # Keep what the candidate called it (escaped on display), minus control characters.
    cleaned = "".join(ch for ch in name if ch.isprintable()).strip()
    return (cleaned or "submission")[-255:]


def _admit(
    session: Session,
    settings: Settings,
    invitation: Invitation,
    upload: Path,
    filename: str,
    now: datetime,
) -> tuple[SubmissionTiming | None, bool, int]:
    """Whether the upload may become the invitation's next version: (timing, late, version).
    Raises when the time box, the version cap or the archive rules refuse it."""
    # One upload of an invitation at a time: versions and the payment are per invitation.
    session.execute(select(Invitation.id).where(Invitation.id == invitation.id).with_for_update())
    timing, late = _timing(settings, invitation, now)
    version = SubmissionRepository(session).next_version(invitation.id)
    if version > MAX_VERSIONS:
        raise SubmissionClosed(
            f"this link has received {MAX_VERSIONS} uploads, the most it accepts; "
            "contact the hiring team if you need to send another"
        )
    check_archive(upload, filename, ArchiveLimits(max_archive_bytes=settings.max_upload_mb * 2**20))
    return timing, late, version


def accept_upload(
    session: Session,
    settings: Settings,
    invitation: Invitation,
    upload: Path,
    *,
    filename: str,
    sha256: str,
    size: int,
    reported_hours: Decimal | None = None,
    now: datetime | None = None,
) -> Submission:
    """Check an uploaded archive and queue it for grading as the invitation's next version.

    ``upload`` is a file already streamed to disk (within the size cap); it is moved into blob
    storage when accepted and deleted when rejected. Raises ``ArchiveRejected`` with the
    candidate-facing reason, and ``UploadRefused`` when the time box does not take uploads now
    (before the clock starts, or late under a refuse policy). A late upload under an accept
    policy is kept and marked late. The amount owed is recorded (or recomputed, while owed)
    with the upload. ``now`` comes from the app's clock.
    """
    try:
        now = ensure_utc(now, "now") if now is not None else utcnow()
        timing, late, version = _admit(session, settings, invitation, upload, filename, now)
    except BaseException:
        upload.unlink(missing_ok=True)
        raise
    submission = Submission(
        invitation_id=invitation.id,
        version=version,
        assignment_name=invitation.assignment_name,
        filename=_clean_filename(filename),
        sha256=sha256,
        blob_key=store_blob(settings.blobs_dir, upload, sha256),
        size_bytes=size,
        status=SubmissionStatus.queued.value,
        stages={},
        late=late,
        reported_hours=reported_hours,
        created_at=now,
    )
    SubmissionRepository(session).add(submission)
    session.flush()
    audit.record(
        session,
        "submission.upload",
        actor="candidate",
        object_type="submission",
        object_id=submission.id,
        invitation=invitation.id,
        size=size,
        late=late,
        late_by_s=int((now - timing.deadline).total_seconds())
        if isinstance(timing, Late)
        else None,
    )
    payments.record_for_submission(
        session, invitation, submission_id=submission.id, uploaded_at=now
    )
    return submission


def receipt_notice(
    invitation: Invitation,
    *,
    submission_id: int,
    version: int,
    received_at: datetime,
    late_by: timedelta | None,
    status_link: str | None,
    title: str | None = None,
) -> Notification | None:
    """The receipt for one upload (``None`` when the address cannot be mailed). Built in the
    upload's transaction, sent after it commits."""
    try:
        return submission_received(
            submission_id=submission_id,
            candidate_name=invitation.candidate.name,
            candidate_email=invitation.candidate.email,
            assignment_title=title or invitation.assignment_name,
            received_at=received_at,
            version=version,
            late_by=late_by,
            status_link=status_link,
            tz_name=invitation.time_zone or "UTC",
        )
    except ValueError as exc:
        log.warning("no receipt e-mail for submission %s: %s", submission_id, exc)
        return None


@dataclass(frozen=True)
class Accepted:
    """An upload stored and queued, with what the candidate should be told about its timing."""

    id: int
    version: int
    status: str
    late: bool
    late_by_seconds: int | None
    deadline_at: datetime | None
    receipt: Notification | None

    @property
    def message(self) -> str:
        if self.late and self.late_by_seconds is not None:
            return (
                f"Received {format_late(self.late_by_seconds)} after the deadline: it is kept "
                "and marked late."
            )
        return "Received on time; it is being graded."


def receive(
    db: Database,
    settings: Settings,
    token: str,
    upload: Path,
    *,
    filename: str,
    sha256: str,
    size: int,
    reported_hours: str | None,
    now: datetime,
    status_link: Callable[[int], str],
) -> Accepted:
    """Store an upload for the invitation behind ``token``, in its own write transaction, and
    say whether it was on time. ``status_link(submission_id)`` is where the receipt sends the
    candidate."""
    with db.session(write=True) as session:
        invitation = invitation_for_token(session, token)
        sub = accept_upload(
            session,
            settings,
            invitation,
            upload,
            filename=filename,
            sha256=sha256,
            size=size,
            reported_hours=parse_hours(reported_hours),
            now=now,
        )
        deadline = invitation.deadline_at
        late_by = (now - deadline) if sub.late and deadline else None
        receipt = receipt_notice(
            invitation,
            submission_id=sub.id,
            version=sub.version,
            received_at=now,
            late_by=late_by,
            status_link=status_link(sub.id),
        )
        return Accepted(
            sub.id,
            sub.version,
            sub.status,
            sub.late,
            max(0, int(late_by.total_seconds())) if late_by is not None else None,
            deadline,
            receipt,
        )
