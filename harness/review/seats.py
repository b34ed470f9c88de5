"""Opening a submission's review and filling its seats.

Automatic assignment takes the active reviewers (role ``reviewer``) who never sat on this
submission and declared no conflict with its candidate, and gives each empty seat to the one
with the fewest open seats (ties: fewest seats ever held, then the oldest account). Seats are
numbered and unique per submission, so two assigners racing cannot fill more than asked.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.assignments.loader import load_assignment
from harness.assignments.review_spec import ReviewSpec
from harness.audit import service as audit
from harness.errors import HarnessError
from harness.review.models import (
    CriteriaSet,
    Review,
    ReviewStatus,
    Scorecard,
    SeatKind,
    SeatStatus,
)
from harness.review.repository import ReviewRepository
from harness.settings import Settings
from harness.submissions.models import Submission, SubmissionStatus
from harness.submissions.repository import SubmissionRepository

__all__ = [
    "ReviewConflictError",
    "fill_seats",
    "needed_seats",
    "open_review",
    "review_spec",
    "withdraw_open_seats",
]

log = logging.getLogger(__name__)

_SPEC_TTL_S = 10.0
_spec_cache: dict[tuple[str, str], tuple[float, ReviewSpec | None]] = {}
_spec_lock = threading.Lock()


class ReviewConflictError(HarnessError):
    """The review is not in a state that allows this (a seat taken, a review settled)."""

    status_code = 409


def review_spec(settings: Settings, assignment: str) -> ReviewSpec | None:
    """The assignment's ``[review]`` table (None without one, or for an assignment that is
    gone), cached a few seconds per process: pages read it on every view."""
    key = (str(settings.assignments_dir), assignment)
    now = time.monotonic()
    with _spec_lock:
        hit = _spec_cache.get(key)
        if hit is not None and now - hit[0] < _SPEC_TTL_S:
            return hit[1]
    try:
        spec = load_assignment(assignment, settings).spec.review
    except HarnessError:
        spec = None
    with _spec_lock:
        _spec_cache[key] = (now, spec)
    return spec


def _criteria_set(session: Session, assignment: str, spec: ReviewSpec) -> CriteriaSet:
    repo = ReviewRepository(session)
    found = repo.criteria_set(assignment, spec.criteria_version)
    if found is None:
        found = CriteriaSet(
            assignment_name=assignment,
            version=spec.criteria_version,
            criteria=spec.criteria_payload(),
        )
        session.add(found)
        session.flush()
    return found


def withdraw_open_seats(session: Session, submission_id: int, reason: str) -> int:
    """Withdraw the seats nobody submitted yet; returns how many."""
    n = 0
    for seat in ReviewRepository(session).seats(submission_id):
        if seat.status == SeatStatus.assigned.value:
            seat.status = SeatStatus.withdrawn.value
            seat.withdrawn_reason = reason
            n += 1
    return n


def _supersede_older(session: Session, submission: Submission) -> None:
    """A newer graded version takes over: older versions' unsettled reviews close."""
    for older in ReviewRepository(session).unsettled_reviews_of_invitation(
        submission.invitation_id
    ):
        if older.submission_id != submission.id:
            older.status = ReviewStatus.closed.value
            withdraw_open_seats(session, older.submission_id, "a newer version was graded")


def open_review(
    session: Session, settings: Settings, submission_id: int, *, now: datetime
) -> Review | None:
    """Open the review of a graded submission (once) and, for ``assign = "auto"``, fill its
    seats. None when its assignment has no ``[review]``, it is not graded, it is not the
    latest version, or its candidate already has a decision."""
    sub = SubmissionRepository(session).get(submission_id)
    if sub is None or sub.status != SubmissionStatus.graded.value:
        return None
    spec = review_spec(settings, sub.assignment_name)
    repo = ReviewRepository(session)
    if spec is None:
        return None
    existing = repo.review_of(sub.id)
    if existing is not None:
        return existing
    latest = SubmissionRepository(session).latest_id(sub.invitation_id)
    if latest != sub.id or repo.invitation_decided(sub.invitation_id):
        return None
    _supersede_older(session, sub)
    review = Review(
        submission_id=sub.id,
        assignment_name=sub.assignment_name,
        criteria_set=_criteria_set(session, sub.assignment_name, spec),
        required=spec.scorecards,
        status=ReviewStatus.open.value,
        opened_at=now,
    )
    session.add(review)
    session.flush()
    audit.record(
        session,
        "review.open",
        actor="system",
        object_type="submission",
        object_id=sub.id,
        required=spec.scorecards,
        criteria=spec.criteria_version,
    )
    if spec.assign == "auto":
        fill_seats(session, review, sub, now=now)
    return review


