"""Submissions: accepting uploads, regrades, notes, decisions, and the dashboard's numbers."""

from __future__ import annotations

import bisect
import functools
import os
import shutil
import statistics
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.audit import service as audit
from harness.db.base import utcnow
from harness.errors import HarnessError, NotFound
from harness.invitations.models import Invitation
from harness.ledger import payments
from harness.ledger import service as ledger
from harness.ledger.clock import ensure_utc
from harness.ledger.pay import validate_reported_hours
from harness.ledger.timebox import Late, Refused
from harness.settings import Settings
from harness.submissions.archive import ArchiveLimits, check_archive
from harness.submissions.models import (
    FINISHED,
    Decision,
    DecisionOutcome,
    Note,
    Submission,
    SubmissionStatus,
)
from harness.submissions.repository import SubmissionRepository

__all__ = [
    "Dashboard",
    "SubmissionClosed",
    "UploadRefused",
    "accept_upload",
    "add_note",
    "blob_path",
    "dashboard",
    "get_submission",
    "parse_hours",
    "record_decision",
    "request_regrade",
    "score_distribution",
    "select_version",
    "store_blob",
]

MAX_NOTE = 10_000
MAX_VERSIONS = 50
"""Uploads one invitation may make; past it the candidate is asked to contact the team."""
MAX_REASON = 5_000


class SubmissionClosed(HarnessError):
    """Uploads are no longer accepted for this invitation."""

    status_code = 409


def store_blob(blobs_dir: Path, source: Path, sha256: str) -> str:
    """Move ``source`` into content-addressed storage; returns the blob key.

    The same archive uploaded twice is stored once.
    """
    key = f"{sha256[:2]}/{sha256}"
    target = blobs_dir / key
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        source.unlink(missing_ok=True)
    else:
        os.replace(
            source, target
        ) if source.parent.stat().st_dev == target.parent.stat().st_dev else shutil.move(
            str(source), target
        )
        target.chmod(0o444)
    return key


def blob_path(settings: Settings, submission: Submission) -> Path:
    return settings.blobs_dir / submission.blob_key


def parse_hours(value: str | None) -> Decimal | None:
    """The candidate's reported hours: empty, or more than 0 and at most 100, to 0.01 h."""
    if value is None or not str(value).strip():
        return None
    return validate_reported_hours(str(value).strip()[:32])


class UploadRefused(SubmissionClosed):
    """The time box refuses this upload: not started yet, window closed, or past a deadline
    that accepts nothing late. ``reason`` is the ledger's code; the message says what to do."""

    def __init__(self, refusal: Refused) -> None:
        super().__init__(refusal.message)
        self.reason = refusal.reason
        self.deadline = refusal.deadline


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
        # One upload of an invitation at a time: versions and the payment are per invitation.
        session.execute(
            select(Invitation.id).where(Invitation.id == invitation.id).with_for_update()
        )
        timing = ledger.upload_timing(invitation, now, ledger.policy_fallback(settings, invitation))
        if isinstance(timing, Refused):
            raise UploadRefused(timing)
        if timing is None:  # an untimed invitation: only a stored deadline can make it late
            late = invitation.deadline_at is not None and now > invitation.deadline_at
            if late and _late_refused(settings, invitation):
                raise SubmissionClosed(
                    "the deadline for this assignment has passed and late submissions are not accepted"
                )
        else:
            late = isinstance(timing, Late)
        if len(invitation.submissions) >= MAX_VERSIONS:
            raise SubmissionClosed(
                f"this link has received {MAX_VERSIONS} uploads, the most it accepts; "
                "contact the hiring team if you need to send another"
            )
        limits = ArchiveLimits(max_archive_bytes=settings.max_upload_mb * 1024 * 1024)
        check_archive(upload, filename, limits)
    except BaseException:
        upload.unlink(missing_ok=True)
        raise
    key = store_blob(settings.blobs_dir, upload, sha256)
    repo = SubmissionRepository(session)
    submission = Submission(
        invitation_id=invitation.id,
        version=repo.next_version(invitation.id),
        assignment_name=invitation.assignment_name,
        filename=_clean_filename(filename),
        sha256=sha256,
        blob_key=key,
        size_bytes=size,
        status=SubmissionStatus.queued.value,
        stages={},
        late=late,
        reported_hours=reported_hours,
        created_at=now,
    )
    repo.add(submission)
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


def _late_refused(settings: Settings, invitation: Invitation) -> bool:
    from harness.assignments.loader import load_assignment

    try:
        spec = load_assignment(invitation.assignment_name, settings).spec
    except HarnessError:
        return False
    return spec.policy.late.value == "refuse"


def _clean_filename(name: str) -> str:
    # Keep what the candidate called it (escaped on display), minus control characters.
    cleaned = "".join(ch for ch in name if ch.isprintable()).strip()
    return (cleaned or "submission")[-255:]


def get_submission(session: Session, submission_id: int) -> Submission:
    submission = SubmissionRepository(session).get(submission_id)
    if submission is None:
        raise NotFound(f"submission {submission_id} does not exist")
    return submission


