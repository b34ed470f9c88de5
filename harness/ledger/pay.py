"""Hours and pay: what a candidate is owed for a time box, and the life of that one payment.

Decisions the issue leaves open, made here:

- **Hours billed** are measured, not reported: from the clock's start to the final upload, capped
  by the time box (grace and extensions are slack, not paid time), rounded half-up to 0.01 h
  (36 seconds). The hours a candidate reports on upload are validated (0 < h <= 100) and kept
  beside them for reviewers, but never change the amount: they cannot be checked.
- **One payment per invitation.** A resubmission recomputes the amount and updates that payment
  while it is ``owed``; once ``approved`` or ``paid`` nothing changes it (a correction is a
  person's job, outside these rules). A zero amount is never recorded as a new payment.
- **Nothing submitted** when the time box closes: by default nothing is owed. The policy can pay
  a fixed amount or the full amount instead, and only to a candidate who started the clock
  (someone who never started did no work). A late submission accepted afterwards replaces that
  payment while it is still owed.
- **Statuses** go owed -> approved -> paid, in that order only; paid needs the payroll date
  and a reference (the payroll run or transfer id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from harness.ledger.clock import ensure_utc
from harness.ledger.errors import (
    CurrencyMismatch,
    InvalidHours,
    InvalidPaymentTransition,
    InvalidTerms,
    LedgerInvariantBroken,
    SeparationOfDuties,
)
from harness.ledger.money import Money, parse_amount

__all__ = [
    "HOURS_QUANTUM",
    "MAX_REPORTED_HOURS",
    "Hours",
    "NoSubmissionPay",
    "NoSubmissionPolicy",
    "PayKind",
    "PayTerms",
    "Payment",
    "PaymentBasis",
    "PaymentStatus",
    "amount_owed",
    "amount_without_submission",
    "approve",
    "describe_pay",
    "hours_worked",
    "mark_paid",
    "payment_for_submission",
    "payment_without_submission",
    "validate_reported_hours",
]

HOURS_QUANTUM = Decimal("0.01")
"""Hours are kept to the hundredth (36 seconds), rounded half-up."""
MAX_REPORTED_HOURS = Decimal(100)
_MAX_REFERENCE_CHARS = 200
_ONE_HOUR_US = Decimal(3600 * 10**6)


class PayKind(StrEnum):
    hourly = "hourly"
    """Rate times hours worked, capped."""
    flat = "flat"
    """A fixed fee on submission."""


def _kind(kind: str) -> PayKind:
    try:
        return PayKind(kind)
    except ValueError:
        raise InvalidTerms(f"pay_kind must be 'hourly' or 'flat' (got {kind!r})") from None


def _positive(value: Decimal | int | str | None, what: str) -> Decimal:
    if value is None:
        raise InvalidTerms(f"{what} is required")
    amount = parse_amount(value, what)
    if amount <= 0:
        raise InvalidTerms(f"{what} must be more than 0 (got {amount})")
    return amount


@dataclass(frozen=True, slots=True)
class PayTerms:
    """How one invitation is paid: the one shape of pay terms.

    The assignment's ``[pay]`` table, an invitation's ``pay_*`` columns and the API's fields are
    parsed into it (``stated``, ``with_overrides``) and written from it; the rules below take it.
    """

    kind: PayKind
    """Hourly (with a cap) or flat."""
    currency: str
    """ISO 4217 code of every amount owed under these terms."""
    hourly_rate: Decimal | None = None
    """Pay per hour, for hourly terms."""
    cap_hours: Decimal | None = None
    """Hours paid at most, for hourly terms (the constructors default it to the time box)."""
    flat_fee: Decimal | None = None
    """The fee, for flat terms."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", PayKind(self.kind))
        Money.zero(self.currency)  # validates the code
        if self.kind == PayKind.hourly:
            object.__setattr__(self, "hourly_rate", _positive(self.hourly_rate, "hourly_rate"))
            object.__setattr__(self, "cap_hours", _positive(self.cap_hours, "cap_hours"))
            object.__setattr__(self, "flat_fee", None)
        else:
            object.__setattr__(self, "flat_fee", _positive(self.flat_fee, "flat_fee"))
            object.__setattr__(self, "hourly_rate", None)
            object.__setattr__(self, "cap_hours", None)

    @classmethod
    def stated(
        cls,
        *,
        kind: str,
        currency: str,
        hourly_rate: Decimal | None = None,
        cap_hours: Decimal | None = None,
        flat_fee: Decimal | None = None,
        time_box_hours: Decimal,
    ) -> PayTerms:
        """Terms as people state them (the assignment's ``[pay]``, an invitation's columns, an
        API body): an hourly cap left unset is the time box."""
        pay_kind = _kind(kind)
        return cls(
            kind=pay_kind,
            currency=currency,
            hourly_rate=hourly_rate,
            cap_hours=time_box_hours if cap_hours is None and pay_kind == PayKind.hourly else cap_hours,
            flat_fee=flat_fee,
        )

    def with_overrides(
        self,
        *,
        time_box_hours: Decimal,
        kind: str | None = None,
        currency: str | None = None,
        hourly_rate: Decimal | None = None,
        cap_hours: Decimal | None = None,
        flat_fee: Decimal | None = None,
    ) -> PayTerms:
        """These terms with one invitation's overrides (``None`` keeps what these say).

        A kind other than these terms' takes none of their amounts (a flat fee says nothing
        about an hourly rate); an hourly cap left unset is then the time box.
        """
        new_kind = _kind(kind) if kind else self.kind
        same = new_kind == self.kind

        def pick(given: Decimal | None, own: Decimal | None) -> Decimal | None:
            return given if given is not None else (own if same else None)

        return PayTerms.stated(
            kind=new_kind,
            currency=currency or self.currency,
            hourly_rate=pick(hourly_rate, self.hourly_rate),
            cap_hours=pick(cap_hours, self.cap_hours),
            flat_fee=pick(flat_fee, self.flat_fee),
            time_box_hours=time_box_hours,
        )

    @property
    def maximum(self) -> Money:
        """The most these terms can ever owe: rate x cap, or the flat fee."""
        if self.kind == PayKind.hourly:
            assert self.hourly_rate is not None and self.cap_hours is not None
            return Money(self.hourly_rate * self.cap_hours, self.currency)
        assert self.flat_fee is not None
        return Money(self.flat_fee, self.currency)


