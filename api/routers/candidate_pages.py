"""The candidate portal: task page with the time box, Start, starter kit, upload, live status."""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from api import views
from api.deps import CandidateInvitation, DatabaseDep, Id, SessionDep, SettingsDep, Token_
from api.render import markdown_html
from api.routers.api_candidate import receive_and_accept
from api.routers.ledger_common import (
    ClockDep,
    NotifierDep,
    format_late,
    format_remaining,
    send_after_commit,
)
from api.security import csrf_valid
from api.templating import render
from harness.assignments.loader import Assignment, load_assignment
from harness.assignments.spec import ClockStart
from harness.errors import HarnessError, NotFound
from harness.invitations.models import Invitation
from harness.invitations.service import (
    invitation_for_token,
    note_first_view,
    note_kit_download,
    starter_kit_path,
)
from harness.ledger import service as ledger
from harness.ledger.errors import WindowClosed
from harness.ledger.views import timebox_out
from harness.settings import Settings
from harness.submissions.repository import SubmissionRepository

log = logging.getLogger(__name__)


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


router = APIRouter(prefix="/c/{token}", tags=["pages"], include_in_schema=False)


def _ms(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp() * 1000)


def _task_context(
    settings: Settings,
    invitation: Invitation,
    token: str,
    now: datetime,
    **extra: Any,
) -> dict[str, Any]:
    """Everything the task page shows; the countdown works without JavaScript too (the server
    renders the remaining time) and ``app.js`` ticks it from the same numbers."""
    assignment = load_assignment(invitation.assignment_name, settings)
    spec = assignment.spec
    show = spec.policy.show_scores_to_candidate
    box = timebox_out(invitation, now, spec.policy)
    return {
        "token": token,
        "invitation": invitation,
        "spec": spec,
        "task_html": _task_html(assignment),
        "rubric": sorted(spec.rubric_weights().items(), key=lambda kv: -kv[1]),
        "submissions": [
            views.candidate_view(s, show_scores=show) for s in reversed(invitation.submissions)
        ],
        "max_upload_mb": settings.max_upload_mb,
        "box": box,
        "remaining": format_remaining(box.remaining_seconds) if box else "",
        "ms": {
            "now": _ms(now),
            "window": _ms(box.window_ends_at) if box else None,
            "work": _ms(box.work_ends_at) if box else None,
            "deadline": _ms(box.deadline_at) if box else None,
        },
        **extra,
    }


@router.get("")
def task_page(
    request: Request,
    invitation: CandidateInvitation,
    db: DatabaseDep,
    settings: SettingsDep,
    clock: ClockDep,
    token: Token_,
) -> Response:
    if invitation.first_viewed_at is None:
        with db.session(write=True) as w:  # GETs read; the one write gets its own transaction
            note_first_view(w, invitation.id)
    return render(
        request, "candidate/task.html", _task_context(settings, invitation, token, clock.now())
    )


def _render_task(
    request: Request,
    session: Session,
    settings: Settings,
    token: str,
    now: datetime,
    status_code: int,
    **extra: Any,
) -> Response:
    invitation = invitation_for_token(session, token)
    return render(
        request,
        "candidate/task.html",
        _task_context(settings, invitation, token, now, **extra),
        status_code=status_code,
    )


@router.post("/start")
async def start_form(
    request: Request, token: Token_, db: DatabaseDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    """The Start button: starts the clock, then back to the task page (Post/Redirect/Get)."""
    form = await request.form()
    if not csrf_valid(request, _text(form.get("csrf_token"))):
        with db.session() as session:
            return _render_task(
                request,
                session,
                settings,
                token,
                clock.now(),
                403,
                start_error="the page expired; reload it and press Start again",
            )
    now = clock.now()
    try:
        with db.session(write=True) as session:
            invitation = invitation_for_token(session, token)
            ledger.start(
                session,
                invitation,
                now,
                time_zone=_text(form.get("time_zone")),
                policy=ledger.policy_fallback(settings, invitation),
            )
    except (WindowClosed, ledger.NotTimed) as exc:
        with db.session() as session:
            return _render_task(
                request, session, settings, token, now, exc.status_code, start_error=exc.message
            )
    return RedirectResponse(f"/c/{token}#timebox", status_code=303)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


@router.get("/kit.zip")
def starter_kit(
    invitation: CandidateInvitation, db: DatabaseDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    assignment = load_assignment(invitation.assignment_name, settings)
    path = starter_kit_path(settings, assignment)
    starts_clock = (
        invitation.started_at is None
        and ledger.is_timed(invitation)
        and ledger.terms_of(invitation, assignment.spec.policy).clock_start == ClockStart.download
    )
    if invitation.kit_downloaded_at is None or starts_clock:
        with db.session(write=True) as w:
            note_kit_download(w, invitation.id)
            if starts_clock:
                row = w.get(Invitation, invitation.id)
                assert row is not None
                # After the window closed the kit is still the candidate's to read; the clock
                # just stays stopped.
                with contextlib.suppress(WindowClosed):
                    ledger.start(
                        w,
                        row,
                        clock.now(),
                        trigger=ClockStart.download,
                        policy=assignment.spec.policy,
                    )
    return FileResponse(
        path, media_type="application/zip", filename=f"{assignment.spec.name}-starter-kit.zip"
    )


@router.post("/upload")
async def upload_form(
    request: Request,
    token: Token_,
    db: DatabaseDep,
    settings: SettingsDep,
    clock: ClockDep,
    notifier: NotifierDep,
    background: BackgroundTasks,
) -> Response:
    """The no-JavaScript upload: a plain form post, then the status page."""
    # The CSRF token is a form field; it arrives with the file, so it is checked after
    # streaming, and the file is dropped if it does not match.
    try:
        done = await receive_and_accept(
            request, db, settings, token, check=lambda f: csrf_valid(request, f.get("csrf_token"))
        )
    except HarnessError as exc:
        if exc.status_code in (404,):
            raise
        with db.session() as session:
            return _render_task(
                request,
                session,
                settings,
                token,
                clock.now(),
                exc.status_code,
                upload_error=exc.message,
            )
    request.app.state.dispatcher.enqueue(done.id)
    send_after_commit(background, db, notifier, clock, done.receipt)
    return RedirectResponse(
        f"/c/{token}/submissions/{done.id}", status_code=303, background=background
    )


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
    late_by = None
    if sub.late and invitation.deadline_at is not None:
        late_by = max(0, int((sub.created_at - invitation.deadline_at).total_seconds()))
    return render(
        request,
        "candidate/status.html",
        {
            "token": token,
            "sub": views.candidate_view(sub, show_scores=spec.policy.show_scores_to_candidate),
            "spec": spec,
            "late_by": format_late(late_by) if late_by is not None else None,
            "deadline_at": invitation.deadline_at,
            "stage_order": ["static", "tests", "train", "predict", "notebook", "score", "graders"],
        },
    )
