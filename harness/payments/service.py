"""Payments in the database: recorded on upload and when a time box closes empty, approved,
marked paid, listed and exported.

The rules live in ``harness.ledger.pay`` and ``harness.ledger.export`` (pure); this module loads
the one ``PaymentRecord`` of an invitation as a ``pay.Payment``, asks the rules what to record,
and writes the answer back. Every change is audited. Callers pass ``now`` from the injected
clock. Names shown to reviewers go through anonymous review (``candidate_for_payroll``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from harness.accounts.models import Reviewer
from harness.audit import service as audit
from harness.errors import InputRejected, NotFound
from harness.invitations import terms as promised
from harness.invitations.models import Invitation
from harness.invitations.service import candidate_email, candidate_label
from harness.ledger.clock import ensure_utc
from harness.ledger.export import (
    MonthBasis,
    PayrollRow,
    Total,
    payroll_csv,
    payroll_row,
    totals_by_assignment,
    totals_by_currency,
    totals_by_month,
    totals_csv,
)
from harness.ledger.money import Money
from harness.ledger.pay import (
    Payment,
    PaymentBasis,
    PaymentStatus,
    approve,
    hours_worked,
    mark_paid,
    payment_for_submission,
    payment_without_submission,
)
from harness.payments.models import PaymentRecord
from harness.payments.schemas import PaymentOut, PaymentsOut, TotalOut

__all__ = [
    "PaymentFilter",
    "PayrollExport",
    "approve_payment",
    "candidate_for_payroll",
    "get_payment",
    "list_payments",
    "mark_payment_paid",
    "payment_for_invitation",
    "payment_out",
    "payment_value",
    "payments_out",
    "payroll_export",
    "payroll_rows",
    "record_for_submission",
    "record_without_submission",
    "statuses_of",
]


def payment_value(row: PaymentRecord) -> Payment:
    """The row as the ledger's value (its invariants are checked on the way)."""
    return Payment(
        amount=Money(row.amount, row.currency),
        status=PaymentStatus(row.status),
        basis=PaymentBasis(row.basis),
        owed_at=row.owed_at,
        hours=row.hours,
        submission_id=row.submission_id,
        id=row.id,
        approved_at=row.approved_at,
        approved_by=row.approved_by,
        paid_on=row.paid_on,
        reference=row.reference,
    )


def _store(row: PaymentRecord, value: Payment, now: datetime) -> None:
    row.amount = value.amount.amount
    row.currency = value.amount.currency
    row.status = value.status.value
    row.basis = value.basis.value
    row.owed_at = value.owed_at
    row.hours = value.hours
    row.submission_id = value.submission_id
    row.approved_at = value.approved_at
    row.approved_by = value.approved_by
    row.paid_on = value.paid_on
    row.reference = value.reference
    row.updated_at = now


def payment_for_invitation(session: Session, invitation_id: int) -> PaymentRecord | None:
    return session.scalar(select(PaymentRecord).where(PaymentRecord.invitation_id == invitation_id))


def statuses_of(session: Session, invitation_ids: Sequence[int]) -> dict[int, str]:
    """The payment status of each invitation that has a payment, in one query (for lists)."""
    if not invitation_ids:
        return {}
    rows = session.execute(
        select(PaymentRecord.invitation_id, PaymentRecord.status).where(
            PaymentRecord.invitation_id.in_(invitation_ids)
        )
    )
    return {inv_id: status for inv_id, status in rows}


def _settle(
    session: Session,
    invitation: Invitation,
    row: PaymentRecord | None,
    value: Payment | None,
    now: datetime,
) -> PaymentRecord | None:
    if value is None:
        return row
    if row is None:
        row = PaymentRecord(invitation_id=invitation.id)
        _store(row, value, now)
        session.add(row)
        session.flush()
        action = "payment.owed"
    else:
        _store(row, value, now)
        action = "payment.recomputed"
    audit.record(
        session,
        action,
        actor="system",
        object_type="payment",
        object_id=row.id,
        invitation=invitation.id,
        amount=f"{row.amount:f}",
        currency=row.currency,
        hours=None if row.hours is None else f"{row.hours:f}",
        basis=row.basis,
        submission=row.submission_id,
    )
    return row


