"""Reviewer JSON API: submissions, reports, notes, decisions, invitations, dashboard, audit."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Query, Request
from pydantic import BaseModel

from api import views
from api.deps import (
    AdminReviewer,
    ApiReviewer,
    DatabaseDep,
    DispatcherDep,
    Id,
    SessionDep,
    SettingsDep,
)
from api.routers.ledger_common import (
    ClockDep,
    NotifierDep,
    send_after_commit,
    shows_identity,
    with_timebox,
)
from harness.assignments.loader import list_assignments, load_assignment
from harness.audit.service import list_events
from harness.errors import NotFound
from harness.invitations.repository import InvitationRepository
from harness.invitations.schemas import InvitationCreate, InvitationCreated, InvitationOut
from harness.invitations.service import create_invitation
from harness.ledger.notices import invitation_notice
from harness.ledger.schemas import LedgerOut, ProcessOut
from harness.ledger.timelines import process_overview
from harness.ledger.views import ledger_out, process_out
from harness.submissions import service
from harness.submissions.repository import SubmissionFilter, SubmissionRepository
from harness.submissions.schemas import (
    DashboardOut,
    DecisionCreate,
    DecisionOut,
    NoteCreate,
    NoteOut,
    SubmissionDetail,
    SubmissionPage,
)

router = APIRouter(prefix="/api", tags=["reviewers"])

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


class SubmissionWithLedger(SubmissionDetail):
    ledger: LedgerOut
    """The time box of the candidate's invitation: clock, deadline, extensions (with their
    reasons), hours measured and reported, the payment, and the process timeline."""


class DashboardWithProcess(DashboardOut):
    process: ProcessOut
    """Median time per step of the hiring process, and candidates heading past the target."""


@router.get("/submissions", response_model=SubmissionPage)
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
    repo = SubmissionRepository(session)
    items, total = repo.search(
        SubmissionFilter(
            status=status,
            assignment=assignment,
            decision=decision,
            sort=sort,
            descending=order == "desc",
            limit=limit,
            offset=offset,
        )
    )
    decisions = repo.decisions_for(sorted({s.invitation_id for s in items}))
    return SubmissionPage(
        items=[views.summary(s, decisions.get(s.invitation_id)) for s in items],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/submissions/{submission_id}", response_model=SubmissionWithLedger)
def get_submission(
    session: SessionDep,
    reviewer: ApiReviewer,
    settings: SettingsDep,
    clock: ClockDep,
    submission_id: Id,
) -> SubmissionWithLedger:
    sub = service.get_submission(session, submission_id)
    repo = SubmissionRepository(session)
    detail = views.detail(sub, repo.current_report(sub.id), repo.report_history(sub.id))
    return SubmissionWithLedger(
        **detail.model_dump(),
        ledger=ledger_out(
            session,
            sub,
            clock.now(),
            target_days=settings.process_target_days,
            show_identity=shows_identity(reviewer),
        ),
    )


@router.get("/submissions/{submission_id}/reports/{report_id}")
def get_report(
    session: SessionDep, _: ApiReviewer, submission_id: Id, report_id: Id
) -> dict[str, Any]:
    """One stored report (current or historical) as JSON."""
    for record in SubmissionRepository(session).report_history(submission_id):
        if record.id == report_id:
            return record.body
    raise NotFound(f"submission {submission_id} has no report {report_id}")


@router.post("/submissions/{submission_id}/regrade", status_code=202, response_model=Queued)
def regrade(
    session: SessionDep,
    reviewer: ApiReviewer,
    dispatcher: DispatcherDep,
    background: BackgroundTasks,
    submission_id: Id,
) -> Queued:
    sub = service.get_submission(session, submission_id)
    service.request_regrade(session, sub, reviewer)
    background.add_task(dispatcher.enqueue, sub.id)  # runs after the commit
    return Queued(id=sub.id, status=sub.status)


@router.post("/submissions/{submission_id}/notes", status_code=201, response_model=NoteOut)
def add_note(
    session: SessionDep, reviewer: ApiReviewer, submission_id: Id, body: NoteCreate
) -> NoteOut:
    sub = service.get_submission(session, submission_id)
    note = service.add_note(session, sub, reviewer, body.body)
    return NoteOut(id=note.id, author=reviewer.email, body=note.body, created_at=note.created_at)


@router.post("/submissions/{submission_id}/decision", status_code=201, response_model=DecisionOut)
def decide(
    session: SessionDep, reviewer: ApiReviewer, submission_id: Id, body: DecisionCreate
) -> DecisionOut:
    sub = service.get_submission(session, submission_id)
    d = service.record_decision(session, sub, reviewer, body.outcome, body.reason)
    return DecisionOut(
        id=d.id,
        outcome=d.outcome,
        reason=d.reason,
        reviewer=reviewer.email,
        submission_id=d.submission_id,
        created_at=d.created_at,
    )


@router.post("/submissions/{submission_id}/select", response_model=Queued)
def select(session: SessionDep, reviewer: ApiReviewer, submission_id: Id) -> Queued:
    """Make this version the one that counts for its candidate."""
    sub = service.get_submission(session, submission_id)
    service.select_version(session, sub, reviewer)
    return Queued(id=sub.id, status=sub.status)


@router.get("/dashboard", response_model=DashboardWithProcess)
def get_dashboard(
    session: SessionDep, _: ApiReviewer, settings: SettingsDep, clock: ClockDep
) -> DashboardWithProcess:
    d = service.dashboard(session)
    overview = process_overview(session, clock.now(), target_days=settings.process_target_days)
    return DashboardWithProcess(**d.__dict__, process=process_out(session, overview))


@router.get("/assignments", response_model=list[AssignmentOut])
def assignments(_: ApiReviewer, settings: SettingsDep) -> list[AssignmentOut]:
    return [
        AssignmentOut(name=a.spec.name, version=a.spec.version, title=a.spec.title)
        for a in list_assignments(settings)
    ]


@router.get("/invitations", response_model=list[InvitationOut])
def list_invitations(
    session: SessionDep,
    _: ApiReviewer,
    clock: ClockDep,
    assignment: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[InvitationOut]:
    rows = InvitationRepository(session).list(assignment=assignment, limit=limit, offset=offset)
    now = clock.now()
    return [with_timebox(session, i, now) for i in rows]


def candidate_link(request: Request, token: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/c/{token}"


@router.post("/invitations", status_code=201, response_model=InvitationCreated)
def invite(
    request: Request,
    session: SessionDep,
    db: DatabaseDep,
    settings: SettingsDep,
    reviewer: ApiReviewer,
    clock: ClockDep,
    notifier: NotifierDep,
    background: BackgroundTasks,
    body: InvitationCreate,
) -> InvitationCreated:
    """Invite a candidate; the answer holds their link (shown once: only its hash is kept).

    The time box and pay terms come from the assignment; the optional fields override them for
    this candidate. The candidate is sent the invitation e-mail unless ``notify`` is false.
    """
    assignment = load_assignment(body.assignment, settings)
    now = clock.now()
    inv, token = create_invitation(
        session,
        assignment.spec,
        name=body.name,
        email=body.email,
        actor=reviewer,
        anonymous_review=body.anonymous_review,
        terms=body.terms(),
        now=now,
    )
    session.flush()
    session.refresh(inv)
    link = candidate_link(request, token)
    if body.notify:
        notice = invitation_notice(inv, link, title=assignment.spec.title)
        send_after_commit(background, db, notifier, clock, notice)
    out = with_timebox(session, inv, now)
    return InvitationCreated(**out.model_dump(), link=link, token=token)


@router.get("/audit", response_model=list[AuditOut])
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