def needed_seats(review: Review, seats: list[Scorecard]) -> tuple[SeatKind, int]:
    """Which kind of seat the review wants now and how many are empty."""
    active = [s for s in seats if s.status != SeatStatus.withdrawn.value]
    if review.status == ReviewStatus.reconciling.value:
        taken = sum(1 for s in active if s.kind == SeatKind.reconciler.value)
        return SeatKind.reconciler, max(0, 1 - taken)
    if review.status == ReviewStatus.open.value:
        taken = sum(1 for s in active if s.kind == SeatKind.independent.value)
        return SeatKind.independent, max(0, review.required - taken)
    return SeatKind.independent, 0


def _seat(
    review: Review,
    sub: Submission,
    reviewer: Reviewer,
    number: int,
    kind: SeatKind,
    by: str,
    now: datetime,
) -> Scorecard:
    return Scorecard(
        submission_id=sub.id,
        reviewer_id=reviewer.id,
        reviewer=reviewer,
        assignment_name=sub.assignment_name,
        criteria_set_id=review.criteria_set_id,
        seat=number,
        kind=kind.value,
        status=SeatStatus.assigned.value,
        assigned_by=by,
        assigned_at=now,
    )


def _flush_seats(session: Session, seats: list[Scorecard]) -> None:
    """Add seats in a savepoint: a concurrent assigner that took the same seat number (or put
    the same reviewer on it) makes this a clear 409 instead of a failed transaction."""
    try:
        with session.begin_nested():
            session.add_all(seats)
            session.flush()
    except IntegrityError:
        raise ReviewConflictError(
            "someone else filled this seat at the same moment; reload and try again"
        ) from None


def fill_seats(
    session: Session, review: Review, sub: Submission, *, now: datetime
) -> list[Scorecard]:
    """Give the review's empty seats to the least-loaded eligible reviewers (see the module)."""
    repo = ReviewRepository(session)
    seats = list(repo.seats(sub.id))
    kind, wanted = needed_seats(review, seats)
    if wanted == 0:
        return []
    seated = {s.reviewer_id for s in seats}
    conflicted = repo.conflicted_reviewers(repo.candidate_of(sub))
    pool = [r for r in repo.reviewers_for_auto() if r.id not in seated | conflicted]
    open_load, total = repo.open_load(), repo.total_load()
    pool.sort(key=lambda r: (open_load.get(r.id, 0), total.get(r.id, 0), r.id))
    number = max((s.seat for s in seats), default=0) + 1
    created = [
        _seat(review, sub, reviewer, number + i, kind, "auto", now)
        for i, reviewer in enumerate(pool[:wanted])
    ]
    if created:
        _flush_seats(session, created)
        audit.record(
            session,
            "review.assign",
            actor="system",
            object_type="submission",
            object_id=sub.id,
            reviewers=[c.reviewer_id for c in created],
            kind=kind.value,
        )
    if len(created) < wanted:
        log.info(
            "submission %s: %d %s seat(s) left for the queue",
            sub.id,
            wanted - len(created),
            kind.value,
        )
    return created


def take_seat(
    session: Session, review: Review, sub: Submission, reviewer: Reviewer, *, now: datetime
) -> Scorecard:
    """``reviewer`` takes an empty seat from the queue."""
    repo = ReviewRepository(session)
    seats = list(repo.seats(sub.id))
    kind, wanted = needed_seats(review, seats)
    if any(s.reviewer_id == reviewer.id for s in seats):
        raise ReviewConflictError("you already have (or had) a seat on this submission")
    if reviewer.id in repo.conflicted_reviewers(repo.candidate_of(sub)):
        raise ReviewConflictError("you declared a conflict with this candidate")
    if wanted == 0:
        raise ReviewConflictError("this submission needs no more reviewers")
    number = max((s.seat for s in seats), default=0) + 1
    seat = _seat(review, sub, reviewer, number, kind, "queue", now)
    _flush_seats(session, [seat])
    audit.record(
        session,
        "review.claim",
        actor=reviewer,
        object_type="submission",
        object_id=sub.id,
        kind=kind.value,
    )
    return seat