def record_for_submission(
    session: Session, invitation: Invitation, *, submission_id: int, uploaded_at: datetime
) -> PaymentRecord | None:
    """Record (or recompute, while owed) what the candidate is owed after an upload.

    Hours run from the clock's start to this upload, capped by the time box. Nothing happens
    for an unpaid or unstarted invitation, or once the payment is approved or paid.
    """
    terms = promised.pay_terms_of(invitation)
    if terms is None or invitation.started_at is None or not promised.is_timed(invitation):
        return None
    box = promised.terms_of(invitation).time_box
    row = payment_for_invitation(session, invitation.id)
    value = payment_for_submission(
        [payment_value(row)] if row else [],
        terms=terms,
        hours=hours_worked(invitation.started_at, uploaded_at, box),
        submission_id=submission_id,
        now=uploaded_at,
    )
    return _settle(session, invitation, row, value, ensure_utc(uploaded_at))


def record_without_submission(
    session: Session, invitation: Invitation, now: datetime
) -> PaymentRecord | None:
    """Apply the invitation's no-submission policy (its time box closed with nothing uploaded)."""
    terms = promised.pay_terms_of(invitation)
    if terms is None:
        return None
    row = payment_for_invitation(session, invitation.id)
    value = payment_without_submission(
        [payment_value(row)] if row else [],
        terms=terms,
        policy=promised.no_submission_policy_of(invitation),
        started=invitation.started_at is not None,
        now=now,
    )
    return _settle(session, invitation, row, value, ensure_utc(now))


def get_payment(session: Session, payment_id: int) -> PaymentRecord:
    row = session.get(PaymentRecord, payment_id)
    if row is None:
        raise NotFound(f"payment {payment_id} does not exist")
    return row


def approve_payment(
    session: Session, payment_id: int, actor: Reviewer | str, now: datetime
) -> PaymentRecord:
    """Approve an owed payment for payroll; its amount is frozen from now on."""
    row = get_payment(session, payment_id)
    by = actor.email if isinstance(actor, Reviewer) else actor
    value = approve(payment_value(row), at=now, by=by)
    _store(row, value, ensure_utc(now))
    audit.record(
        session,
        "payment.approve",
        actor=actor,
        object_type="payment",
        object_id=row.id,
        invitation=row.invitation_id,
        amount=f"{row.amount:f}",
        currency=row.currency,
    )
    return row


def mark_payment_paid(
    session: Session,
    payment_id: int,
    actor: Reviewer | str,
    *,
    paid_on: date,
    reference: str,
    now: datetime,
) -> PaymentRecord:
    """Mark an approved payment paid on the payroll date, with its reference. Refused for the
    person who approved it (``SeparationOfDuties``)."""
    row = get_payment(session, payment_id)
    by = actor.email if isinstance(actor, Reviewer) else actor
    value = mark_paid(payment_value(row), paid_on=paid_on, reference=reference, by=by)
    _store(row, value, ensure_utc(now))
    audit.record(
        session,
        "payment.paid",
        actor=actor,
        object_type="payment",
        object_id=row.id,
        invitation=row.invitation_id,
        paid_on=paid_on.isoformat(),
        reference=row.reference,
    )
    return row


@dataclass(frozen=True)
class PaymentFilter:
    status: str | None = None
    """``owed``, ``approved`` or ``paid``."""
    assignment: str | None = None
    currency: str | None = None
    month: str | None = None
    """``YYYY-MM``: payments that became owed in that UTC month."""
    limit: int = 5000


