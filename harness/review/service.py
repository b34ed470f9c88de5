"""Use cases of the scorecards: take a seat from the queue, submit a scorecard, settle a
disagreement by discussion, declare a conflict. The caller's transaction; the request commits.

When the last required scorecard of a review lands, the scorecards are compared
(``rules.disagreements``): agreement completes the review; disagreement opens a reconciliation
(a third reviewer is assigned when the assignment says ``reconcile = "third_reviewer"``). The
reconciler's scorecard, or a recorded discussion, completes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.audit import service as audit
from harness.errors import HarnessError, NotFound
from harness.review import seats as seating
from harness.review.models import (
    Reconciliation,
    ReconciliationStatus,
    Review,
    ReviewConflict,
    ReviewStatus,
    Scorecard,
    SeatKind,
    SeatStatus,
)
from harness.review.repository import ReviewRepository
from harness.review.rules import Rated, check_scorecard, criteria_from, disagreements, human_score
from harness.review.schemas import (
    ConflictOut,
    ReconciliationOut,
    ReviewEvent,
    ScorecardOut,
)
from harness.review.visibility import CONFLICT, sight
from harness.settings import Settings
from harness.submissions.models import Submission
from harness.submissions.repository import SubmissionRepository
from harness.submissions.service import get_submission
from harness.validation import InvalidInput, email_address

__all__ = [
    "Submitted",
    "claim_seat",
    "conflict_out",
    "conflict_pattern",
    "declare_conflict",
    "declare_seat_conflict",
    "get_scorecard",
    "my_conflicts",
    "reconciliation_out",
    "record_discussion",
    "scorecard_out",
    "start_review",
    "submit_scorecard",
]


def scorecard_out(card: Scorecard) -> ScorecardOut:
    return ScorecardOut(
        id=card.id,
        submission_id=card.submission_id,
        reviewer=card.reviewer.email,
        kind=card.kind,
        status=card.status,
        criteria_version=card.criteria_set.version,
        assigned_at=card.assigned_at,
        submitted_at=card.submitted_at,
        ratings=dict(card.ratings or {}),
        recommendation=card.recommendation,
        comments=card.comments or "",
        human_score=card.human_score,
    )


def reconciliation_out(row: Reconciliation) -> ReconciliationOut:
    return ReconciliationOut(
        status=row.status,
        reasons=list(row.reasons or []),
        method=row.method,
        note=row.note or "",
        agreed_recommendation=row.agreed_recommendation,
        opened_at=row.opened_at,
        resolved_at=row.resolved_at,
    )


def _review(session: Session, submission_id: int) -> tuple[Submission, Review]:
    sub = get_submission(session, submission_id)
    review = ReviewRepository(session).review_of(sub.id)
    if review is None:
        raise NotFound(
            f"submission {sub.id} has no human review (its assignment has none, it is not "
            "graded yet, or a newer version is being reviewed)"
        )
    return sub, review


def start_review(
    session: Session, settings: Settings, submission_id: int, actor: Reviewer, *, now: datetime
) -> list[ScorecardOut]:
    """Open the submission's review if needed and fill its empty seats automatically (admins;
    the same as when grading finishes)."""
    sub = get_submission(session, submission_id)
    review = seating.open_review(session, settings, sub.id, now=now)
    if review is None:
        raise seating.ReviewConflictError(
            f"submission {sub.id} cannot be reviewed: its assignment has no [review], it is "
            "not graded, it is not the latest version, or its candidate has a decision"
        )
    seating.fill_seats(session, review, sub, now=now)
    audit.record(session, "review.start", actor=actor, object_type="submission", object_id=sub.id)
    return [scorecard_out(s) for s in ReviewRepository(session).seats(sub.id)]


def claim_seat(
    session: Session, submission_id: int, reviewer: Reviewer, *, now: datetime
) -> ScorecardOut:
    """Take an empty seat of the submission's review (the review queue)."""
    sub, review = _review(session, submission_id)
    return scorecard_out(seating.take_seat(session, review, sub, reviewer, now=now))


def get_scorecard(session: Session, scorecard_id: int, viewer: Reviewer) -> ScorecardOut:
    """One scorecard: one's own always; another's only when blind review allows it."""
    repo = ReviewRepository(session)
    card = repo.scorecard(scorecard_id)
    if card is None:
        raise NotFound(f"scorecard {scorecard_id} does not exist")
    if card.reviewer_id != viewer.id:
        view = sight(repo.review_of(card.submission_id), repo.seats(card.submission_id), viewer.id)
        if not view.sees_others:
            raise HarnessError(view.reason, status_code=403)
    return scorecard_out(card)


