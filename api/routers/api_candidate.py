"""Candidate JSON API: authenticated by the token in the link, never by a cookie."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from fastapi import APIRouter, BackgroundTasks, Request
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
from api.uploads import UploadedFile, receive_upload
from harness.assignments.loader import load_assignment
from harness.db.engine import Database
from harness.errors import NotFound
from harness.invitations.service import invitation_for_token
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


def _show_scores(settings: Settings, assignment_name: str) -> bool:
    try:
        return load_assignment(assignment_name, settings).spec.policy.show_scores_to_candidate
    except Exception:
        return False


@router.get("", response_model=CandidateHome)
def home(invitation: CandidateInvitation, settings: SettingsDep) -> CandidateHome:
    assignment = load_assignment(invitation.assignment_name, settings)
    show = assignment.spec.policy.show_scores_to_candidate
    return CandidateHome(
        assignment=assignment.spec.name,
        title=assignment.spec.title,
        submissions=[views.candidate_view(s, show_scores=show) for s in invitation.submissions],
    )


def accept(
    db: Database, settings: Settings, token: str, upload: UploadedFile
) -> tuple[int, int, str]:
    """Store an upload for the invitation behind ``token`` (runs in a worker thread)."""
    with db.session(write=True) as session:
        invitation = invitation_for_token(session, token)
        hours: Decimal | None = parse_hours(upload.fields.get("hours"))
        sub = accept_upload(
            session,
            settings,
            invitation,
            upload.path,
            filename=upload.filename,
            sha256=upload.sha256,
            size=upload.size,
            reported_hours=hours,
        )
        return sub.id, sub.version, sub.status


async def receive_and_accept(
    request: Request,
    db: Database,
    settings: Settings,
    token: str,
    *,
    check: Callable[[dict[str, str]], bool] | None = None,
) -> tuple[int, int, str]:
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
        return await run_in_threadpool(accept, db, settings, token, upload)
    finally:
        upload.discard()  # no-op once accepted (moved into blob storage)


@router.post(
    "/submissions", status_code=202, response_model=SubmissionAccepted, openapi_extra=UPLOAD_BODY
)
async def upload(
    request: Request,
    token: Token_,
    db: DatabaseDep,
    settings: SettingsDep,
    dispatcher: DispatcherDep,
    background: BackgroundTasks,
) -> SubmissionAccepted:
    """Upload a submission (multipart field ``file``). Answers 202: grading happens later."""
    sub_id, version, status = await receive_and_accept(request, db, settings, token)
    background.add_task(dispatcher.enqueue, sub_id)
    return SubmissionAccepted(
        id=sub_id, version=version, status=status, status_url=f"/api/c/{token}/submissions/{sub_id}"
    )


@router.get("/submissions/{submission_id}", response_model=CandidateSubmission)
def status(
    invitation: CandidateInvitation, session: SessionDep, settings: SettingsDep, submission_id: Id
) -> CandidateSubmission:
    sub = SubmissionRepository(session).get_for_invitation(invitation.id, submission_id)
    if sub is None:
        raise NotFound("no such submission for this link")
    return views.candidate_view(sub, show_scores=_show_scores(settings, invitation.assignment_name))