def list_payments(session: Session, flt: PaymentFilter) -> Sequence[PaymentRecord]:
    """Payments, newest owed first, with invitation and candidate loaded."""
    query = (
        select(PaymentRecord)
        .join(Invitation, Invitation.id == PaymentRecord.invitation_id)
        .options(joinedload(PaymentRecord.invitation).joinedload(Invitation.candidate))
        .order_by(PaymentRecord.owed_at.desc(), PaymentRecord.id.desc())
        .limit(flt.limit)
    )
    if flt.status:
        query = query.where(PaymentRecord.status == flt.status)
    if flt.assignment:
        query = query.where(Invitation.assignment_name == flt.assignment)
    if flt.currency:
        query = query.where(PaymentRecord.currency == flt.currency)
    if flt.month:
        try:
            year, month = (int(part) for part in flt.month.split("-"))
            first = datetime(year, month, 1, tzinfo=UTC)
            after = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
        except ValueError:
            raise InputRejected(f"month must look like 2026-11 (got {flt.month[:10]!r})") from None
        query = query.where(PaymentRecord.owed_at >= first, PaymentRecord.owed_at < after)
    return session.scalars(query).unique().all()


def candidate_for_payroll(invitation: Invitation, *, show_identity: bool) -> tuple[str, str]:
    """Name and email as the viewer may see them: payroll (admins) always sees who to pay;
    other reviewers see ``Candidate #id`` until anonymous review ends."""
    if show_identity:
        return invitation.candidate.name, invitation.candidate.email
    return candidate_label(invitation), candidate_email(invitation) or ""


def payroll_rows(rows: Sequence[PaymentRecord], *, show_identity: bool) -> list[PayrollRow]:
    out = []
    for row in rows:
        name, email = candidate_for_payroll(row.invitation, show_identity=show_identity)
        out.append(
            payroll_row(
                payment_value(row),
                candidate=name,
                email=email,
                assignment=row.invitation.assignment_name,
            )
        )
    return out


def payment_out(row: PaymentRecord, *, show_identity: bool) -> PaymentOut:
    name, email = candidate_for_payroll(row.invitation, show_identity=show_identity)
    return PaymentOut(
        id=row.id,
        invitation_id=row.invitation_id,
        candidate=name,
        email=email or None,
        assignment=row.invitation.assignment_name,
        status=row.status,
        basis=row.basis,
        amount=row.amount,
        currency=row.currency,
        hours=row.hours,
        submission_id=row.submission_id,
        owed_at=row.owed_at,
        approved_at=row.approved_at,
        approved_by=row.approved_by,
        paid_on=row.paid_on,
        reference=row.reference,
    )


def _totals(totals: Sequence[Total]) -> list[TotalOut]:
    return [
        TotalOut(key=t.key, currency=t.amount.currency, amount=t.amount.amount, count=t.count)
        for t in totals
    ]


def payments_out(session: Session, flt: PaymentFilter, *, show_identity: bool) -> PaymentsOut:
    """The payments ``flt`` selects (newest first), with their totals by month, assignment and
    currency."""
    rows = list_payments(session, flt)
    payroll = payroll_rows(rows, show_identity=show_identity)
    return PaymentsOut(
        items=[payment_out(r, show_identity=show_identity) for r in rows],
        totals_by_month=_totals(totals_by_month(payroll)),
        totals_by_assignment=_totals(totals_by_assignment(payroll)),
        totals_by_currency=_totals(totals_by_currency(payroll)),
    )


@dataclass(frozen=True)
class PayrollExport:
    filename: str
    text: str
    """The CSV (RFC 4180, formula-looking cells made inert)."""


def payroll_export(
    session: Session,
    flt: PaymentFilter,
    *,
    show_identity: bool,
    by: Literal["payment", "month", "assignment", "currency"] = "payment",
    month_basis: MonthBasis = MonthBasis.owed,
) -> PayrollExport:
    """The payroll CSV: one row per payment, or totals by month, assignment or currency."""
    payroll = payroll_rows(list_payments(session, flt), show_identity=show_identity)
    if by == "payment":
        return PayrollExport("payments.csv", payroll_csv(payroll))
    if by == "month":
        text = totals_csv(totals_by_month(payroll, basis=month_basis), key_header="month")
    elif by == "assignment":
        text = totals_csv(totals_by_assignment(payroll), key_header="assignment")
    else:
        text = totals_csv(totals_by_currency(payroll), key_header="currency")
    return PayrollExport(f"payment-totals-by-{by}.csv", text)