def _automated(session: Session, sub: Submission) -> tuple[float | None, dict[str, float]]:
    """The automated overall and per-grader scores of the submission's current report."""
    record = SubmissionRepository(session).current_report(sub.id)
    body: dict[str, Any] = record.body if record is not None else {}
    graders = {
        str(g.get("name")): float(g["score"])
        for g in body.get("graders", [])
        if isinstance(g, dict) and isinstance(g.get("score"), int | float)
    }
    overall = (body.get("overall") or {}).get("score")
    return (float(overall) if isinstance(overall, int | float) else None), graders


@dataclass(frozen=True)
class Submitted:
    scorecard: ScorecardOut
    event: ReviewEvent | None
    """``review.scorecards_complete`` when this was the last required scorecard."""
    assignment: str
    """The submission's assignment (whose calibration figures may have changed)."""


def submit_scorecard(
    session: Session,
    settings: Settings,
    submission_id: int,
    reviewer: Reviewer,
    *,
    ratings: dict[str, Any],
    recommendation: str,
    comments: str,
    now: datetime,
) -> Submitted:
    """Submit the reviewer's scorecard on the submission; final once submitted."""
    sub, review = _review(session, submission_id)
    repo = ReviewRepository(session)
    card = next((s for s in repo.seats(sub.id) if s.reviewer_id == reviewer.id), None)
    if card is None:
        raise HarnessError(
            "you have no seat on this submission: take one from the review queue",
            status_code=403,
        )
    if card.status != SeatStatus.assigned.value:
        raise seating.ReviewConflictError(f"your scorecard here is {card.status}; it cannot change")
    criteria = criteria_from(review.criteria_set.criteria)
    try:
        levels = check_scorecard(criteria, ratings, recommendation)
    except ValueError as exc:
        raise HarnessError(str(exc), status_code=422) from None
    comments = comments.strip()
    if len(comments) > 10_000:
        raise HarnessError("comments are limited to 10,000 characters", status_code=422)
    card.ratings, card.recommendation, card.comments = levels, recommendation, comments
    card.human_score = human_score(criteria, levels)
    card.automated_overall, card.automated_graders = _automated(session, sub)
    card.status, card.submitted_at = SeatStatus.submitted.value, now
    session.flush()
    audit.record(
        session,
        "scorecard.submit",
        actor=reviewer,
        object_type="submission",
        object_id=sub.id,
        scorecard=card.id,
        recommendation=recommendation,
    )
    event = _after_submission(session, settings, review, sub, card, now)
    return Submitted(scorecard_out(card), event, sub.assignment_name)


def _after_submission(
    session: Session,
    settings: Settings,
    review: Review,
    sub: Submission,
    card: Scorecard,
    now: datetime,
) -> ReviewEvent | None:
    seats = list(ReviewRepository(session).seats(sub.id))
    if review.status == ReviewStatus.reconciling.value and card.kind == SeatKind.reconciler.value:
        _resolve(session, sub.id, method="third_reviewer", by=card.reviewer_id, now=now)
        _complete(review, now)
        return None
    independent = [s for s in seats if s.kind == SeatKind.independent.value]
    done = [s for s in independent if s.status == SeatStatus.submitted.value]
    if review.status != ReviewStatus.open.value or len(done) < review.required:
        return None
    spec = seating.review_spec(settings, sub.assignment_name)
    criteria = criteria_from(review.criteria_set.criteria)
    reasons = disagreements(
        criteria,
        [Rated(f"scorecard {s.seat}", s.ratings, s.recommendation or "") for s in done],
        levels_apart=spec.disagreement_levels if spec else 2,
    )
    seating.withdraw_open_seats(session, sub.id, "enough scorecards")
    if reasons:
        review.status = ReviewStatus.reconciling.value
        session.add(Reconciliation(submission_id=sub.id, reasons=reasons, opened_at=now))
        session.flush()
        audit.record(
            session,
            "review.disagreement",
            actor="system",
            object_type="submission",
            object_id=sub.id,
            reasons=reasons,
        )
        if spec is None or spec.reconcile == "third_reviewer":
            seating.fill_seats(session, review, sub, now=now)
    else:
        _complete(review, now)
    return ReviewEvent(
        event="review.scorecards_complete",
        data={
            "submission_id": sub.id,
            "invitation_id": sub.invitation_id,
            "assignment": sub.assignment_name,
            "scorecards": len(done),
            "needs_reconciliation": bool(reasons),
            "disagreements": reasons,
            "criteria_version": review.criteria_set.version,
        },
    )


def _complete(review: Review, now: datetime) -> None:
    review.status = ReviewStatus.complete.value
    review.completed_at = now


def _resolve(
    session: Session, submission_id: int, *, method: str, by: int | None, now: datetime
) -> Reconciliation | None:
    row = ReviewRepository(session).open_reconciliation(submission_id)
    if row is not None:
        row.status = ReconciliationStatus.resolved.value
        row.method, row.resolved_by_id, row.resolved_at = method, by, now
    return row


