"""Reviewer JSON API of the paid time box: bulk invitations, extensions, payments, process speed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api import views
from api.deps import ApiReviewer, DatabaseDep, Id, SessionDep, SettingsDep
from api.routers.ledger_common import (
    ClockDep,
    NotifierDep,
    candidate_link,
    send_after_commit,
    shows_identity,
)
from api.uploads import BadUpload, receive_upload
from harness.accounts.models import Reviewer
from harness.assignments.loader import load_assignment
from harness.assignments.spec import AssignmentSpec
from harness.errors import HarnessError, InputRejected, NotFound
from harness.invitations.bulk import MAX_BULK_BYTES, create_bulk, parse_bulk_csv
from harness.invitations.models import Invitation
from harness.invitations.repository import InvitationRepository
from harness.invitations.schemas import InvitationDetail
from harness.ledger import payments
from harness.ledger import service as ledger
from harness.ledger.export import (
    MonthBasis,
    payroll_csv,
    totals_by_assignment,
    totals_by_currency,
    totals_by_month,
    totals_csv,
)
from harness.ledger.notices import invitation_notice
from harness.ledger.schemas import (
    BulkCreatedOut,
    BulkErrorOut,
    BulkInviteOut,
    ExtensionCreate,
    ExtensionOut,
    PaymentOut,
    PaymentPaid,
    PaymentsOut,
    ProcessOut,
)
from harness.ledger.timelines import process_overview, timeline_of
from harness.ledger.views import (
    extension_out,
    payment_out,
    payments_out,
    process_out,
    timebox_out,
    timeline_out,
)
from harness.notify.messages import Notification
from harness.settings import Settings

router = APIRouter(prefix="/api", tags=["ledger"])

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


def spec_loader(settings: Settings) -> Callable[[str], AssignmentSpec]:
    """Assignment specs by name, each loaded once per request."""
    cache: dict[str, AssignmentSpec] = {}

    def load(name: str) -> AssignmentSpec:
        if name not in cache:
            cache[name] = load_assignment(name, settings).spec
        return cache[name]

    return load


def invitation_detail(
    session: Session, invitation: Invitation, now: datetime, *, target_days: int, identity: bool
) -> InvitationDetail:
    """One invitation with its time box, extensions, payment and timeline."""
    base = views.invitation_view(invitation)
    row = payments.payment_for_invitation(session, invitation.id)
    return InvitationDetail(
        **base.model_dump(exclude={"timebox", "payment_status"}),
        timebox=timebox_out(invitation, now),
        payment_status=row.status if row else None,
        extensions=[extension_out(e) for e in ledger.extensions_of(session, invitation.id)],
        payment=payment_out(row, show_identity=identity) if row else None,
        timeline=timeline_out(timeline_of(session, invitation.id), now, target_days=target_days),
        submission_ids=[s.id for s in invitation.submissions],
    )


def get_invitation(session: Session, invitation_id: int) -> Invitation:
    invitation = InvitationRepository(session).get(invitation_id)
    if invitation is None:
        raise NotFound(f"invitation {invitation_id} does not exist")
    return invitation


@router.post("/invitations/bulk", response_model=BulkInviteOut, openapi_extra=BULK_BODY)
async def bulk_invite(
    request: Request,
    session: SessionDep,
    reviewer: ApiReviewer,
    db: DatabaseDep,
    settings: SettingsDep,
    clock: ClockDep,
    notifier: NotifierDep,
    background: BackgroundTasks,
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
    data = await read_csv_body(request, settings)
    out = await run_in_threadpool(
        bulk_create,
        request,
        session,
        settings,
        reviewer,
        clock.now(),
        data,
        assignment=assignment,
        anonymous_review=anonymous_review,
    )
    if notify:
        for notice in out.notices:
            send_after_commit(background, db, notifier, clock, notice)
    return out.result


@dataclass
class BulkDone:
    result: BulkInviteOut
    notices: list[Notification | None]


def bulk_create(
    request: Request,
    session: Session,
    settings: Settings,
    reviewer: Reviewer,
    now: datetime,
    data: bytes,
    *,
    assignment: str | None,
    anonymous_review: bool,
) -> BulkDone:
    """Parse the CSV and create its good rows in the request's transaction (runs in a thread:
    the request's session holds the write lock, so no second session may write)."""
    rows, parse_errors = parse_bulk_csv(data)
    outcome = create_bulk(
        session,
        rows,
        load_spec=spec_loader(settings),
        actor=reviewer,
        default_assignment=assignment,
        anonymous_review=anonymous_review,
        now=now,
    )
    created = []
    notices: list[Notification | None] = []
    titles: dict[str, str] = {}
    for c in outcome.created:
        link = candidate_link(request, c.token)
        created.append(
            BulkCreatedOut(
                line=c.line,
                id=c.invitation_id,
                name=c.name,
                email=c.email,
                assignment=c.assignment,
                link=link,
            )
        )
        inv = session.get(Invitation, c.invitation_id)
        if inv is not None:
            if c.assignment not in titles:
                titles[c.assignment] = spec_title(settings, c.assignment)
            notices.append(invitation_notice(inv, link, title=titles[c.assignment]))
    errors = sorted([*parse_errors, *outcome.errors], key=lambda e: e.line)
    return BulkDone(
        BulkInviteOut(
            created=created,
            errors=[BulkErrorOut(line=e.line, email=e.email, message=e.message) for e in errors],
        ),
        notices,
    )


