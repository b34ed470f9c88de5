"""API shapes of payments and their totals.

Money and hours are ``Decimal`` and travel as exact strings in JSON (``"337.50"``), never as
floats.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "PaymentOut",
    "PaymentPaid",
    "PaymentsOut",
    "TotalOut",
]


class PaymentOut(BaseModel):
    """The one payment of an invitation."""

    id: int
    invitation_id: int
    candidate: str
    """The name, or ``Candidate #<invitation id>`` while review is anonymous (admins, who run
    payroll, always see the name)."""
    email: str | None
    assignment: str
    status: str
    """``owed``, ``approved`` or ``paid``."""
    basis: str
    """``submission`` or ``no_submission`` (the policy when the time box closed empty)."""
    amount: Decimal
    """Exact, at the currency's minor unit."""
    currency: str
    hours: Decimal | None
    """Hours billed: from the clock's start to the latest upload, capped by the time box."""
    submission_id: int | None
    owed_at: datetime
    approved_at: datetime | None
    approved_by: str | None
    paid_on: date | None
    reference: str | None


class PaymentPaid(BaseModel):
    """Mark an approved payment paid."""

    model_config = ConfigDict(extra="forbid")
    paid_on: date = Field(examples=["2026-11-30"])
    """The payroll date."""
    reference: str = Field(min_length=1, max_length=200, examples=["payroll-2026-11"])
    """Payroll run or transfer reference."""


class TotalOut(BaseModel):
    key: str
    """The month (``2026-11``), the assignment, or the currency."""
    currency: str
    amount: Decimal
    count: int


class PaymentsOut(BaseModel):
    items: list[PaymentOut]
    totals_by_month: list[TotalOut]
    """Per UTC month the amounts became owed, and currency."""
    totals_by_assignment: list[TotalOut]
    totals_by_currency: list[TotalOut]
