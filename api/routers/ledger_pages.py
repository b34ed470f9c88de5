"""Reviewer pages of invitations and the paid time box: the invitations list with the invite
and bulk forms, one invitation (clock, extensions, payment, timeline), and the payments ledger
with its totals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.deps import (
    AfterCommitDep,
    ClockDep,
    CsrfChecked,
    Forbidden,
    Id,
    Inviter,
    LinksDep,
    PageReviewer,
    Payroll,
    SessionDep,
    SettingsDep,
    may_set_pay,
    shows_identity,
)
from api.security import csrf_valid
from api.templating import MILESTONE_LABELS, STEP_LABELS, render
from api.uploads import receive_csv
from harness.accounts.models import Reviewer
from harness.assignments.loader import list_assignments, spec_loader
from harness.errors import HarnessError
from harness.invitations.bulk import COLUMNS, invite_from_csv
from harness.invitations.schemas import BulkInviteOut, InvitationCreate
from harness.ledger.clock import Clock
from harness.payments import service as payments
from harness.reviewing import service as reviewing
from harness.settings import Settings
from harness.timeboxes import service as timeboxes

router = APIRouter(tags=["pages"], include_in_schema=False)


def _invitation_context(page: reviewing.InvitationPage, **extra: Any) -> dict[str, Any]:
    return {
        "inv": page.invitation,
        "view": page.view,
        "label": page.label,
        "hidden": page.hidden,
        "box": page.box,
        "extensions": page.extensions,
        "payment": page.payment,
        "payment_view": page.payment_view,
        "timeline": page.timeline,
        "steps": [(STEP_LABELS[step.value], secs) for step, secs in page.steps],
        "milestone_labels": MILESTONE_LABELS,
        "submissions": page.versions,
        **extra,
    }


def _invitation_page(
    request: Request,
    session: Session,
    settings: Settings,
    reviewer: Reviewer,
    clock: Clock,
    invitation_id: int,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    page = reviewing.invitation_page(
        session,
        invitation_id,
        clock.now(),
        target_days=settings.process_target_days,
        show_identity=shows_identity(reviewer),
    )
    return render(
        request, "invitation.html", _invitation_context(page, error=error), status_code=status_code
    )


@router.get("/invitations/{invitation_id}")
def invitation_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    reviewer: Inviter,
    clock: ClockDep,
    invitation_id: Id,
) -> Response:
    return _invitation_page(request, session, settings, reviewer, clock, invitation_id)


@router.post("/invitations/{invitation_id}/link", dependencies=[CsrfChecked])
def new_link(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    reviewer: Inviter,
    clock: ClockDep,
    links: LinksDep,
    invitation_id: Id,
) -> Response:
    """Issue a new link (the old one stops working) and show it once on the invitation page."""
    made = reviewing.new_link(session, invitation_id, actor=reviewer, link_for=links.candidate)
    page = reviewing.invitation_page(
        session,
        invitation_id,
        clock.now(),
        target_days=settings.process_target_days,
        show_identity=shows_identity(reviewer),
    )
    return render(request, "invitation.html", _invitation_context(page, new_link=made.link))


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
    try:
        timeboxes.grant(
            session,
            settings,
            invitation_id,
            minutes=minutes,
            reason=reason,
            actor=reviewer,
            now=clock.now(),
        )
    except HarnessError as exc:
        if exc.status_code == 404:
            raise
        session.rollback()
        return _invitation_page(
            request,
            session,
            settings,
            reviewer,
            clock,
            invitation_id,
            error=exc.message,
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/invitations/{invitation_id}#timebox", status_code=303)


def _invitations_page(
    request: Request,
    session: Session,
    settings: Settings,
    clock: Clock,
    *,
    created: dict[str, Any] | None = None,
    error: str | None = None,
    bulk_result: BulkInviteOut | None = None,
    status_code: int = 200,
) -> Response:
    """The invitations page: the invite form, the bulk form (with the last bulk's result),
    and the latest invitations with their clocks."""
    return render(
        request,
        "invitations.html",
        {
            "rows": reviewing.invitations(session, clock.now(), limit=200),
            "assignments": list_assignments(settings),
            "created": created,
            "error": error,
            "bulk": bulk_result,
            "bulk_columns": COLUMNS,
        },
        status_code=status_code,
    )


@router.get("/invitations")
def invitations(
    request: Request, session: SessionDep, settings: SettingsDep, _: Inviter, clock: ClockDep
) -> Response:
    return _invitations_page(request, session, settings, clock)


class InviteForm(BaseModel):
    """The invite form; an empty field keeps the assignment's term."""

    assignment: str = Field(max_length=64)
    name: str = Field(max_length=200)
    email: str = Field(max_length=320)
    anonymous_review: bool = False
    time_box_hours: str = Field(default="", max_length=20)
    grace_minutes: str = Field(default="", max_length=20)
    start_window_days: str = Field(default="", max_length=20)
    pay_kind: str = Field(default="", max_length=10)
    hourly_rate: str = Field(default="", max_length=20)
    cap_hours: str = Field(default="", max_length=20)
    flat_fee: str = Field(default="", max_length=20)
    currency: str = Field(default="", max_length=3)
    no_submission_pay: str = Field(default="", max_length=10)
    no_submission_amount: str = Field(default="", max_length=20)

    def body(self) -> InvitationCreate:
        """The form as the API's body (its checks and messages), empty fields left out."""
        values: dict[str, Any] = {
            k: (v.strip() or None) if isinstance(v, str) else v
            for k, v in self.model_dump(exclude={"name", "email"}).items()
        }
        currency = values["currency"]
        values.update(name=self.name, email=self.email, currency=currency and currency.upper())
        try:
            return InvitationCreate.model_validate(values)
        except ValidationError as exc:
            raise HarnessError(
                "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()),
                status_code=422,
            ) from None


@router.post("/invitations", dependencies=[CsrfChecked])
def invite(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    reviewer: Inviter,
    clock: ClockDep,
    links: LinksDep,
    after: AfterCommitDep,
    form: Annotated[InviteForm, Form()],
) -> Response:
    created = error = None
    try:
        made, notice = reviewing.create_invitation(
            session,
            settings,
            form.body(),
            actor=reviewer,
            now=clock.now(),
            link_for=links.candidate,
            may_set_pay=may_set_pay(reviewer),
        )
        created = {
            "link": made.link,
            "id": made.id,
            # Who was invited: the inviter typed these, so showing them back hides nothing.
            "name": " ".join(form.name.split()),
            "email": form.email.strip().lower(),
            "label": made.candidate,
            "anonymous": form.anonymous_review,
        }
        after.send(notice)
    except HarnessError as exc:
        session.rollback()
        error = exc.message
    return _invitations_page(
        request,
        session,
        settings,
        clock,
        created=created,
        error=error,
        status_code=201 if created else 422,
    )


@router.post("/invitations/bulk")
async def bulk(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    reviewer: Inviter,
    clock: ClockDep,
    links: LinksDep,
    after: AfterCommitDep,
) -> Response:
    """Bulk invitations from an uploaded CSV; the page lists the links made and the bad rows."""
    # Signed in first (the dependency), then the file is streamed with a cap, then the CSRF
    # field that came with it is checked before anything is created.
    data, fields = await receive_csv(request, settings)
    if not csrf_valid(request, fields.get("csrf_token")):
        raise Forbidden(
            "the form expired or did not come from this site; reload the page and try again"
        )
    try:
        done = await run_in_threadpool(
            lambda: invite_from_csv(
                session,
                data,
                load_spec=spec_loader(settings),
                link_for=links.candidate,
                actor=reviewer,
                default_assignment=fields.get("assignment") or None,
                anonymous_review=fields.get("anonymous_review", "") == "true",
                now=clock.now(),
                may_set_pay=may_set_pay(reviewer),
            )
        )
    except HarnessError as exc:
        message = exc.message
        return await run_in_threadpool(
            lambda: _invitations_page(
                request, session, settings, clock, error=message, status_code=422
            )
        )
    for notice in done.notices:
        after.send(notice)
    status = 201 if done.result.created else 422
    return await run_in_threadpool(
        lambda: _invitations_page(
            request, session, settings, clock, bulk_result=done.result, status_code=status
        )
    )


@router.get("/payments")
def payments_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    reviewer: Payroll,
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
    filters = {"status": status, "assignment": assignment, "currency": currency, "month": month}
    out = payments.payments_out(
        session,
        payments.PaymentFilter(
            status=status or None,
            assignment=assignment or None,
            currency=currency or None,
            month=month or None,
        ),
        show_identity=shows_identity(reviewer),
    )
    return render(
        request,
        "payments.html",
        {
            "p": out,
            "f": filters,
            "query": "&".join(f"{k}={v}" for k, v in filters.items() if v),
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
    action: Callable[[], object],
) -> Response:
    """Apply a status change to one payment; a refused change re-renders the page with why."""
    try:
        action()
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
    reviewer: Payroll,
    clock: ClockDep,
    payment_id: Id,
) -> Response:
    return _payment_action(
        request, session, settings, reviewer, clock, payment_id,
        lambda: payments.approve_payment(session, payment_id, reviewer, clock.now()),
    )


@router.post("/payments/{payment_id}/paid", dependencies=[CsrfChecked])
def paid(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    reviewer: Payroll,
    clock: ClockDep,
    payment_id: Id,
    paid_on: Annotated[date, Form()],
    reference: Annotated[str, Form(max_length=200)],
) -> Response:
    return _payment_action(
        request, session, settings, reviewer, clock, payment_id,
        lambda: payments.mark_payment_paid(
            session, payment_id, reviewer, paid_on=paid_on, reference=reference, now=clock.now()
        ),
    )