def spec_title(settings: Settings, name: str) -> str:
    try:
        return load_assignment(name, settings).spec.title
    except HarnessError:
        return name


async def read_csv_body(request: Request, settings: Settings) -> bytes:
    """The CSV of a bulk invitation: a ``text/csv`` body, or the ``file`` of a multipart form."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        upload = await receive_upload(
            request, incoming=settings.blobs_dir / "incoming", cap_bytes=MAX_BULK_BYTES
        )
        try:
            return upload.path.read_bytes()
        finally:
            upload.discard()
    if not content_type.startswith(("text/csv", "text/plain", "application/csv")):
        raise BadUpload("send the CSV as text/csv, or as the field 'file' of a multipart form")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BULK_BYTES:
            raise InputRejected(
                f"the file is larger than {MAX_BULK_BYTES // 1024} KiB; split it into smaller files"
            )
    return bytes(body)


@router.get("/invitations/{invitation_id}", response_model=InvitationDetail)
def invitation(
    session: SessionDep,
    reviewer: ApiReviewer,
    settings: SettingsDep,
    clock: ClockDep,
    invitation_id: Id,
) -> InvitationDetail:
    """One invitation: its time box (clock, deadline, terms), extensions, payment, timeline."""
    return invitation_detail(
        session,
        get_invitation(session, invitation_id),
        clock.now(),
        target_days=settings.process_target_days,
        identity=shows_identity(reviewer),
    )


@router.post(
    "/invitations/{invitation_id}/extensions", status_code=201, response_model=ExtensionOut
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
    invitation = get_invitation(session, invitation_id)
    row = ledger.extend(
        session,
        invitation,
        minutes=body.minutes,
        reason=body.reason,
        actor=reviewer,
        now=clock.now(),
        policy=ledger.policy_fallback(settings, invitation),
    )
    return extension_out(row)


@router.get("/payments", response_model=PaymentsOut)
def list_payments(
    session: SessionDep,
    reviewer: ApiReviewer,
    status: StatusFilter | None = None,
    assignment: Assignment = None,
    currency: Currency = None,
    month: Month = None,
) -> PaymentsOut:
    """Payments (newest first) and their totals by month, assignment and currency.

    Amounts are exact decimal strings; totals are per currency (never added across them).
    """
    rows = payments.list_payments(
        session,
        payments.PaymentFilter(
            status=status, assignment=assignment, currency=currency, month=month
        ),
    )
    return payments_out(rows, show_identity=shows_identity(reviewer))


@router.get("/payments.csv", response_class=Response)
def payments_csv(
    session: SessionDep,
    reviewer: ApiReviewer,
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
    rows = payments.list_payments(
        session,
        payments.PaymentFilter(
            status=status, assignment=assignment, currency=currency, month=month
        ),
    )
    payroll = payments.payroll_rows(rows, show_identity=shows_identity(reviewer))
    if by == "payment":
        text = payroll_csv(payroll)
    elif by == "month":
        text = totals_csv(
            totals_by_month(payroll, basis=MonthBasis(month_basis)), key_header="month"
        )
    elif by == "assignment":
        text = totals_csv(totals_by_assignment(payroll), key_header="assignment")
    else:
        text = totals_csv(totals_by_currency(payroll), key_header="currency")
    name = "payments.csv" if by == "payment" else f"payment-totals-by-{by}.csv"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/payments/{payment_id}/approve", response_model=PaymentOut)
def approve(
    session: SessionDep, reviewer: ApiReviewer, clock: ClockDep, payment_id: Id
) -> PaymentOut:
    """Approve an owed payment for payroll (audited); its amount is frozen from then on."""
    row = payments.approve_payment(
        session, payments.get_payment(session, payment_id), reviewer, clock.now()
    )
    return payment_out(row, show_identity=shows_identity(reviewer))


@router.post("/payments/{payment_id}/paid", response_model=PaymentOut)
def paid(
    session: SessionDep, reviewer: ApiReviewer, clock: ClockDep, payment_id: Id, body: PaymentPaid
) -> PaymentOut:
    """Mark an approved payment paid, with the payroll date and reference (audited)."""
    row = payments.mark_payment_paid(
        session,
        payments.get_payment(session, payment_id),
        reviewer,
        paid_on=body.paid_on,
        reference=body.reference,
        now=clock.now(),
    )
    return payment_out(row, show_identity=shows_identity(reviewer))


@router.get("/process", response_model=ProcessOut)
def process(
    session: SessionDep, _: ApiReviewer, settings: SettingsDep, clock: ClockDep
) -> ProcessOut:
    """Process speed: the team's median time per step and the candidates heading past the
    target (``HARNESS_PROCESS_TARGET_DAYS`` from invitation to decision)."""
    overview = process_overview(session, clock.now(), target_days=settings.process_target_days)
    return process_out(session, overview)
