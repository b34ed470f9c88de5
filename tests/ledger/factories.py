"""Factory functions for ledger tests: terms, time boxes, payments, timelines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from harness.ledger.money import Money
from harness.ledger.pay import PayKind, Payment, PaymentBasis, PaymentStatus, PayTerms
from harness.ledger.timebox import (
    ClockStart,
    LatePolicy,
    TimeBoxState,
    TimeBoxTerms,
    invite,
    start_clock,
)

__all__ = [
    "INVITED",
    "at",
    "flat_terms",
    "hourly_terms",
    "make_payment",
    "make_state",
    "make_terms",
    "started_state",
]

INVITED = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
"""A Monday; the default invitation time in these tests."""


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """A UTC datetime: ``at(2026, 3, 2, 9)``."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def make_terms(
    *,
    hours: str = "5",
    grace_minutes: int = 15,
    window_days: int = 7,
    late: LatePolicy = LatePolicy.accept,
    clock_start: ClockStart = ClockStart.button,
) -> TimeBoxTerms:
    return TimeBoxTerms(
        time_box_hours=Decimal(hours),
        grace=timedelta(minutes=grace_minutes),
        start_window=timedelta(days=window_days),
        late=late,
        clock_start=clock_start,
    )


def make_state(invited_at: datetime = INVITED, terms: TimeBoxTerms | None = None) -> TimeBoxState:
    """A fresh invitation (clock not started) with ``terms`` (default: 5 h, 15 min grace, 7 days)."""
    return invite(invited_at, terms or make_terms())


def started_state(
    started_at: datetime, terms: TimeBoxTerms | None = None, invited_at: datetime = INVITED
) -> TimeBoxState:
    """An invitation whose clock started at ``started_at``."""
    return start_clock(make_state(invited_at, terms), started_at)


def hourly_terms(rate: str = "75", cap: str | None = "5", currency: str = "USD") -> PayTerms:
    return PayTerms(
        kind=PayKind.hourly,
        currency=currency,
        hourly_rate=Decimal(rate),
        cap_hours=Decimal(cap) if cap is not None else None,
    )


def flat_terms(fee: str = "300", currency: str = "USD") -> PayTerms:
    return PayTerms(kind=PayKind.flat, currency=currency, flat_fee=Decimal(fee))


def make_payment(
    amount: str = "300.00",
    currency: str = "USD",
    *,
    status: PaymentStatus = PaymentStatus.owed,
    owed_at: datetime = INVITED,
    id: int | None = 1,
    submission_id: int | None = 10,
    hours: Decimal | None = Decimal("4.00"),
    paid_on: date | None = None,
    reference: str | None = None,
) -> Payment:
    approved = status != PaymentStatus.owed
    return Payment(
        amount=Money(Decimal(amount), currency),
        status=status,
        basis=PaymentBasis.submission,
        owed_at=owed_at,
        hours=hours,
        submission_id=submission_id,
        id=id,
        approved_at=owed_at + timedelta(days=1) if approved else None,
        approved_by="lead@example.org" if approved else None,
        paid_on=paid_on
        or ((owed_at + timedelta(days=2)).date() if status == PaymentStatus.paid else None),
        reference=reference or ("PR-1" if status == PaymentStatus.paid else None),
    )