def record_discussion(
    session: Session,
    submission_id: int,
    reviewer: Reviewer,
    *,
    note: str,
    recommendation: str | None,
    now: datetime,
) -> ReconciliationOut:
    """Settle a disagreement by a recorded discussion. Only a reviewer who submitted a
    scorecard on the submission may record it (they are the ones who disagreed)."""
    sub, review = _review(session, submission_id)
    repo = ReviewRepository(session)
    if review.status != ReviewStatus.reconciling.value:
        raise seating.ReviewConflictError("this review has no disagreement to reconcile")
    mine = next((s for s in repo.seats(sub.id) if s.reviewer_id == reviewer.id), None)
    if mine is None or mine.status != SeatStatus.submitted.value:
        raise HarnessError(
            "only reviewers who submitted a scorecard here can record their discussion",
            status_code=403,
        )
    note = note.strip()
    if not note or len(note) > 10_000:
        raise HarnessError("describe the discussion in 1 to 10,000 characters", status_code=422)
    seating.withdraw_open_seats(session, sub.id, "settled by discussion")
    row = _resolve(session, sub.id, method="discussion", by=reviewer.id, now=now)
    assert row is not None  # a reconciling review always has an open reconciliation
    row.note, row.agreed_recommendation = note, recommendation
    _complete(review, now)
    audit.record(
        session,
        "review.discussion",
        actor=reviewer,
        object_type="submission",
        object_id=sub.id,
        recommendation=recommendation,
    )
    return reconciliation_out(row)


def conflict_out(row: ReviewConflict) -> ConflictOut:
    return ConflictOut(
        id=row.id, email_pattern=row.email_pattern, reason=row.reason, created_at=row.created_at
    )


def my_conflicts(session: Session, reviewer: Reviewer) -> list[ConflictOut]:
    return [conflict_out(c) for c in ReviewRepository(session).conflicts_of(reviewer.id)]


def _release(session: Session, settings: Settings, card: Scorecard, now: datetime) -> None:
    """Give up an open seat for a conflict and hand it to someone else."""
    card.status = SeatStatus.withdrawn.value
    card.withdrawn_reason = f"{CONFLICT} declared"
    repo = ReviewRepository(session)
    review = repo.review_of(card.submission_id)
    sub = get_submission(session, card.submission_id)
    spec = seating.review_spec(settings, sub.assignment_name)
    if review is not None and (spec is None or spec.assign == "auto"):
        seating.fill_seats(session, review, sub, now=now)


def conflict_pattern(text: str) -> str:
    """An address or ``@domain`` to avoid, checked by the one validation layer (issue 11) and
    normalised as invitations store addresses, so the pattern matches what candidates hold."""
    pattern = text.strip().lower() if isinstance(text, str) else ""
    try:
        if pattern.startswith("@"):
            return "@" + email_address("x" + pattern).partition("@")[2]
        return email_address(pattern)
    except InvalidInput:
        raise HarnessError(
            "give an e-mail address (ada@example.com) or a domain (@example.com)", status_code=422
        ) from None


def declare_conflict(
    session: Session,
    settings: Settings,
    reviewer: Reviewer,
    *,
    email: str,
    reason: str,
    now: datetime,
) -> ConflictOut:
    """Never review anyone at this address (``ada@example.com``) or domain (``@example.com``).
    Open seats on matching candidates are given up and reassigned."""
    pattern = conflict_pattern(email)
    row = ReviewConflict(reviewer_id=reviewer.id, email_pattern=pattern, reason=reason.strip())
    session.add(row)
    session.flush()
    repo = ReviewRepository(session)
    for card in repo.my_open_seats(reviewer.id):
        sub = get_submission(session, card.submission_id)
        if reviewer.id in repo.conflicted_reviewers(repo.candidate_of(sub)):
            _release(session, settings, card, now)
    audit.record(
        session,
        "review.conflict",
        actor=reviewer,
        object_type="reviewer",
        object_id=reviewer.id,
        pattern=pattern,
    )
    return conflict_out(row)


def declare_seat_conflict(
    session: Session,
    settings: Settings,
    submission_id: int,
    reviewer: Reviewer,
    *,
    reason: str,
    now: datetime,
) -> ConflictOut:
    """The reviewer recognises this candidate: the seat goes to someone else, and they are never
    assigned this candidate again (the candidate stays anonymous to them)."""
    sub, _ = _review(session, submission_id)
    repo = ReviewRepository(session)
    card = next((s for s in repo.seats(sub.id) if s.reviewer_id == reviewer.id), None)
    if card is None or card.status != SeatStatus.assigned.value:
        raise seating.ReviewConflictError("you hold no open seat on this submission")
    row = ReviewConflict(
        reviewer_id=reviewer.id, candidate_id=repo.candidate_of(sub).id, reason=reason.strip()
    )
    session.add(row)
    session.flush()
    _release(session, settings, card, now)
    audit.record(
        session, "review.conflict", actor=reviewer, object_type="submission", object_id=sub.id
    )
    return conflict_out(row)
