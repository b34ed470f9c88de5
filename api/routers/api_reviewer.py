"""Reviewer JSON API: submissions, reports, notes, decisions, invitations, dashboard, audit."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import (
    AdminReviewer,
    AfterCommitDep,
    ApiReviewer,
    ClockDep,
    Id,
    Inviter,
    LinksDep,
    SessionDep,
    SettingsDep,
    may_set_pay,
    shows_identity,
)
from api.openapi import errors
from harness.assignments.loader import list_assignments
from harness.audit.service import list_events
from harness.integrity.schemas import SimilarityOut
from harness.invitations.schemas import InvitationCreate
from harness.review.decisions import decide as decide_with_review
from harness.review.schemas import ReviewedDecisionCreate
from harness.reviewing import service as reviewing
from harness.reviewing import similarity as seen_similarity
from harness.reviewing.schemas import (
    DashboardWithProcess,
    InvitationCreated,
    InvitationOut,
    SubmissionWithLedger,
)
from harness.submissions import service
from harness.submissions.repository import SubmissionFilter
from harness.submissions.schemas import (
    DecisionOut,
    NoteCreate,
    NoteOut,
    SubmissionPage,
    SubmissionStatusOut,
)

router = APIRouter(prefix="/api", tags=["reviewers"], responses=errors(400, 401, 403))

StatusFilter = Literal["queued", "running", "graded", "rejected", "error"]
DecisionFilter = Literal["advance", "reject", "hold", "none"]


class AssignmentOut(BaseModel):
    name: str
    version: str
    title: str


class AuditOut(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    object_type: str
    object_id: int | None
    detail: dict[str, Any]


class Queued(BaseModel):
    id: int
    status: str


@router.get("/submissions", response_model=SubmissionPage, responses=errors(422))
def list_submissions(
    session: SessionDep,
    _: ApiReviewer,
    status: StatusFilter | None = None,
    assignment: Annotated[str | None, Query(max_length=64)] = None,
    decision: DecisionFilter | None = None,
    sort: Literal["created", "score", "graded", "id"] = "created",
    order: Literal["asc", "desc"] = "desc",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> SubmissionPage:
    return service.submission_page(
        session,
        SubmissionFilter(
            status=status,
            assignment=assignment,
            decision=decision,
            sort=sort,
            descending=order == "desc",
            limit=limit,
            offset=offset,
        ),
    )


@router.get(
    "/submissions/{submission_id}",
    response_model=SubmissionWithLedger,
    responses=errors(404, 422),
)
def get_submission(
    session: SessionDep,
    reviewer: ApiReviewer,
    settings: SettingsDep,
    clock: ClockDep,
    submission_id: Id,
) -> SubmissionWithLedger:
    return reviewing.submission_with_ledger(
        session,
        submission_id,
        clock.now(),
        target_days=settings.process_target_days,
        show_identity=shows_identity(reviewer),
        viewer=reviewer,
    )


@router.get(
    "/submissions/{submission_id}/status",
    response_model=SubmissionStatusOut,
    responses=errors(404, 422),
)
def submission_status(session: SessionDep, _: ApiReviewer, submission_id: Id) -> SubmissionStatusOut:
    """Where grading stands, without the report: the report page polls it after a regrade."""
    return service.status_of(session, submission_id)


@router.get(
    "/submissions/{submission_id}/similarity",
    response_model=SimilarityOut,
    responses=errors(404, 422),
)
def get_similarity(session: SessionDep, reviewer: ApiReviewer, submission_id: Id) -> SimilarityOut:
    """Code similarity: matches with other candidates' submissions (either way) and known
    solutions, with the shared fragments; evidence for a reviewer, never a score. Another
    reviewer's resolution is hidden while the caller's scorecard is open (blind review)."""
    return seen_similarity.similarity_for(session, submission_id, reviewer)


@router.get("/submissions/{submission_id}/reports/{report_id}", responses=errors(404, 422))
def get_report(
    session: SessionDep, _: ApiReviewer, submission_id: Id, report_id: Id
) -> dict[str, Any]:
    """One stored report (current or historical) as JSON."""
    return service.report_body(session, submission_id, report_id)


@router.post(
    "/submissions/{submission_id}/regrade",
    status_code=202,
    response_model=Queued,
    responses=errors(404, 409, 422, 429),
)
def regrade(
    session: SessionDep, reviewer: ApiReviewer, after: AfterCommitDep, submission_id: Id
) -> Queued:
    sub = service.request_regrade(session, submission_id, reviewer)
    after.enqueue(sub.id)
    return Queued(id=sub.id, status=sub.status)


@router.post(
    "/submissions/{submission_id}/notes",
    status_code=201,
    response_model=NoteOut,
    responses=errors(404, 422),
)
def add_note(
    session: SessionDep, reviewer: ApiReviewer, submission_id: Id, body: NoteCreate
) -> NoteOut:
    return service.add_note(session, submission_id, reviewer, body.body)


@router.post(
    "/submissions/{submission_id}/decision",
    status_code=201,
    response_model=DecisionOut,
    responses=errors(404, 422),
)
def decide(
    session: SessionDep,
    settings: SettingsDep,
    reviewer: ApiReviewer,
    clock: ClockDep,
    submission_id: Id,
    body: ReviewedDecisionCreate,
) -> DecisionOut:
    """Record advance/hold/reject. When the assignment asks for human review, refused (409)
    until every required scorecard is in and any disagreement is reconciled; an admin may
    override with ``override_review`` (audited). The decision keeps the scorecards and the
    combined score it rested on (``GET /api/submissions/{id}/review``)."""
    return decide_with_review(
        session,
        settings,
        submission_id,
        reviewer,
        body.outcome,
        body.reason,
        override=body.override_review,
        now=clock.now(),
    )


@router.post(
    "/submissions/{submission_id}/select", response_model=Queued, responses=errors(404, 409, 422)
)
def select(session: SessionDep, reviewer: ApiReviewer, submission_id: Id) -> Queued:
    """Make this version the one that counts for its candidate."""
    sub = service.select_version(session, submission_id, reviewer)
    return Queued(id=sub.id, status=sub.status)


@router.get("/dashboard", response_model=DashboardWithProcess)
def get_dashboard(
    session: SessionDep, _: ApiReviewer, settings: SettingsDep, clock: ClockDep
) -> DashboardWithProcess:
    return reviewing.dashboard(session, clock.now(), target_days=settings.process_target_days)


@router.get("/assignments", response_model=list[AssignmentOut])
def assignments(_: ApiReviewer, settings: SettingsDep) -> list[AssignmentOut]:
    return [
        AssignmentOut(name=a.spec.name, version=a.spec.version, title=a.spec.title)
        for a in list_assignments(settings)
    ]


@router.get("/invitations", response_model=list[InvitationOut], responses=errors(422))
def list_invitations(
    session: SessionDep,
    _: Inviter,
    clock: ClockDep,
    assignment: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[InvitationOut]:
    return reviewing.invitations(
        session, clock.now(), assignment=assignment, limit=limit, offset=offset
    )


@router.post(
    "/invitations",
    status_code=201,
    response_model=InvitationCreated,
    responses=errors(404, 422),
)
def invite(
    session: SessionDep,
    settings: SettingsDep,
    reviewer: Inviter,
    clock: ClockDep,
    links: LinksDep,
    after: AfterCommitDep,
    body: InvitationCreate,
) -> InvitationCreated:
    """Invite a candidate; the answer holds their link (shown once: only its hash is kept).

    The time box and pay terms come from the assignment; the optional fields override them for
    this candidate (pay beyond the assignment's needs the payroll or admin role: 403). The
    candidate is sent the invitation e-mail unless ``notify`` is false.
    """
    created, notice = reviewing.create_invitation(
        session,
        settings,
        body,
        actor=reviewer,
        now=clock.now(),
        link_for=links.candidate,
        may_set_pay=may_set_pay(reviewer),
    )
    after.send(notice)
    return created


@router.get("/audit", response_model=list[AuditOut], responses=errors(422))
def audit(
    session: SessionDep,
    _: AdminReviewer,
    action: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[AuditOut]:
    return [
        AuditOut(
            id=e.id,
            at=e.at.isoformat(),
            actor=e.actor_label,
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            detail=e.detail,
        )
        for e in list_events(session, limit=limit, offset=offset, action=action)
    ]
