"""Admin pages for candidate data: look up what is held, export it, erase it; retention.

Addresses travel in form posts, never in URLs (which end up in access logs).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from api.deps import (
    AdminReviewer,
    AdminReviewerApart,
    ClockDep,
    CsrfChecked,
    DatabaseDep,
    SessionDep,
    SettingsDep,
)
from api.templating import render
from harness.retention import service

router = APIRouter(prefix="/admin", tags=["pages"], include_in_schema=False)

Email = Annotated[str, Form(min_length=3, max_length=320)]


@router.get("/candidates")
def candidates_page(request: Request, _: AdminReviewer) -> Response:
    return render(request, "admin/candidates.html", {"held": None})


@router.post("/candidates/lookup", dependencies=[CsrfChecked])
def lookup(
    request: Request, session: SessionDep, settings: SettingsDep, _: AdminReviewer, email: Email
) -> Response:
    held = service.held_about(session, settings, email)
    return render(request, "admin/candidates.html", {"held": held})


@router.post("/candidates/export", dependencies=[CsrfChecked])
def export(
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    reviewer: AdminReviewer,
    email: Email,
) -> Response:
    """The candidate's export as a download; the temporary file goes after it is sent."""
    done = service.export_for(session, settings, email, now=clock.now(), actor=reviewer)
    return FileResponse(
        done.path,
        media_type="application/zip",
        filename="candidate-export.zip",
        background=BackgroundTask(done.path.unlink, missing_ok=True),
    )


@router.post("/candidates/erase", dependencies=[CsrfChecked])
def erase(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    clock: ClockDep,
    reviewer: AdminReviewerApart,
    email: Email,
    confirm: Annotated[str, Form(max_length=320)] = "",
) -> Response:
    receipt = service.erase_confirmed(db, settings, email, confirm, actor=reviewer, now=clock.now())
    return render(request, "admin/erased.html", {"receipt": receipt})


@router.get("/retention")
def retention(
    request: Request, session: SessionDep, settings: SettingsDep, clock: ClockDep, _: AdminReviewer
) -> Response:
    overview = service.retention_overview(session, settings, clock.now())
    return render(request, "admin/retention.html", {"o": overview})
