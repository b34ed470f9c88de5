"""Candidate JSON API: authenticated by the token in the link, never by a cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request

from api.deps import (
    AfterCommitDep,
    CandidateInvitation,
    ClockDep,
    DatabaseDep,
    Id,
    LinksDep,
    SessionDep,
    SettingsDep,
    Token_,
)
from api.openapi import errors
from api.uploads import receive_submission
from harness.submissions import portal
from harness.submissions.schemas import CandidateHome, CandidateSubmission, UploadAccepted
from harness.timeboxes import service as timeboxes
from harness.timeboxes.schemas import StartIn, TimeBoxOut

router = APIRouter(prefix="/api/c/{token}", tags=["candidates"], responses=errors(400, 404, 422))

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
                            "description": "The submission: a .zip or .tar.gz archive, at most "
                            "HARNESS_MAX_UPLOAD_MB (50 MiB unless configured; the limit is "
                            "max_upload_mb in GET /api/c/{token}).",
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


@router.get("", response_model=CandidateHome)
def home(
    invitation: CandidateInvitation, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> CandidateHome:
    return portal.candidate_home(session, settings, invitation, clock.now())


@router.post("/start", response_model=TimeBoxOut, responses=errors(409))
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
    return timeboxes.start_now(
        session, settings, invitation, clock.now(), time_zone=body.time_zone if body else None
    )


@router.post(
    "/submissions",
    status_code=202,
    response_model=UploadAccepted,
    openapi_extra=UPLOAD_BODY,
    responses=errors(409, 413),
)
async def upload(
    request: Request,
    token: Token_,
    db: DatabaseDep,
    settings: SettingsDep,
    clock: ClockDep,
    links: LinksDep,
    after: AfterCommitDep,
) -> UploadAccepted:
    """Upload a submission (multipart field ``file``). Answers 202: grading happens later.

    The clock must have been started (``POST /api/c/{token}/start``): before that the answer is
    409. After the deadline the upload is kept and marked late (``late``, ``late_by_seconds``),
    or refused with 409, as the assignment's policy says.
    """
    done = await receive_submission(
        request, db, settings, clock, token, status_link=lambda sid: links.status(token, sid)
    )
    after.enqueue(done.id)
    after.send(done.receipt)
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
    return portal.candidate_status(session, settings, invitation, submission_id)
