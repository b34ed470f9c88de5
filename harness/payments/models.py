"""The one payment of an invitation.

Amounts and hours are ``DecimalText`` (exact text on every backend); the money value types of
``harness.ledger.money`` and ``harness.ledger.pay`` are built from these rows by
``harness.payments.service`` and written back there, never by hand.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from harness.db.base import Base, DecimalText, UTCDateTime, utcnow
from harness.invitations.models import Invitation

__all__ = ["PaymentRecord"]


class PaymentRecord(Base):
    """The payment owed to one invitation's candidate. At most one per invitation (unique
    ``invitation_id``): a resubmission updates it while it is owed and never adds a second."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), unique=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    """The upload that set the amount (the latest one while owed); null for the no-submission
    policy."""
    basis: Mapped[str] = mapped_column(String(16))
    """``submission`` or ``no_submission``."""
    status: Mapped[str] = mapped_column(String(10), index=True)
    """``owed``, ``approved`` or ``paid``."""
    amount: Mapped[Decimal] = mapped_column(DecimalText())
    """Exact amount at the currency's minor unit."""
    currency: Mapped[str] = mapped_column(String(3))
    hours: Mapped[Decimal | None] = mapped_column(DecimalText())
    """Hours billed (measured from the clock's start to the latest upload, capped)."""
    owed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by: Mapped[str | None] = mapped_column(String(320))
    paid_on: Mapped[date | None] = mapped_column(Date())
    """The payroll date."""
    reference: Mapped[str | None] = mapped_column(String(200))
    """Payroll run or transfer reference."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    invitation: Mapped[Invitation] = relationship()
    """Loaded on use (from the session's identity map when the invitation is already there);
    lists load it eagerly (``harness.payments.service.list_payments``)."""