def _hours_text(hours: Decimal) -> str:
    text = f"{hours.normalize():f}"
    return f"{text} hour{'' if hours == 1 else 's'}"


def describe_pay(terms: PayTerms) -> str:
    """The terms as a phrase for people: ``USD 75.00 per hour, at most 5 hours (USD 375.00)``
    or ``a flat fee of USD 300.00``."""
    if terms.kind == PayKind.flat:
        return f"a flat fee of {terms.maximum}"
    assert terms.hourly_rate is not None and terms.cap_hours is not None
    rate = Money(terms.hourly_rate, terms.currency)
    return f"{rate} per hour, at most {_hours_text(terms.cap_hours)} ({terms.maximum})"


def hours_worked(
    started_at: datetime, final_submission_at: datetime, time_box: timedelta
) -> Decimal:
    """Hours from the clock's start to the final upload, capped by the time box, to 0.01 h.

    An upload timestamped before the start (clock skew between hosts) counts as zero hours.
    """
    elapsed = ensure_utc(final_submission_at, "final_submission_at") - ensure_utc(
        started_at, "started_at"
    )
    capped = min(max(elapsed, timedelta(0)), time_box)
    micros = Decimal(capped // timedelta(microseconds=1))
    return (micros / _ONE_HOUR_US).quantize(HOURS_QUANTUM, rounding=ROUND_HALF_UP)


def validate_reported_hours(value: Decimal | int | str) -> Decimal:
    """Hours a candidate reports on upload, checked (0 < h <= 100) and rounded to 0.01 h."""
    try:
        hours = parse_amount(value, "reported hours")
    except InvalidTerms as exc:
        raise InvalidHours(f"{exc.message}; enter the hours you spent, e.g. 4.5") from exc
    # Range first: quantizing 1e999999 would overflow the decimal context.
    in_range = 0 < hours <= MAX_REPORTED_HOURS
    rounded = hours.quantize(HOURS_QUANTUM, rounding=ROUND_HALF_UP) if in_range else hours
    if not 0 < rounded <= MAX_REPORTED_HOURS:
        raise InvalidHours(
            f"reported hours must be more than 0 and at most {MAX_REPORTED_HOURS} (got {hours}); "
            "enter the hours you spent, e.g. 4.5"
        )
    return rounded


@dataclass(frozen=True, slots=True)
class Hours:
    """The two hour counts reviewers see side by side."""

    measured: Decimal
    """From start to final upload, capped by the time box: the hours billed."""
    reported: Decimal | None = None
    """What the candidate said they spent, if they said; information only."""


def amount_owed(terms: PayTerms, hours: Decimal) -> Money:
    """Hourly: rate x min(hours, cap), rounded once to the minor unit. Flat: the fee."""
    if isinstance(hours, bool) or not isinstance(hours, Decimal | int) or hours < 0:
        raise InvalidHours(f"hours must be a non-negative Decimal (got {hours!r})")
    if terms.kind == PayKind.flat:
        assert terms.flat_fee is not None
        return Money(terms.flat_fee, terms.currency)
    assert terms.hourly_rate is not None and terms.cap_hours is not None
    return Money(terms.hourly_rate * min(Decimal(hours), terms.cap_hours), terms.currency)


class NoSubmissionPay(StrEnum):
    nothing = "nothing"
    """Owe nothing (the default)."""
    fixed = "fixed"
    """Owe a fixed amount (a minimum for the time set aside)."""
    full = "full"
    """Owe the most the terms allow: the flat fee, or rate x cap."""


@dataclass(frozen=True, slots=True)
class NoSubmissionPolicy:
    """What is owed when the time box closes with nothing submitted."""

    pay: NoSubmissionPay = NoSubmissionPay.nothing
    """Which rule applies."""
    fixed_amount: Decimal | None = None
    """The amount for ``fixed``, in the pay terms' currency."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "pay", NoSubmissionPay(self.pay))
        if self.pay == NoSubmissionPay.fixed:
            object.__setattr__(self, "fixed_amount", _positive(self.fixed_amount, "fixed_amount"))


def amount_without_submission(
    terms: PayTerms, policy: NoSubmissionPolicy, *, started: bool
) -> Money | None:
    """What is owed when nothing was submitted, or ``None`` (never started, or policy nothing)."""
    if not started or policy.pay == NoSubmissionPay.nothing:
        return None
    if policy.pay == NoSubmissionPay.full:
        return terms.maximum
    assert policy.fixed_amount is not None
    return Money(policy.fixed_amount, terms.currency)


class PaymentStatus(StrEnum):
    owed = "owed"
    """Computed; not yet checked by a person."""
    approved = "approved"
    """Checked and approved for payroll; the amount is frozen."""
    paid = "paid"
    """Paid on a date, with a payroll reference."""


class PaymentBasis(StrEnum):
    submission = "submission"
    """Owed for a submission (recomputed on resubmission while owed)."""
    no_submission = "no_submission"
    """Owed by the no-submission policy when the time box closed empty."""


@dataclass(frozen=True, slots=True)
class Payment:
    """The one payment of an invitation. Mirrors a row of the payments table (``harness.payments.models``)."""

    amount: Money
    """What is owed, in the pay terms' currency; never negative."""
    status: PaymentStatus
    basis: PaymentBasis
    owed_at: datetime
    """When the amount first became owed (UTC); recomputations keep it."""
    hours: Decimal | None = None
    """Hours billed (measured), for a submission; ``None`` for the no-submission policy."""
    submission_id: int | None = None
    """The submission that set the amount (the latest upload, for a resubmission)."""
    id: int | None = None
    """Database id; ``None`` for a payment not yet recorded."""
    approved_at: datetime | None = None
    approved_by: str | None = None
    """Who approved it (a reviewer's email or a label such as ``cli``)."""
    paid_on: date | None = None
    """The payroll date (a calendar date, as payroll records it)."""
    reference: str | None = None
    """Payroll run or transfer reference."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", PaymentStatus(self.status))
        object.__setattr__(self, "basis", PaymentBasis(self.basis))
        object.__setattr__(self, "owed_at", ensure_utc(self.owed_at, "owed_at"))
        if self.amount.amount < 0:
            raise LedgerInvariantBroken(f"a payment cannot be negative (got {self.amount})")
        if self.status != PaymentStatus.owed:
            if self.approved_at is None or not self.approved_by:
                raise LedgerInvariantBroken(
                    f"a payment marked {self.status} needs approved_at and approved_by"
                )
            object.__setattr__(self, "approved_at", ensure_utc(self.approved_at, "approved_at"))
        if self.status == PaymentStatus.paid and (self.paid_on is None or not self.reference):
            raise LedgerInvariantBroken("a paid payment needs paid_on and a reference")


def _settle(
    existing: Sequence[Payment],
    *,
    amount: Money,
    basis: PaymentBasis,
    hours: Decimal | None,
    submission_id: int | None,
    now: datetime,
) -> Payment | None:
    if len(existing) > 1:
        raise LedgerInvariantBroken(
            f"an invitation has {len(existing)} payments; the ledger keeps one per invitation. "
            "Merge them by hand before recording more"
        )
    if not existing:
        if amount.is_zero:
            return None
        return Payment(
            amount=amount,
            status=PaymentStatus.owed,
            basis=basis,
            owed_at=now,
            hours=hours,
            submission_id=submission_id,
        )
    current = existing[0]
    if current.status != PaymentStatus.owed:
        return None  # approved or paid: frozen, never paid twice
    if current.amount.currency != amount.currency:
        raise CurrencyMismatch(
            f"the recorded payment is in {current.amount.currency} but the new amount is in "
            f"{amount.currency}; pay terms must not change currency after a payment is owed"
        )
    updated = replace(current, amount=amount, basis=basis, hours=hours, submission_id=submission_id)
    return None if updated == current else updated


def payment_for_submission(
    existing: Sequence[Payment],
    *,
    terms: PayTerms,
    hours: Decimal,
    submission_id: int,
    now: datetime,
) -> Payment | None:
    """The payment to record after a (re)submission, or ``None`` when nothing changes.

    ``existing`` is every payment already recorded for the invitation (zero or one). The result
    is new (``id`` is ``None``: insert it) or the existing owed payment with a recomputed amount
    (same ``id``: update it). Nothing is returned once the payment is approved or paid.
    """
    return _settle(
        existing,
        amount=amount_owed(terms, hours),
        basis=PaymentBasis.submission,
        hours=hours,
        submission_id=submission_id,
        now=ensure_utc(now, "now"),
    )


def payment_without_submission(
    existing: Sequence[Payment],
    *,
    terms: PayTerms,
    policy: NoSubmissionPolicy,
    started: bool,
    now: datetime,
) -> Payment | None:
    """The payment to record when the time box closed with nothing submitted, or ``None``.

    Call it once ``timebox.is_closed`` is true and the invitation has no submission. A payment
    already recorded (for a submission, or by an earlier call) is left alone.
    """
    if existing:
        if len(existing) > 1:
            raise LedgerInvariantBroken(
                f"an invitation has {len(existing)} payments; the ledger keeps one per invitation"
            )
        return None
    amount = amount_without_submission(terms, policy, started=started)
    if amount is None:
        return None
    return _settle(
        existing,
        amount=amount,
        basis=PaymentBasis.no_submission,
        hours=None,
        submission_id=None,
        now=ensure_utc(now, "now"),
    )


def approve(payment: Payment, *, at: datetime, by: str) -> Payment:
    """The payment approved for payroll by ``by`` at ``at``; only an owed payment can be."""
    if payment.status != PaymentStatus.owed:
        raise InvalidPaymentTransition(
            f"this payment is already {payment.status}; only an owed payment can be approved"
        )
    approver = " ".join(by.split())
    if not approver:
        raise InvalidPaymentTransition("say who approves the payment (a reviewer's email)")
    return replace(
        payment,
        status=PaymentStatus.approved,
        approved_at=ensure_utc(at, "approved_at"),
        approved_by=approver,
    )


def mark_paid(
    payment: Payment, *, paid_on: date, reference: str, by: str | None = None
) -> Payment:
    """The payment marked paid on ``paid_on`` with a payroll ``reference``; it must be approved,
    and ``by`` (who marks it paid) must not be who approved it: two people move money."""
    if (
        by is not None
        and payment.approved_by is not None
        and " ".join(by.split()).lower() == payment.approved_by.lower()
    ):
        raise SeparationOfDuties(
            f"{payment.approved_by} approved this payment, so someone else with the payroll "
            "role must mark it paid"
        )
    if payment.status != PaymentStatus.approved:
        hint = "approve it first" if payment.status == PaymentStatus.owed else "it is already paid"
        raise InvalidPaymentTransition(
            f"only an approved payment can be marked paid; this one is {payment.status} ({hint})"
        )
    if isinstance(paid_on, datetime) or not isinstance(paid_on, date):
        raise InvalidPaymentTransition(
            f"paid_on is the payroll date, a calendar date such as 2026-11-30 (got {paid_on!r})"
        )
    ref = " ".join(reference.split()) if isinstance(reference, str) else ""
    if not ref:
        raise InvalidPaymentTransition(
            "a paid payment needs a reference (payroll run or transfer id)"
        )
    if len(ref) > _MAX_REFERENCE_CHARS:
        raise InvalidPaymentTransition(
            f"the reference is {len(ref)} characters; keep it under {_MAX_REFERENCE_CHARS}"
        )
    if payment.approved_at is not None and paid_on < payment.approved_at.date():
        raise InvalidPaymentTransition(
            f"paid on {paid_on} is before the approval on {payment.approved_at.date()}; check the date"
        )
    return replace(payment, status=PaymentStatus.paid, paid_on=paid_on, reference=ref)
