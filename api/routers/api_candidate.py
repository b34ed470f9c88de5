"""Candidate JSON API: authenticated by the token in the link, never by a cookie."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Body, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api import views
from api.deps import (
    CandidateInvitation,
    DatabaseDep,
    DispatcherDep,
    Forbidden,
    Id,
    SessionDep,
    SettingsDep,
    Token_,
)
from api.routers.ledger_common import (
    ClockDep,
    NotifierDep,
    base_url,
    format_late,
    send_after_commit,
)
from api.uploads import UploadedFile, receive_upload
from harness.assignments.loader import load_assignment
from harness.db.engine import Database
from harness.errors import NotFound
from harness.invitations.service import invitation_for_token
from harness.ledger import service as ledger
from harness.ledger.clock import Clock
from harness.ledger.notices import receipt_notice
from harness.ledger.schemas import StartIn, TimeBoxOut
from harness.ledger.views import timebox_out
from harness.notify.messages import Notification
from harness.settings import Settings
from harness.submissions.repository import SubmissionRepository
from harness.submissions.schemas import CandidateSubmission, SubmissionAccepted
from harness.submissions.service import accept_upload, parse_hours

router = APIRouter(prefix="/api/c/{token}", tags=["candidates"])

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "The submission: a .zip or .tar.gz archive.",
                        },
                        "hours": {
                            "type": "string",
                            "description": "Hours you spent (optional), e.g. 4.5",
                        },
                    },
                }
            }
        },
    }
}


class CandidateHome(BaseModel):
    assignment: str
    title: str
    submissions: list[CandidateSubmission]
    timebox: TimeBoxOut | None = None
    """The clock: start the time box with ``POST /api/c/{token}/start`` before uploading."""


class UploadAccepted(SubmissionAccepted):
    late: bool
    """Arrived after the deadline; kept (the assignment accepts late work) and marked late."""
    late_by_seconds: int | None
    deadline_at: datetime | None
    message: str
    """What to tell the candidate about this upload."""


def _show_scores(settings: Settings, assignment_name: str) -> bool:
    try:
        return load_assignment(assignment_name, settings).spec.policy.show_scores_to_candidate
    except Exception:
        return False


@router.get("", response_model=CandidateHome)
def home(invitation: CandidateInvitation, settings: SettingsDep, clock: ClockDep) -> CandidateHome:
    assignment = load_assignment(invitation.assignment_name, settings)
    show = assignment.spec.policy.show_scores_to_candidate
    return CandidateHome(
        assignment=assignment.spec.name,
        title=assignment.spec.title,
        submissions=[views.candidate_view(s, show_scores=show) for s in invitation.submissions],
        timebox=timebox_out(invitation, clock.now(), assignment.spec.policy),
    )


@router.post("/start", response_model=TimeBoxOut)
def start(
    invitation: CandidateInvitation,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    body: Annotated[StartIn | None, Body()] = None,
) -> TimeBoxOut:
    """Start the clock of the time box (idempotent: a second call changes nothing).

    Uploads are refused until the clock runs. Answers 409 once the window to start has closed.
    """
    now = clock.now()
    policy = ledger.policy_fallback(settings, invitation)
    ledger.start(
        session, invitation, now, time_zone=body.time_zone if body else None, policy=policy
    )
    out = timebox_out(invitation, now, policy)
    if out is None:
        raise ledger.NotTimed("this assignment has no time box; upload when you are ready")
    return out


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


def accept(
    db: Database, settings: Settings, token: str, upload: UploadedFile, clock: Clock, base: str
) -> Accepted:
    """Store an upload for the invitation behind ``token`` (runs in a worker thread)."""
    with db.session(write=True) as session:
        invitation = invitation_for_token(session, token)
        hours: Decimal | None = parse_hours(upload.fields.get("hours"))
        now = clock.now()
        sub = accept_upload(
            session,
            settings,
            invitation,
            upload.path,
            filename=upload.filename,
            sha256=upload.sha256,
            size=upload.size,
            reported_hours=hours,
            now=now,
        )
        deadline = invitation.deadline_at
        late_by = max(0, int((now - deadline).total_seconds())) if sub.late and deadline else None
        receipt = receipt_notice(
            invitation,
            submission_id=sub.id,
            version=sub.version,
            received_at=now,
            late_by=(now - deadline) if sub.late and deadline else None,
            status_link=f"{base}/c/{token}/submissions/{sub.id}",
        )
        return Accepted(sub.id, sub.version, sub.status, sub.late, late_by, deadline, receipt)


async def receive_and_accept(
    request: Request,
    db: Database,
    settings: Settings,
    token: str,
    *,
    check: Callable[[dict[str, str]], bool] | None = None,
) -> Accepted:
    # Check the link before reading a byte of the body.
    def link_valid() -> None:
        with db.session() as session:
            invitation_for_token(session, token)

    await run_in_threadpool(link_valid)
    upload = await receive_upload(
        request,
        incoming=settings.blobs_dir / "incoming",
        cap_bytes=settings.max_upload_mb * 1024 * 1024,
    )
    try:
        if check is not None and not check(upload.fields):
            raise Forbidden(
                "the form expired or did not come from this site; reload the page and try again"
            )
        clock: Clock = request.app.state.clock
        return await run_in_threadpool(
            accept, db, settings, token, upload, clock, base_url(request)
        )
    finally:
        upload.discard()  # no-op once accepted (moved into blob storage)


@router.post(
    "/submissions", status_code=202, response_model=UploadAccepted, openapi_extra=UPLOAD_BODY
)
async def upload(
    request: Request,
    token: Token_,
    db: DatabaseDep,
    settings: SettingsDep,
    dispatcher: DispatcherDep,
    background: BackgroundTasks,
    clock: ClockDep,
    notifier: NotifierDep,
) -> UploadAccepted:
    """Upload a submission (multipart field ``file``). Answers 202: grading happens later.

    The clock must have been started (``POST /api/c/{token}/start``): before that the answer is
    409. After the deadline the upload is kept and marked late (``late``, ``late_by_seconds``),
    or refused with 409, as the assignment's policy says.
    """
    done = await receive_and_accept(request, db, settings, token)
    background.add_task(dispatcher.enqueue, done.id)
    send_after_commit(background, db, notifier, clock, done.receipt)
    return UploadAccepted(
        id=done.id,
        version=done.version,
        status=done.status,
        status_url=f"/api/c/{token}/submissions/{done.id}",
        late=done.late,
        late_by_seconds=done.late_by_seconds,
        deadline_at=done.deadline_at,
        message=done.message,
    )


@router.get("/submissions/{submission_id}", response_model=CandidateSubmission)
def status(
    invitation: CandidateInvitation, session: SessionDep, settings: SettingsDep, submission_id: Id
) -> CandidateSubmission:
    sub = SubmissionRepository(session).get_for_invitation(invitation.id, submission_id)
    if sub is None:
        raise NotFound("no such submission for this link")
    return views.candidate_view(sub, show_scores=_show_scores(settings, invitation.assignment_name))
