"""Reviewer pages: dashboard, list, report, code, notebook, compare, audit."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from api.deps import (
    MAX_ID,
    AdminReviewer,
    AfterCommitDep,
    ClockDep,
    CsrfChecked,
    DatabaseDep,
    Id,
    PageReviewer,
    SessionDep,
    SettingsDep,
    shows_identity,
)
from api.render import notebook_document
from api.report_view import build_report_view, code_view
from api.security import UNTRUSTED_CSP
from api.templating import MILESTONE_LABELS, STEP_LABELS, render
from harness.assignments.loader import list_assignments
from harness.audit.service import list_events
from harness.errors import NotFound
from harness.integrity import review as similarity
from harness.review.decisions import decide as decide_with_review
from harness.reviewing import service as reviewing
from harness.reviewing import similarity as seen_similarity
from harness.settings import Settings
from harness.submissions import service
from harness.submissions.repository import SubmissionFilter

router = APIRouter(tags=["pages"], include_in_schema=False)

PAGE = 50


@router.get("/")
def dashboard(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _: PageReviewer,
    clock: ClockDep,
) -> Response:
    page = reviewing.dashboard_page(session, clock.now(), target_days=settings.process_target_days)
    return render(
        request,
        "dashboard.html",
        {
            "d": page.numbers,
            "recent": page.recent,
            "queue": page.queue,
            "process": page.process,
            "step_labels": STEP_LABELS,
        },
    )


@router.get("/submissions")
def submissions(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _: PageReviewer,
    status: Literal["", "queued", "running", "graded", "rejected", "error"] = "",
    assignment: Annotated[str, Query(max_length=64)] = "",
    decision: Literal["", "advance", "reject", "hold", "none"] = "",
    sort: Literal["created", "score", "graded", "id"] = "created",
    order: Literal["asc", "desc"] = "desc",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    found = service.submission_page(
        session,
        SubmissionFilter(
            status=status or None,
            assignment=assignment or None,
            decision=decision or None,
            sort=sort,
            descending=order == "desc",
            limit=PAGE,
            offset=(page - 1) * PAGE,
        ),
    )
    return render(
        request,
        "submissions.html",
        {
            "rows": found.items,
            "total": found.total,
            "page": page,
            "pages": max(1, (found.total + PAGE - 1) // PAGE),
            "f": {
                "status": status,
                "assignment": assignment,
                "decision": decision,
                "sort": sort,
                "order": order,
            },
            "assignments": [a.spec.name for a in list_assignments(settings)],
        },
    )


def _report_context(settings: Settings, read: reviewing.SubmissionRead) -> dict[str, Any]:
    return {
        "sub": read.sub,
        "detail": read.detail,
        "view": build_report_view(settings, read.sub, read.record, read.distribution),
        "hidden": read.hidden,
        "versions": read.versions,
        "similarity": read.similarity,
    }


@router.get("/submissions/{submission_id}")
def report_page(
    request: Request,
    session: SessionDep,
    db: DatabaseDep,
    settings: SettingsDep,
    reviewer: PageReviewer,
    clock: ClockDep,
    submission_id: Id,
) -> Response:
    read = reviewing.open_report(
        db,
        session,
        submission_id,
        clock.now(),
        target_days=settings.process_target_days,
        show_identity=shows_identity(reviewer),
        viewer=reviewer,
        settings=settings,
    )
    context = {
        **_report_context(settings, read),
        "decision_blocked": read.decision_blocked,
        "ledger": read.ledger,
        "milestone_labels": MILESTONE_LABELS,
        "step_labels": STEP_LABELS,
    }
    return render(request, "report.html", context)


@router.get("/submissions/{submission_id}/files")
def code_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _: PageReviewer,
    submission_id: Id,
    path: Annotated[str, Query(min_length=1, max_length=1024)],
) -> Response:
    sub, record = service.with_current_report(session, submission_id)
    code = code_view(settings, sub, record, path)
    if code is None:
        raise NotFound("no such text file in this submission")
    return render(request, "code.html", {"sub": sub, "code": code})


@router.get("/submissions/{submission_id}/notebook")
def notebook(
    session: SessionDep,
    settings: SettingsDep,
    _: PageReviewer,
    submission_id: Id,
    name: Annotated[str, Query(max_length=300)],
) -> Response:
    """A rendered notebook, sanitised, under a CSP that forbids scripts and sandboxes it."""
    html = reviewing.notebook_html(session, settings, submission_id, name)
    return HTMLResponse(
        notebook_document(html),
        headers={
            "Content-Security-Policy": UNTRUSTED_CSP,
            "X-Frame-Options": "SAMEORIGIN",
            "Cache-Control": "no-store",
        },
    )


@router.get("/submissions/{submission_id}/download")
def download(
    session: SessionDep,
    db: DatabaseDep,
    settings: SettingsDep,
    reviewer: PageReviewer,
    submission_id: Id,
) -> Response:
    path, filename = service.download(db, session, settings, submission_id, reviewer)
    # octet-stream + attachment: the browser never renders the candidate's bytes.
    return FileResponse(
        path,
        media_type="application/octet-stream",
        filename=filename,
        content_disposition_type="attachment",
    )


@router.post("/submissions/{submission_id}/regrade", dependencies=[CsrfChecked])
def regrade(
    session: SessionDep, reviewer: PageReviewer, after: AfterCommitDep, submission_id: Id
) -> Response:
    sub = service.request_regrade(session, submission_id, reviewer)
    after.enqueue(sub.id)
    return RedirectResponse(f"/submissions/{sub.id}", status_code=303)


@router.post("/submissions/{submission_id}/notes", dependencies=[CsrfChecked])
def add_note(
    session: SessionDep,
    reviewer: PageReviewer,
    submission_id: Id,
    body: Annotated[str, Form(max_length=10_000)],
) -> Response:
    service.add_note(session, submission_id, reviewer, body)
    return RedirectResponse(f"/submissions/{submission_id}#notes", status_code=303)


@router.post("/submissions/{submission_id}/decision", dependencies=[CsrfChecked])
def decide(
    session: SessionDep,
    settings: SettingsDep,
    reviewer: PageReviewer,
    clock: ClockDep,
    submission_id: Id,
    outcome: Annotated[str, Form(max_length=10)],
    reason: Annotated[str, Form(max_length=5_000)],
    override_review: Annotated[bool, Form()] = False,
    back: Annotated[Literal["report", "review"], Form()] = "report",
) -> Response:
    decide_with_review(
        session,
        settings,
        submission_id,
        reviewer,
        outcome,
        reason,
        override=override_review,
        now=clock.now(),
    )
    page = "/review" if back == "review" else ""
    return RedirectResponse(f"/submissions/{submission_id}{page}#decision", status_code=303)


@router.post("/submissions/{submission_id}/select", dependencies=[CsrfChecked])
def select(session: SessionDep, reviewer: PageReviewer, submission_id: Id) -> Response:
    service.select_version(session, submission_id, reviewer)
    return RedirectResponse(f"/submissions/{submission_id}", status_code=303)


@router.get("/submissions/{submission_id}/similarity/{match_id}")
def similarity_match(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    reviewer: PageReviewer,
    submission_id: Id,
    match_id: Id,
) -> Response:
    """One similarity match, its shared fragments side by side, and its resolution."""
    page = seen_similarity.similarity_match_for(session, settings, submission_id, match_id, reviewer)
    return render(request, "similarity.html", {"page": page, "resolutions": similarity.RESOLUTIONS})


@router.post("/submissions/{submission_id}/similarity/{match_id}/resolve", dependencies=[CsrfChecked])
def resolve_similarity(
    session: SessionDep,
    reviewer: PageReviewer,
    clock: ClockDep,
    submission_id: Id,
    match_id: Id,
    resolution: Annotated[str, Form(max_length=16)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    similarity.resolve_match(session, submission_id, match_id, actor=reviewer, resolution=resolution,
                             note=note, now=clock.now())
    return RedirectResponse(f"/submissions/{submission_id}/similarity/{match_id}", status_code=303)


@router.get("/compare")
def compare(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _: PageReviewer,
    a: Annotated[int, Query(ge=1, le=MAX_ID)],
    b: Annotated[int, Query(ge=1, le=MAX_ID)],
) -> Response:
    left, right = (reviewing.read_submission(session, i) for i in (a, b))
    return render(
        request,
        "compare.html",
        {"left": _report_context(settings, left), "right": _report_context(settings, right)},
    )


@router.get("/audit")
def audit_page(
    request: Request,
    session: SessionDep,
    _: AdminReviewer,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    events = list_events(session, limit=100, offset=(page - 1) * 100)
    return render(request, "audit.html", {"events": events, "page": page})