def request_regrade(session: Session, submission: Submission, actor: Reviewer) -> None:
    """Queue a finished submission for grading again; its reports so far stay as history."""
    if submission.status not in {s.value for s in FINISHED}:
        raise HarnessError(
            f"submission {submission.id} is {submission.status}; it can be regraded once it has finished",
            status_code=409,
        )
    submission.status = SubmissionStatus.queued.value
    submission.attempts = 0
    submission.not_before = None
    submission.stage = None
    submission.stages = {}
    submission.message = "regrade requested"
    audit.record(
        session,
        "submission.regrade",
        actor=actor,
        object_type="submission",
        object_id=submission.id,
    )


def add_note(session: Session, submission: Submission, actor: Reviewer, body: str) -> Note:
    body = body.strip()
    if not body or len(body) > MAX_NOTE:
        raise HarnessError(f"a note must be 1 to {MAX_NOTE} characters", status_code=422)
    note = Note(submission_id=submission.id, reviewer_id=actor.id, body=body)
    session.add(note)
    session.flush()
    audit.record(
        session,
        "note.add",
        actor=actor,
        object_type="submission",
        object_id=submission.id,
        note=note.id,
    )
    return note


def record_decision(
    session: Session, submission: Submission, actor: Reviewer, outcome: str, reason: str
) -> Decision:
    """Record advance/reject/hold with a reason, on the submission's invitation."""
    try:
        outcome = DecisionOutcome(outcome).value
    except ValueError:
        raise HarnessError(
            "the decision must be advance, reject or hold", status_code=422
        ) from None
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise HarnessError(f"give a reason of 1 to {MAX_REASON} characters", status_code=422)
    decision = Decision(
        invitation_id=submission.invitation_id,
        submission_id=submission.id,
        outcome=outcome,
        reason=reason,
        reviewer_id=actor.id,
    )
    session.add(decision)
    session.flush()
    session.refresh(submission.invitation, ["decisions"])
    audit.record(
        session,
        "decision.record",
        actor=actor,
        object_type="invitation",
        object_id=submission.invitation_id,
        submission=submission.id,
        outcome=outcome,
    )
    return decision


def select_version(session: Session, submission: Submission, actor: Reviewer) -> None:
    """Make this version the one that counts for its invitation (instead of the latest)."""
    submission.invitation.selected_submission_id = submission.id
    audit.record(
        session, "submission.select", actor=actor, object_type="submission", object_id=submission.id
    )


def counting_submission_id(invitation: Invitation) -> int | None:
    if invitation.selected_submission_id is not None:
        return invitation.selected_submission_id
    return invitation.submissions[-1].id if invitation.submissions else None


@dataclass(frozen=True)
class ScoreDistribution:
    """Overall scores of an assignment's graded submissions, sorted, for the report's plot."""

    scores: tuple[float, ...]

    @functools.cached_property
    def histogram(self) -> tuple[int, ...]:
        """Counts in 20 bins of 5 points (the last bin holds 100)."""
        counts = [0] * 20
        for score in self.scores:
            counts[min(19, max(0, int(score // 5)))] += 1
        return tuple(counts)

    def share_below(self, score: float) -> float:
        """Fraction of submissions scoring strictly less than ``score``."""
        return bisect.bisect_left(self.scores, score) / len(self.scores) if self.scores else 0.0


_DIST_TTL_S = 10.0
_dist_cache: dict[tuple[str, str], tuple[float, ScoreDistribution]] = {}
_dist_lock = threading.Lock()


def score_distribution(session: Session, assignment: str) -> ScoreDistribution:
    """The assignment's score distribution, cached for a few seconds per process.

    Reading every score on each report view costs tens of milliseconds at 10,000 submissions;
    a context plot may be ten seconds stale.
    """
    key = (str(session.get_bind().engine.url), assignment)
    now = time.monotonic()
    with _dist_lock:
        hit = _dist_cache.get(key)
        if hit is not None and now - hit[0] < _DIST_TTL_S:
            return hit[1]
    dist = ScoreDistribution(
        tuple(sorted(SubmissionRepository(session).assignment_scores(assignment)))
    )
    with _dist_lock:
        _dist_cache[key] = (now, dist)
    return dist


@dataclass(frozen=True)
class Dashboard:
    queued: int
    running: int
    awaiting_review: int
    decided: int
    failed: int
    """Rejected or errored."""
    median_to_graded_s: float | None
    median_to_decision_s: float | None
    total: int


def dashboard(session: Session) -> Dashboard:
    repo = SubmissionRepository(session)
    counts = repo.counts_by_status()
    to_graded: list[float] = []
    to_decision: list[float] = []
    decided_rows = awaiting = 0
    for status, created, graded, decided in repo.timings():
        if graded is not None:
            to_graded.append(max(0.0, (graded - created).total_seconds()))
        if decided is not None:
            decided_rows += 1
            to_decision.append(max(0.0, (decided - created).total_seconds()))
        elif status == SubmissionStatus.graded.value:
            awaiting += 1
    return Dashboard(
        queued=counts.get(SubmissionStatus.queued.value, 0),
        running=counts.get(SubmissionStatus.running.value, 0),
        awaiting_review=awaiting,
        decided=decided_rows,
        failed=counts.get(SubmissionStatus.rejected.value, 0)
        + counts.get(SubmissionStatus.error.value, 0),
        median_to_graded_s=statistics.median(to_graded) if to_graded else None,
        median_to_decision_s=statistics.median(to_decision) if to_decision else None,
        total=sum(counts.values()),
    )
