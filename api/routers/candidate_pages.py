"""The candidate portal: task page, starter kit, upload, live status."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from markupsafe import Markup

from api import views
from api.deps import CandidateInvitation, DatabaseDep, Id, SessionDep, SettingsDep, Token_
from api.render import markdown_html
from api.routers.api_candidate import receive_and_accept
from api.security import csrf_valid
from api.templating import render
from harness.assignments.loader import Assignment, load_assignment
from harness.errors import HarnessError, NotFound
from harness.invitations.service import note_first_view, note_kit_download, starter_kit_path
from harness.submissions.repository import SubmissionRepository


def _task_html(assignment: Assignment) -> Markup:
    try:
        return markdown_html(assignment.task_markdown())
    except OSError:
        log.error(
            "assignment %s has no task file %s", assignment.spec.name, assignment.spec.task_file
        )
        return markdown_html(
            f"{assignment.spec.summary}\n\n*The full task text is missing; the starter kit has it, "
            "or ask the hiring team.*"
        )


log = logging.getLogger(__name__)


router = APIRouter(prefix="/c/{token}", tags=["pages"], include_in_schema=False)


@router.get("")
def task_page(
    request: Request,
    invitation: CandidateInvitation,
    db: DatabaseDep,
    settings: SettingsDep,
    token: Token_,
) -> Response:
    assignment = load_assignment(invitation.assignment_name, settings)
    if invitation.first_viewed_at is None:
        with db.session(write=True) as w:  # GETs read; the one write gets its own transaction
            note_first_view(w, invitation.id)
    spec = assignment.spec
    show = spec.policy.show_scores_to_candidate
    return render(
        request,
        "candidate/task.html",
        {
            "token": token,
            "invitation": invitation,
            "spec": spec,
            "task_html": _task_html(assignment),
            "rubric": sorted(spec.rubric_weights().items(), key=lambda kv: -kv[1]),
            "submissions": [
                views.candidate_view(s, show_scores=show) for s in reversed(invitation.submissions)
            ],
            "max_upload_mb": settings.max_upload_mb,
        },
    )


@router.get("/kit.zip")
def starter_kit(
    invitation: CandidateInvitation, db: DatabaseDep, settings: SettingsDep
) -> Response:
    assignment = load_assignment(invitation.assignment_name, settings)
    path = starter_kit_path(settings, assignment)
    if invitation.kit_downloaded_at is None:
        with db.session(write=True) as w:
            note_kit_download(w, invitation.id)
    return FileResponse(
        path, media_type="application/zip", filename=f"{assignment.spec.name}-starter-kit.zip"
    )


@router.post("/upload")
async def upload_form(
    request: Request, token: Token_, db: DatabaseDep, settings: SettingsDep
) -> Response:
    """The no-JavaScript upload: a plain form post, then the status page."""
    # The CSRF token is a form field; it arrives with the file, so it is checked after
    # streaming, and the file is dropped if it does not match.
    try:
        sub_id, _, _ = await receive_and_accept(
            request, db, settings, token, check=lambda f: csrf_valid(request, f.get("csrf_token"))
        )
    except HarnessError as exc:
        if exc.status_code in (404,):
            raise
        with db.session() as session:
            from harness.invitations.service import invitation_for_token

            invitation = invitation_for_token(session, token)
            assignment = load_assignment(invitation.assignment_name, settings)
            return render(
                request,
                "candidate/task.html",
                {
                    "token": token,
                    "invitation": invitation,
                    "spec": assignment.spec,
                    "task_html": _task_html(assignment),
                    "rubric": sorted(
                        assignment.spec.rubric_weights().items(), key=lambda kv: -kv[1]
                    ),
                    "submissions": [
                        views.candidate_view(s, show_scores=False)
                        for s in reversed(invitation.submissions)
                    ],
                    "max_upload_mb": settings.max_upload_mb,
                    "upload_error": exc.message,
                },
                status_code=exc.status_code,
            )
    request.app.state.dispatcher.enqueue(sub_id)
    return RedirectResponse(f"/c/{token}/submissions/{sub_id}", status_code=303)


@router.get("/submissions/{submission_id}")
def status_page(
    request: Request,
    invitation: CandidateInvitation,
    session: SessionDep,
    settings: SettingsDep,
    token: Token_,
    submission_id: Id,
) -> Response:
    sub = SubmissionRepository(session).get_for_invitation(invitation.id, submission_id)
    if sub is None:
        raise NotFound("no such submission for this link")
    spec = load_assignment(invitation.assignment_name, settings).spec
    return render(
        request,
        "candidate/status.html",
        {
            "token": token,
            "sub": views.candidate_view(sub, show_scores=spec.policy.show_scores_to_candidate),
            "spec": spec,
            "stage_order": ["static", "tests", "train", "predict", "notebook", "score", "graders"],
        },
    )
