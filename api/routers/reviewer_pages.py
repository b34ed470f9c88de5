"""Reviewer pages: dashboard, list, report, code, notebook, compare, invitations, audit."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api import views
from api.deps import (
    MAX_ID,
    AdminReviewer,
    CsrfChecked,
    DatabaseDep,
    DispatcherDep,
    Id,
    PageReviewer,
    SessionDep,
    SettingsDep,
)
from api.render import notebook_document
from api.report_view import build_report_view, code_view
from api.routers.api_reviewer import candidate_link
from api.routers.ledger_common import ClockDep, NotifierDep, send_after_commit, shows_identity
from api.routers.ledger_pages import MILESTONE_LABELS, STEP_LABELS, invitations_page
from api.security import UNTRUSTED_CSP
from api.templating import render
from harness.assignments.loader import list_assignments, load_assignment
from harness.audit import service as audit
from harness.audit.service import list_events
from harness.errors import HarnessError, NotFound
from harness.invitations.schemas import InvitationCreate
from harness.invitations.service import create_invitation, identity_hidden
from harness.ledger.notices import invitation_notice
from harness.ledger.timelines import note_first_review, process_overview
from harness.ledger.views import ledger_out, process_out
from harness.reports.store import read_artifact
from harness.submissions import service
from harness.submissions.models import Submission
from harness.submissions.repository import SubmissionFilter, SubmissionRepository

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
    repo = SubmissionRepository(session)
    recent, _count = repo.search(SubmissionFilter(limit=10))
    decisions = repo.decisions_for([s.invitation_id for s in recent])
    queue, _count = repo.search(SubmissionFilter(status="queued", limit=10, descending=False))
    running, _count = repo.search(SubmissionFilter(status="running", limit=10))
    return render(
        request,
        "dashboard.html",
        {
            "d": service.dashboard(session),
            "recent": [views.summary(s, decisions.get(s.invitation_id)) for s in recent],
            "queue": [views.summary(s, None) for s in [*running, *queue]],
            "process": process_out(
                session,
                process_overview(session, clock.now(), target_days=settings.process_target_days),
            ),
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
    repo = SubmissionRepository(session)
    flt = SubmissionFilter(
        status=status or None,
        assignment=assignment or None,
        decision=decision or None,
        sort=sort,
        descending=order == "desc",
        limit=PAGE,
        offset=(page - 1) * PAGE,
    )
    items, total = repo.search(flt)
    decisions = repo.decisions_for(sorted({s.invitation_id for s in items}))
    return render(
        request,
        "submissions.html",
        {
            "rows": [views.summary(s, decisions.get(s.invitation_id)) for s in items],
            "total": total,
            "page": page,
            "pages": max(1, (total + PAGE - 1) // PAGE),
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


def _submission_context(
    session: SessionDep, settings: SettingsDep, submission_id: Id
) -> dict[str, object]:
    sub = service.get_submission(session, submission_id)
    repo = SubmissionRepository(session)
    record = repo.current_report(sub.id)
    history = repo.report_history(sub.id)
    view = build_report_view(
        settings, sub, record, service.score_distribution(session, sub.assignment_name)
    )
    return {
        "sub": sub,
        "detail": views.detail(sub, None, history),
        "view": view,
        "hidden": identity_hidden(sub.invitation),
        "versions": sub.invitation.submissions,
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
    ctx = _submission_context(session, settings, submission_id)
    sub = ctx["sub"]
    assert isinstance(sub, Submission)
    now = clock.now()
    if sub.invitation.first_reviewed_at is None:
        with db.session(write=True) as w:  # GETs read; the milestone gets its own transaction
            note_first_review(w, sub.invitation_id, now)
    ctx["ledger"] = ledger_out(
        session,
        sub,
        now,
        target_days=settings.process_target_days,
        show_identity=shows_identity(reviewer),
    )
    ctx["milestone_labels"] = MILESTONE_LABELS
    ctx["step_labels"] = STEP_LABELS
    return render(request, "report.html", ctx)


@router.get("/submissions/{submission_id}/files")
def code_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _: PageReviewer,
    submission_id: Id,
    path: Annotated[str, Query(min_length=1, max_length=1024)],
) -> Response:
    sub = service.get_submission(session, submission_id)
    record = SubmissionRepository(session).current_report(sub.id)
    from api.report_view import _report

    code = code_view(settings, sub, _report(record), path)
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
    record = SubmissionRepository(session).current_report(submission_id)
    key = record.artifacts.get(name) if record else None
    html = read_artifact(settings.artifacts_dir, key) if key else None
    if html is None:
        raise NotFound("this submission has no such notebook")
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
    sub = service.get_submission(session, submission_id)
    with db.session(write=True) as w:  # GETs read; the audit write gets its own transaction
        audit.record(
            w,
            "submission.download",
            actor=reviewer,
            object_type="submission",
            object_id=sub.id,
        )
    # octet-stream + attachment: the browser never renders the candidate's bytes.
    return FileResponse(
        settings.blobs_dir / sub.blob_key,
        media_type="application/octet-stream",
        filename=f"submission-{sub.id}-v{sub.version}.bin",
        content_disposition_type="attachment",
    )


@router.post("/submissions/{submission_id}/regrade", dependencies=[CsrfChecked])
def regrade(
    session: SessionDep,
    reviewer: PageReviewer,
    dispatcher: DispatcherDep,
    background: BackgroundTasks,
    submission_id: Id,
) -> Response:
    sub = service.get_submission(session, submission_id)
    service.request_regrade(session, sub, reviewer)
    background.add_task(dispatcher.enqueue, sub.id)  # after the commit
    return RedirectResponse(f"/submissions/{sub.id}", status_code=303)


@router.post("/submissions/{submission_id}/notes", dependencies=[CsrfChecked])
def add_note(
    session: SessionDep,
    reviewer: PageReviewer,
    submission_id: Id,
    body: Annotated[str, Form(max_length=10_000)],
) -> Response:
    sub = service.get_submission(session, submission_id)
    service.add_note(session, sub, reviewer, body)
    return RedirectResponse(f"/submissions/{sub.id}#notes", status_code=303)


@router.post("/submissions/{submission_id}/decision", dependencies=[CsrfChecked])
def decide(
    session: SessionDep,
    reviewer: PageReviewer,
    submission_id: Id,
    outcome: Annotated[str, Form(max_length=10)],
    reason: Annotated[str, Form(max_length=5_000)],
) -> Response:
    sub = service.get_submission(session, submission_id)
    service.record_decision(session, sub, reviewer, outcome, reason)
    return RedirectResponse(f"/submissions/{sub.id}#decision", status_code=303)


@router.post("/submissions/{submission_id}/select", dependencies=[CsrfChecked])
def select(session: SessionDep, reviewer: PageReviewer, submission_id: Id) -> Response:
    sub = service.get_submission(session, submission_id)
    service.select_version(session, sub, reviewer)
    return RedirectResponse(f"/submissions/{sub.id}", status_code=303)


@router.get("/compare")
def compare(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _: PageReviewer,
    a: Annotated[int, Query(ge=1, le=MAX_ID)],
    b: Annotated[int, Query(ge=1, le=MAX_ID)],
) -> Response:
    left = _submission_context(session, settings, a)
    right = _submission_context(session, settings, b)
    return render(request, "compare.html", {"left": left, "right": right})


@router.get("/invitations")
def invitations(
    request: Request, session: SessionDep, settings: SettingsDep, _: PageReviewer, clock: ClockDep
) -> Response:
    return invitations_page(request, session, settings, clock, None, None, None)


def _optional(value: str) -> str | None:
    return value.strip() or None


@router.post("/invitations", dependencies=[CsrfChecked])
def invite(
    request: Request,
    session: SessionDep,
    db: DatabaseDep,
    settings: SettingsDep,
    reviewer: PageReviewer,
    clock: ClockDep,
    notifier: NotifierDep,
    background: BackgroundTasks,
    assignment: Annotated[str, Form(max_length=64)],
    name: Annotated[str, Form(max_length=200)],
    email: Annotated[str, Form(max_length=320)],
    anonymous_review: Annotated[bool, Form()] = False,
    time_box_hours: Annotated[str, Form(max_length=20)] = "",
    grace_minutes: Annotated[str, Form(max_length=20)] = "",
    start_window_days: Annotated[str, Form(max_length=20)] = "",
    pay_kind: Annotated[str, Form(max_length=10)] = "",
    hourly_rate: Annotated[str, Form(max_length=20)] = "",
    cap_hours: Annotated[str, Form(max_length=20)] = "",
    flat_fee: Annotated[str, Form(max_length=20)] = "",
    currency: Annotated[str, Form(max_length=3)] = "",
    no_submission_pay: Annotated[str, Form(max_length=10)] = "",
    no_submission_amount: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    created = error = None
    try:
        if assignment not in {a.spec.name for a in list_assignments(settings)}:
            raise NotFound(f"no assignment named {assignment!r}")
        spec = load_assignment(assignment, settings).spec
        try:
            body = InvitationCreate.model_validate(
                {
                    "assignment": assignment,
                    "name": name,
                    "email": email,
                    "anonymous_review": anonymous_review,
                    "time_box_hours": _optional(time_box_hours),
                    "grace_minutes": _optional(grace_minutes),
                    "start_window_days": _optional(start_window_days),
                    "pay_kind": _optional(pay_kind),
                    "hourly_rate": _optional(hourly_rate),
                    "cap_hours": _optional(cap_hours),
                    "flat_fee": _optional(flat_fee),
                    "currency": _optional(currency.upper()),
                    "no_submission_pay": _optional(no_submission_pay),
                    "no_submission_amount": _optional(no_submission_amount),
                }
            )
        except ValidationError as exc:
            raise HarnessError(
                "; ".join(
                    f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
                ),
                status_code=422,
            ) from None
        now = clock.now()
        inv, token = create_invitation(
            session,
            spec,
            name=body.name,
            email=body.email,
            actor=reviewer,
            anonymous_review=body.anonymous_review,
            terms=body.terms(),
            now=now,
        )
        link = candidate_link(request, token)
        created = {"link": link, "id": inv.id}
        send_after_commit(
            background, db, notifier, clock, invitation_notice(inv, link, title=spec.title)
        )
    except HarnessError as exc:
        session.rollback()
        error = exc.message
    return invitations_page(
        request, session, settings, clock, created, error, None, 201 if created else 422
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
