"""Human review API: the queue, seats, blind scorecards, reconciliation, conflicts, agreement
figures, feedback on findings and the CSV exports (reviewer token, or the session cookie)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import (
    AdminReviewer,
    AfterCommitDep,
    ApiReviewer,
    ClockDep,
    Id,
    SessionDep,
    SettingsDep,
)
from api.openapi import errors
from harness.review import calibration, decisions, export, feedback, queue
from harness.review import service as review
from harness.review.schemas import (
    AgreementOut,
    ConflictCreate,
    ConflictOut,
    DiscussionCreate,
    FeedbackCreate,
    FeedbackOut,
    ReconciliationOut,
    ReviewOut,
    ReviewQueue,
    ScorecardCreate,
    ScorecardOut,
    SeatConflictCreate,
)

router = APIRouter(
    prefix="/api", tags=["review"], responses=errors(400, 401, 403, 404, 409, 422)
)
_CSV: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A CSV export (an attachment).",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}

Assignment = Annotated[str, Query(min_length=1, max_length=64)]
Version = Annotated[str | None, Query(max_length=20)]


def _csv(text: str, name: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/review/queue", response_model=ReviewQueue)
def review_queue(session: SessionDep, reviewer: ApiReviewer) -> ReviewQueue:
    """Seats you hold and have not submitted, and empty seats you may take."""
    return queue.review_queue(session, reviewer)


@router.get("/submissions/{submission_id}/review", response_model=ReviewOut)
def get_review(
    session: SessionDep, settings: SettingsDep, reviewer: ApiReviewer, submission_id: Id
) -> ReviewOut:
    """The submission's review as you may see it: while your own scorecard is open (or
    reviewers are still scoring), other scorecards, the combined score and the decision are
    withheld and ``blind`` says why."""
    return decisions.review_out(session, settings, submission_id, reviewer)


@router.post(
    "/submissions/{submission_id}/review/start", status_code=201, response_model=list[ScorecardOut]
)
def start_review(
    session: SessionDep,
    settings: SettingsDep,
    admin: AdminReviewer,
    clock: ClockDep,
    submission_id: Id,
) -> list[ScorecardOut]:
    """Admins: open the review now and fill its empty seats automatically (this happens by
    itself when grading finishes). Answers with the seats (reviewers' e-mails, no ratings)."""
    return review.start_review(session, settings, submission_id, admin, now=clock.now())


@router.post(
    "/submissions/{submission_id}/scorecards/claim", status_code=201, response_model=ScorecardOut
)
def claim(
    session: SessionDep, reviewer: ApiReviewer, clock: ClockDep, submission_id: Id
) -> ScorecardOut:
    """Take an empty seat of the submission's review (the queue)."""
    return review.claim_seat(session, submission_id, reviewer, now=clock.now())


@router.post("/submissions/{submission_id}/scorecard", response_model=ScorecardOut)
def submit(
    session: SessionDep,
    settings: SettingsDep,
    reviewer: ApiReviewer,
    clock: ClockDep,
    after: AfterCommitDep,
    submission_id: Id,
    body: ScorecardCreate,
) -> ScorecardOut:
    """Submit your scorecard on the submission (final). The last required one sends the
    ``review.scorecards_complete`` webhook event."""
    done = review.submit_scorecard(
        session,
        settings,
        submission_id,
        reviewer,
        ratings=dict(body.ratings),
        recommendation=body.recommendation,
        comments=body.comments,
        now=clock.now(),
    )
    if done.event is not None:
        after.webhook(done.event.event, done.event.data)
    after.refresh_calibration(done.assignment)
    return done.scorecard


@router.get("/scorecards/{scorecard_id}", response_model=ScorecardOut)
def get_scorecard(session: SessionDep, reviewer: ApiReviewer, scorecard_id: Id) -> ScorecardOut:
    """One scorecard: yours, or another's once blind review lets you see it (else 403)."""
    return review.get_scorecard(session, scorecard_id, reviewer)


@router.post("/submissions/{submission_id}/reconciliation", response_model=ReconciliationOut)
def reconcile(
    session: SessionDep,
    reviewer: ApiReviewer,
    clock: ClockDep,
    submission_id: Id,
    body: DiscussionCreate,
) -> ReconciliationOut:
    """Settle the reviewers' disagreement by a recorded discussion (reviewers who submitted a
    scorecard on it)."""
    return review.record_discussion(
        session,
        submission_id,
        reviewer,
        note=body.note,
        recommendation=body.recommendation,
        now=clock.now(),
    )


@router.post("/submissions/{submission_id}/conflict", status_code=201, response_model=ConflictOut)
def seat_conflict(
    session: SessionDep,
    settings: SettingsDep,
    reviewer: ApiReviewer,
    clock: ClockDep,
    submission_id: Id,
    body: SeatConflictCreate,
) -> ConflictOut:
    """You recognise this candidate: give up your open seat (it is reassigned) and never be
    assigned them again. The candidate stays anonymous to you."""
    return review.declare_seat_conflict(
        session, settings, submission_id, reviewer, reason=body.reason, now=clock.now()
    )


@router.get("/review/conflicts", response_model=list[ConflictOut])
def conflicts(session: SessionDep, reviewer: ApiReviewer) -> list[ConflictOut]:
    return review.my_conflicts(session, reviewer)


@router.post("/review/conflicts", status_code=201, response_model=ConflictOut)
def declare_conflict(
    session: SessionDep,
    settings: SettingsDep,
    reviewer: ApiReviewer,
    clock: ClockDep,
    body: ConflictCreate,
) -> ConflictOut:
    """Never be assigned anyone at this address or domain (``@example.com``)."""
    return review.declare_conflict(
        session, settings, reviewer, email=body.email, reason=body.reason, now=clock.now()
    )


@router.post(
    "/submissions/{submission_id}/findings/feedback", status_code=201, response_model=FeedbackOut
)
def mark_finding(
    session: SessionDep,
    reviewer: ApiReviewer,
    clock: ClockDep,
    submission_id: Id,
    body: FeedbackCreate,
) -> FeedbackOut:
    """Mark an automated finding of the current report as confirmed, wrong or unhelpful."""
    return feedback.mark_finding(
        session,
        submission_id,
        reviewer,
        grader=body.grader,
        index=body.index,
        verdict=body.verdict,
        reason=body.reason,
        now=clock.now(),
    )


@router.get("/review/agreement", response_model=AgreementOut)
def agreement(
    session: SessionDep,
    settings: SettingsDep,
    _: AdminReviewer,
    assignment: Assignment,
    version: Version = None,
) -> AgreementOut:
    """Admins: inter-rater agreement (Krippendorff's alpha), reviewers' offsets, machine against
    people, and each finding rule's precision, over settled reviews."""
    return calibration.agreement(session, settings, assignment, version)


@router.get("/scorecards.csv", response_class=Response, responses=_CSV)
def scorecards_csv(
    session: SessionDep,
    _: AdminReviewer,
    assignment: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Admins: every submitted scorecard, one row per criterion."""
    return _csv(export.scorecards_csv(session, assignment), "scorecards.csv")


@router.get("/findings/feedback.csv", response_class=Response, responses=_CSV)
def feedback_csv(session: SessionDep, _: AdminReviewer) -> Response:
    """Admins: every mark on a finding."""
    return _csv(export.feedback_csv(session), "finding-feedback.csv")
