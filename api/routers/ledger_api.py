"""Reviewer JSON API of the paid time box: bulk invitations, extensions, payments, process speed."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import (
    AfterCommitDep,
    ApiReviewer,
    ClockDep,
    Id,
    Inviter,
    LinksDep,
    Payroll,
    SessionDep,
    SettingsDep,
    may_set_pay,
    shows_identity,
)
from api.openapi import errors
from api.uploads import receive_csv
from harness.assignments.loader import spec_loader
from harness.invitations.bulk import invite_from_csv
from harness.invitations.schemas import BulkInviteOut
from harness.ledger.export import MonthBasis
from harness.payments import service as payments
from harness.payments.schemas import PaymentOut, PaymentPaid, PaymentsOut
from harness.process_speed import service as process_speed
from harness.process_speed.schemas import ProcessOut
from harness.reviewing import service as reviewing
from harness.reviewing.schemas import InvitationDetail, NewLink
from harness.timeboxes import service as timeboxes
from harness.timeboxes.schemas import ExtensionCreate, ExtensionOut

router = APIRouter(prefix="/api", tags=["ledger"], responses=errors(400, 401, 403))

StatusFilter = Literal["owed", "approved", "paid"]
Month = Annotated[
    str | None, Query(pattern=r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])$", examples=["2026-11"])
]
Currency = Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")]
Assignment = Annotated[str | None, Query(max_length=64)]

BULK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string", "description": "The CSV itself."}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "A CSV with a header: name,email[,time_box_hours,...]",
                        }
                    },
                }
            },
        },
    }
}


@router.post(
    "/invitations/bulk",
    response_model=BulkInviteOut,
    openapi_extra=BULK_BODY,
    responses=errors(413, 422),
)
async def bulk_invite(
    request: Request,
    session: SessionDep,
    reviewer: Inviter,
    settings: SettingsDep,
    clock: ClockDep,
    links: LinksDep,
    after: AfterCommitDep,
    assignment: Assignment = None,
    anonymous_review: bool = True,
    notify: bool = True,
) -> BulkInviteOut:
    """Invite many candidates from a CSV (``text/csv`` body, or multipart field ``file``).

    The header names the columns: ``name`` and ``email`` are required; ``assignment``,
    ``time_box_hours``, ``grace_minutes``, ``start_window_days``, ``pay_kind``,
    ``hourly_rate``, ``cap_hours``, ``flat_fee``, ``currency``, ``no_submission_pay``,
    ``no_submission_amount`` and ``anonymous_review`` are optional (an empty cell keeps the
    assignment's default; ``assignment`` defaults to the query parameter). Good rows are
    created even when others fail; each failure is listed with its CSV line. Answers 200 with
    both lists, and 422 when the file as a whole cannot be read.
    """
    data, _fields = await receive_csv(request, settings)
    # In a worker thread: the request's session holds the write lock, so it does the writing.
    done = await run_in_threadpool(
        lambda: invite_from_csv(
            session,
            data,
            load_spec=spec_loader(settings),
            link_for=links.candidate,
            actor=reviewer,
            default_assignment=assignment,
            anonymous_review=anonymous_review,
            now=clock.now(),
            may_set_pay=may_set_pay(reviewer),
        )
    )
    if notify:
        for notice in done.notices:
            after.send(notice)
    return done.result


@router.get(
    "/invitations/{invitation_id}", response_model=InvitationDetail, responses=errors(404, 422)
)
def invitation(
    session: SessionDep,
    reviewer: Inviter,
    settings: SettingsDep,
    clock: ClockDep,
    invitation_id: Id,
) -> InvitationDetail:
    """One invitation: its time box (clock, deadline, terms), extensions, payment, timeline."""
    return reviewing.invitation_detail(
        session,
        invitation_id,
        clock.now(),
        target_days=settings.process_target_days,
        show_identity=shows_identity(reviewer),
    )


@router.post(
    "/invitations/{invitation_id}/extensions",
    status_code=201,
    response_model=ExtensionOut,
    responses=errors(404, 409, 422),
)
def extend(
    session: SessionDep,
    reviewer: ApiReviewer,
    settings: SettingsDep,
    clock: ClockDep,
    invitation_id: Id,
    body: ExtensionCreate,
) -> ExtensionOut:
    """Grant more time with a reason (audited, shown on the report).

    Before the clock starts it moves the end of the window to start; after, it moves the
    deadline (past the window's end if need be). The new deadline is in the invitation's
    ``timebox``.
    """
    return timeboxes.grant(
        session,
        settings,
        invitation_id,
        minutes=body.minutes,
        reason=body.reason,
        actor=reviewer,
        now=clock.now(),
    )


@router.post(
    "/invitations/{invitation_id}/link", response_model=NewLink, responses=errors(404, 409, 422)
)
def new_link(
    session: SessionDep, reviewer: Inviter, links: LinksDep, invitation_id: Id
) -> NewLink:
    """A new link for the invitation, shown once; the previous link stops working (audited)."""
    return reviewing.new_link(session, invitation_id, actor=reviewer, link_for=links.candidate)


def _filter(
    status: str | None, assignment: str | None, currency: str | None, month: str | None
) -> payments.PaymentFilter:
    return payments.PaymentFilter(
        status=status, assignment=assignment, currency=currency, month=month
    )


@router.get("/payments", response_model=PaymentsOut, responses=errors(422))
def list_payments(
    session: SessionDep,
    reviewer: Payroll,
    status: StatusFilter | None = None,
    assignment: Assignment = None,
    currency: Currency = None,
    month: Month = None,
) -> PaymentsOut:
    """Payments (newest first) and their totals by month, assignment and currency.

    Amounts are exact decimal strings; totals are per currency (never added across them).
    """
    return payments.payments_out(
        session,
        _filter(status, assignment, currency, month),
        show_identity=shows_identity(reviewer),
    )


@router.get(
    "/payments.csv",
    response_class=Response,
    responses={
        200: {
            "description": "The payroll export (an attachment).",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
        **errors(422),
    },
)
def payments_csv(
    session: SessionDep,
    reviewer: Payroll,
    status: StatusFilter | None = None,
    assignment: Assignment = None,
    currency: Currency = None,
    month: Month = None,
    by: Literal["payment", "month", "assignment", "currency"] = "payment",
    month_basis: Literal["owed", "paid"] = "owed",
) -> Response:
    """The payroll export as CSV: one row per payment, or totals (``by=month|assignment|currency``).

    Cells that a spreadsheet would run as a formula are prefixed with an apostrophe.
    """
    export = payments.payroll_export(
        session,
        _filter(status, assignment, currency, month),
        show_identity=shows_identity(reviewer),
        by=by,
        month_basis=MonthBasis(month_basis),
    )
    return Response(
        export.text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )


@router.post(
    "/payments/{payment_id}/approve", response_model=PaymentOut, responses=errors(404, 409, 422)
)
def approve(
    session: SessionDep, reviewer: Payroll, clock: ClockDep, payment_id: Id
) -> PaymentOut:
    """Approve an owed payment for payroll (audited); its amount is frozen from then on.
    Payroll or admin only."""
    row = payments.approve_payment(session, payment_id, reviewer, clock.now())
    return payments.payment_out(row, show_identity=shows_identity(reviewer))


@router.post(
    "/payments/{payment_id}/paid", response_model=PaymentOut, responses=errors(404, 409, 422)
)
def paid(
    session: SessionDep, reviewer: Payroll, clock: ClockDep, payment_id: Id, body: PaymentPaid
) -> PaymentOut:
    """Mark an approved payment paid, with the payroll date and reference (audited). Payroll or
    admin only, and never by the person who approved it (separation of duties: 403)."""
    row = payments.mark_payment_paid(
        session,
        payment_id,
        reviewer,
        paid_on=body.paid_on,
        reference=body.reference,
        now=clock.now(),
    )
    return payments.payment_out(row, show_identity=shows_identity(reviewer))


@router.get("/process", response_model=ProcessOut)
def process(
    session: SessionDep, _: ApiReviewer, settings: SettingsDep, clock: ClockDep
) -> ProcessOut:
    """Process speed: the team's median time per step and the candidates heading past the
    target (``HARNESS_PROCESS_TARGET_DAYS`` from invitation to decision)."""
    return process_speed.process_out(
        session, clock.now(), target_days=settings.process_target_days
    )
