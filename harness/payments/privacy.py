"""The candidate data of payments. A payment still owed or approved blocks erasure (the
candidate is owed money and payroll needs to know whom to pay); a paid one leaves its amount,
currency and month as an anonymous figure."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from harness.audit.service import redact
from harness.ledger.pay import PaymentStatus
from harness.payments.models import PaymentRecord
from harness.privacy.holders import (
    Drafts,
    ExportPart,
    FileSink,
    Holder,
    Subject,
    affected,
    row_dict,
)
from harness.settings import Settings

__all__ = ["PAYMENTS", "PaymentData"]


def _payments(session: Session, invitation_ids: Collection[int]) -> list[PaymentRecord]:
    if not invitation_ids:
        return []
    return list(
        session.scalars(
            select(PaymentRecord)
            .where(PaymentRecord.invitation_id.in_(invitation_ids))
            .order_by(PaymentRecord.id)
        )
    )


class PaymentData(Holder):
    """The one payment of each of the subject's invitations."""

    name = "payments"
    tables = frozenset({"payments"})

    def blockers(self, session: Session, subject: Subject) -> list[str]:
        return [
            f"payment {p.id} ({p.amount:f} {p.currency}) is {p.status}: pay it and record it "
            "as paid first, so the candidate gets their money"
            for p in _payments(session, subject.invitation_ids)
            if p.status != PaymentStatus.paid.value
        ]

    def export(self, session: Session, subject: Subject, settings: Settings) -> ExportPart:
        rows = _payments(session, subject.invitation_ids)
        return ExportPart(
            records={"payments": [row_dict(p, leave_out=("approved_by",)) for p in rows]}
        )

    def summarise(self, session: Session, subject: Subject, drafts: Drafts) -> None:
        for p in _payments(session, subject.invitation_ids):
            draft = drafts.candidate(p.invitation_id)
            draft.figures = {
                **draft.figures,
                "paid": {
                    "amount": f"{p.amount:f}",
                    "currency": p.currency,
                    "month": p.paid_on.strftime("%Y-%m") if p.paid_on else None,
                    "hours": f"{p.hours:f}" if p.hours is not None else None,
                },
            }

    def erase(self, session: Session, subject: Subject, settings: Settings, files: FileSink) -> int:
        rows = _payments(session, subject.invitation_ids)
        if not rows:
            return 0
        ids = [p.id for p in rows]
        touched = redact(session, "payment", frozenset(ids))
        touched += affected(session, delete(PaymentRecord).where(PaymentRecord.id.in_(ids)))
        return int(touched)


PAYMENTS = PaymentData()
