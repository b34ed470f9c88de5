"""The candidate portal: task page with the time box, Start, starter kit, upload, live status."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from markupsafe import Markup

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
from api.render import markdown_html
from api.security import csrf_valid
from api.templating import format_remaining, render
from api.uploads import receive_submission
from harness.assignments.loader import Assignment
from harness.db.engine import Database
from harness.errors import HarnessError
from harness.feedback import portal as feedback_portal
from harness.notify.messages import format_late
from harness.settings import Settings
from harness.submissions import portal
from harness.timeboxes import service as timeboxes

log = logging.getLogger(__name__)

router = APIRouter(prefix="/c/{token}", tags=["pages"], include_in_schema=False)

STAGE_ORDER = ["static", "tests", "mutation", "train", "predict", "notebook", "score", "graders"]


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


def _ms(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp() * 1000)


def _task_context(
    page: portal.TaskPage, settings: Settings, token: str, now: datetime, **extra: Any
) -> dict[str, Any]:
    """The task page's template context; the countdown works without JavaScript too (the server
    renders the remaining time) and ``app.js`` ticks it from the same numbers."""
    box = page.box
    return {
        "token": token,
        "invitation": page.invitation,
        "spec": page.spec,
        "task_html": _task_html(page.assignment),
        "rubric": sorted(page.spec.rubric_weights().items(), key=lambda kv: -kv[1]),
        "submissions": page.versions,
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
    session: SessionDep,
    db: DatabaseDep,
    settings: SettingsDep,
    clock: ClockDep,
    token: Token_,
) -> Response:
    now = clock.now()
    got = feedback_portal.task_page(session, settings, invitation, now, db=db)
    return render(
        request,
        "candidate/task.html",
        _task_context(got.page, settings, token, now, extras=got.extras),
    )


def _render_task(
    request: Request,
    db: Database,
    settings: Settings,
    token: str,
    now: datetime,
    status_code: int,
    **extra: Any,
) -> Response:
    """The task page again, with an error, from a fresh read (the failed write rolled back)."""
    page = portal.task_page_for_link(db, settings, token, now)
    return render(
        request,
        "candidate/task.html",
        _task_context(page, settings, token, now, **extra),
        status_code=status_code,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


@router.post("/start")
async def start_form(
    request: Request, token: Token_, db: DatabaseDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    """The Start button: starts the clock, then back to the task page (Post/Redirect/Get)."""
    form = await request.form()
    now = clock.now()
    if not csrf_valid(request, _text(form.get("csrf_token"))):
        return _render_task(
            request,
            db,
            settings,
            token,
            now,
            403,
            start_error="the page expired; reload it and press Start again",
        )
    try:
        timeboxes.start_for_link(db, settings, token, now, time_zone=_text(form.get("time_zone")))
    except HarnessError as exc:
        if exc.status_code != 409:  # WindowClosed, NotTimed: say so on the page
            raise
        return _render_task(
            request, db, settings, token, now, exc.status_code, start_error=exc.message
        )
    return RedirectResponse(f"/c/{token}#timebox", status_code=303)


@router.get("/kit.zip")
def starter_kit(
    invitation: CandidateInvitation, db: DatabaseDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    path, filename = timeboxes.starter_kit_download(db, settings, invitation, clock.now())
    return FileResponse(path, media_type="application/zip", filename=filename)


@router.post("/upload")
async def upload_form(
    request: Request,
    token: Token_,
    db: DatabaseDep,
    settings: SettingsDep,
    clock: ClockDep,
    links: LinksDep,
    after: AfterCommitDep,
) -> Response:
    """The no-JavaScript upload: a plain form post, then the status page."""
    # The CSRF token is a form field; it arrives with the file, so it is checked after
    # streaming, and the file is dropped if it does not match.
    try:
        done = await receive_submission(
            request,
            db,
            settings,
            clock,
            token,
            status_link=lambda sid: links.status(token, sid),
            check=lambda f: csrf_valid(request, f.get("csrf_token")),
        )
    except HarnessError as exc:
        if exc.status_code == 404:
            raise
        return _render_task(
            request, db, settings, token, clock.now(), exc.status_code, upload_error=exc.message
        )
    after.enqueue(done.id)
    after.send(done.receipt)
    return RedirectResponse(f"/c/{token}/submissions/{done.id}", status_code=303)


@router.get("/submissions/{submission_id}")
def status_page(
    request: Request,
    invitation: CandidateInvitation,
    session: SessionDep,
    settings: SettingsDep,
    token: Token_,
    submission_id: Id,
) -> Response:
    page = portal.status_page(session, settings, invitation, submission_id)
    return render(
        request,
        "candidate/status.html",
        {
            "token": token,
            "sub": page.sub,
            "spec": page.spec,
            "late_by": format_late(page.late_by_seconds)
            if page.late_by_seconds is not None
            else None,
            "deadline_at": page.deadline_at,
            "stage_order": STAGE_ORDER,
        },
    )
