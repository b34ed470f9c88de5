"""Reviewer pages of the paid time box: one invitation (clock, extensions, payment, timeline),
bulk invitations from a CSV, and the payments ledger with its totals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api import views
from api.deps import CsrfChecked, DatabaseDep, Forbidden, Id, PageReviewer, SessionDep, SettingsDep
from api.routers.ledger_api import bulk_create, get_invitation
from api.routers.ledger_common import (
    ClockDep,
    NotifierDep,
    send_after_commit,
    shows_identity,
    with_timebox,
)
from api.security import csrf_valid
from api.templating import render
from api.uploads import receive_upload
from harness.accounts.models import Reviewer
from harness.assignments.loader import list_assignments
from harness.errors import HarnessError
from harness.invitations.bulk import COLUMNS, MAX_BULK_BYTES
from harness.invitations.repository import InvitationRepository
from harness.invitations.service import candidate_label, identity_hidden
from harness.ledger import payments
from harness.ledger import service as ledger
from harness.ledger.clock import Clock
from harness.ledger.process import Milestone
from harness.ledger.schemas import BulkInviteOut
from harness.ledger.timelines import durations, timeline_of
from harness.ledger.views import payment_out, payments_out, timebox_out, timeline_out
from harness.settings import Settings

router = APIRouter(tags=["pages"], include_in_schema=False)

STEP_LABELS = {
    "start": "invited → started",
    "work": "started → submitted",
    "grading": "submitted → graded",
    "review": "graded → first reviewed",
    "decision": "first reviewed → decided",
    "total": "invited → decided",
}
MILESTONE_LABELS = {
    Milestone.invited.value: "Invited",
    Milestone.started.value: "Started the clock",
    Milestone.submitted.value: "First upload",
    Milestone.graded.value: "Graded",
    Milestone.first_reviewed.value: "First reviewed",
    Milestone.decided.value: "Decided",
}


def invitation_context(
    session: Session, invitation_id: int, now: datetime, *, target_days: int, identity: bool
) -> dict[str, Any]:
    invitation = get_invitation(session, invitation_id)
    timeline = timeline_of(session, invitation.id)
    payment = payments.payment_for_invitation(session, invitation.id)
    return {
        "inv": invitation,
        "view": views.invitation_view(invitation),
        "label": candidate_label(invitation),
        "hidden": identity_hidden(invitation),
        "box": timebox_out(invitation, now),
        "extensions": ledger.extensions_of(session, invitation.id),
        "payment": payment,
        "payment_view": payment_out(payment, show_identity=identity) if payment else None,
        "timeline": timeline_out(timeline, now, target_days=target_days),
        "steps": [(STEP_LABELS[s.value], d.total_seconds()) for s, d in durations(timeline)]
        if timeline
        else [],
        "milestone_labels": MILESTONE_LABELS,
        "submissions": invitation.submissions,
    }


@router.get("/invitations/{invitation_id}")
def invitation_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    reviewer: PageReviewer,
    clock: ClockDep,
    invitation_id: Id,
) -> Response:
    return render(
        request,
        "invitation.html",
        invitation_context(
            session,
            invitation_id,
            clock.now(),
            target_days=settings.process_target_days,
            identity=shows_identity(reviewer),
        ),
    )


@router.post("/invitations/{invitation_id}/extensions", dependencies=[CsrfChecked])
def extend(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    reviewer: PageReviewer,
    clock: ClockDep,
    invitation_id: Id,
    minutes: Annotated[int, Form(ge=1, le=14 * 24 * 60)],
    reason: Annotated[str, Form(max_length=1000)],
) -> Response:
    invitation = get_invitation(session, invitation_id)
    try:
        ledger.extend(
            session,
            invitation,
            minutes=minutes,
            reason=reason,
            actor=reviewer,
            now=clock.now(),
            policy=ledger.policy_fallback(settings, invitation),
        )
    except HarnessError as exc:
        session.rollback()
        ctx = invitation_context(
            session,
            invitation_id,
            clock.now(),
            target_days=settings.process_target_days,
            identity=shows_identity(reviewer),
        )
        return render(
            request, "invitation.html", {**ctx, "error": exc.message}, status_code=exc.status_code
        )
    return RedirectResponse(f"/invitations/{invitation_id}#timebox", status_code=303)


@router.post("/invitations/bulk")
async def bulk(
    request: Request,
    session: SessionDep,
    db: DatabaseDep,
    settings: SettingsDep,
    reviewer: PageReviewer,
    clock: ClockDep,
    notifier: NotifierDep,
    background: BackgroundTasks,
) -> Response:
    """Bulk invitations from an uploaded CSV; the page lists the links made and the bad rows."""
    # Signed in first (the dependency), then the file is streamed with a cap, then the CSRF
    # field that came with it is checked before anything is created.
    upload = await receive_upload(
        request, incoming=settings.blobs_dir / "incoming", cap_bytes=MAX_BULK_BYTES
    )
    try:
        if not csrf_valid(request, upload.fields.get("csrf_token")):
            raise Forbidden(
                "the form expired or did not come from this site; reload the page and try again"
            )
        data = upload.path.read_bytes()
    finally:
        upload.discard()
    assignment = upload.fields.get("assignment") or None
    anonymous = upload.fields.get("anonymous_review", "") == "true"
    try:
        done = await run_in_threadpool(
            bulk_create,
            request,
            session,
            settings,
            reviewer,
            clock.now(),
            data,
            assignment=assignment,
            anonymous_review=anonymous,
        )
    except HarnessError as exc:
        return await run_in_threadpool(
            invitations_page, request, session, settings, clock, None, exc.message, None, 422
        )
    for notice in done.notices:
        send_after_commit(background, db, notifier, clock, notice)
    status = 201 if done.result.created else 422
    return await run_in_threadpool(
        invitations_page, request, session, settings, clock, None, None, done.result, status
    )


def invitations_page(
    request: Request,
    session: Session,
    settings: Settings,
    clock: Clock,
    created: dict[str, Any] | None,
    error: str | None,
    bulk_result: BulkInviteOut | None,
    status_code: int = 200,
) -> Response:
    """The invitations page: the invite form, the bulk form (with the last bulk's result),
    and the latest invitations with their clocks."""
    now = clock.now()
    rows = [with_timebox(session, i, now) for i in InvitationRepository(session).list(limit=200)]
    return render(
        request,
        "invitations.html",
        {
            "rows": rows,
            "assignments": list_assignments(settings),
            "created": created,
            "error": error,
            "bulk": bulk_result,
            "bulk_columns": COLUMNS,
        },
        status_code=status_code,
    )


@router.get("/payments")
def payments_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    reviewer: PageReviewer,
    clock: ClockDep,
    status: Literal["", "owed", "approved", "paid"] = "",
    assignment: Annotated[str, Query(max_length=64)] = "",
    currency: Annotated[str, Query(pattern=r"^([A-Z]{3})?$")] = "",
    month: Annotated[str, Query(pattern=r"^((19|2\d)\d{2}-(0[1-9]|1[0-2]))?$")] = "",
) -> Response:
    return _payments_page(
        request, session, settings, reviewer, clock, status, assignment, currency, month
    )


def _payments_page(
    request: Request,
    session: Session,
    settings: Settings,
    reviewer: Reviewer,
    clock: Clock,
    status: str = "",
    assignment: str = "",
    currency: str = "",
    month: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    flt = payments.PaymentFilter(
        status=status or None,
        assignment=assignment or None,
        currency=currency or None,
        month=month or None,
    )
    rows = payments.list_payments(session, flt)
    out = payments_out(rows, show_identity=shows_identity(reviewer))
    query = "&".join(
        f"{k}={v}"
        for k, v in (
            ("status", status),
            ("assignment", assignment),
            ("currency", currency),
            ("month", month),
        )
        if v
    )
    return render(
        request,
        "payments.html",
        {
            "p": out,
            "f": {"status": status, "assignment": assignment, "currency": currency, "month": month},
            "query": query,
            "assignments": [a.spec.name for a in list_assignments(settings)],
            "error": error,
            "today": clock.now().date().isoformat(),
        },
        status_code=status_code,
    )


def _payment_action(
    request: Request,
    session: Session,
    settings: Settings,
    reviewer: Reviewer,
    clock: Clock,
    payment_id: int,
    action: Callable[[Any], object],
) -> Response:
    """Apply a status change to one payment; a refused change re-renders the page with why."""
    try:
        action(payments.get_payment(session, payment_id))
    except HarnessError as exc:
        if exc.status_code == 404:
            raise
        session.rollback()
        return _payments_page(
            request,
            session,
            settings,
            reviewer,
            clock,
            error=exc.message,
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/payments#payment-{payment_id}", status_code=303)


@router.post("/payments/{payment_id}/approve", dependencies=[CsrfChecked])
def approve(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    reviewer: PageReviewer,
    clock: ClockDep,
    payment_id: Id,
) -> Response:
    return _payment_action(
        request, session, settings, reviewer, clock, payment_id,
        lambda payment: payments.approve_payment(session, payment, reviewer, clock.now()),
    )


@router.post("/payments/{payment_id}/paid", dependencies=[CsrfChecked])
def paid(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    reviewer: PageReviewer,
    clock: ClockDep,
    payment_id: Id,
    paid_on: Annotated[date, Form()],
    reference: Annotated[str, Form(max_length=200)],
) -> Response:
    return _payment_action(
        request, session, settings, reviewer, clock, payment_id,
        lambda payment: payments.mark_payment_paid(
            session, payment, reviewer, paid_on=paid_on, reference=reference, now=clock.now()
        ),
    )
