"""Hours, amounts owed, the single payment per invitation and its owed -> approved -> paid life."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from harness.ledger.errors import (
    CurrencyMismatch,
    InvalidHours,
    InvalidPaymentTransition,
    InvalidTerms,
    LedgerInvariantBroken,
)
from harness.ledger.money import Money
from harness.ledger.pay import (
    Hours,
    NoSubmissionPay,
    NoSubmissionPolicy,
    PayKind,
    Payment,
    PaymentBasis,
    PaymentStatus,
    PayTerms,
    amount_owed,
    amount_without_submission,
    approve,
    describe_pay,
    hours_worked,
    mark_paid,
    payment_for_submission,
    payment_without_submission,
    validate_reported_hours,
)
from tests.ledger.factories import at, flat_terms, hourly_terms, make_payment

START = at(2026, 3, 3, 10)
BOX = timedelta(hours=5)
NOW = at(2026, 3, 3, 14)
USD = "USD"


def usd(amount: str) -> Money:
    return Money(Decimal(amount), USD)


# --- hours -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("elapsed", "hours"),
    [
        (timedelta(hours=4), "4.00"),
        (timedelta(hours=4, seconds=18), "4.01"),  # 0.005 h rounds half up
        (timedelta(hours=4, seconds=17), "4.00"),
        (timedelta(minutes=59, seconds=59), "1.00"),
        (timedelta(hours=5), "5.00"),
        (timedelta(hours=5, minutes=14), "5.00"),  # grace is not paid time
        (timedelta(days=3), "5.00"),
        (timedelta(seconds=-30), "0.00"),  # clock skew between hosts
    ],
)
def test_hours_worked_are_capped_by_the_time_box(elapsed: timedelta, hours: str) -> None:
    assert hours_worked(START, START + elapsed, BOX) == Decimal(hours)


def test_reported_hours_are_validated_and_kept_beside_the_measured_ones() -> None:
    assert validate_reported_hours("4.5") == Decimal("4.50")
    assert validate_reported_hours(Decimal("100")) == Decimal("100.00")
    assert validate_reported_hours(3) == Decimal("3.00")
    assert validate_reported_hours("0.005") == Decimal("0.01")
    hours = Hours(measured=hours_worked(START, NOW, BOX), reported=validate_reported_hours("6"))
    assert (hours.measured, hours.reported) == (Decimal("4.00"), Decimal("6.00"))


@pytest.mark.parametrize("value", ["0", "-1", "100.01", "0.004", "four", "", "NaN", 4.5, True])
def test_impossible_reported_hours_are_refused(value: Any) -> None:
    with pytest.raises(InvalidHours, match=r"e\.g\. 4\.5"):
        validate_reported_hours(value)


# --- terms and amounts -------------------------------------------------------------------------


def test_stated_terms_cap_hourly_pay_at_the_time_box_by_default() -> None:
    terms = PayTerms.stated(
        kind="hourly", hourly_rate=Decimal(60), currency="EUR", time_box_hours=Decimal("4.5")
    )
    assert (terms.kind, terms.cap_hours, terms.hourly_rate) == (
        PayKind.hourly,
        Decimal("4.5"),
        Decimal(60),
    )
    assert terms.maximum == Money(Decimal(270), "EUR")
    capped = PayTerms.stated(
        kind="hourly",
        hourly_rate=Decimal(60),
        cap_hours=Decimal(3),
        currency=USD,
        time_box_hours=Decimal(5),
    )
    assert capped.cap_hours == Decimal(3)
    flat = PayTerms.stated(
        kind="flat", flat_fee=Decimal(250), currency=USD, time_box_hours=Decimal(5)
    )
    assert (flat.kind, flat.flat_fee, flat.cap_hours, flat.maximum) == (
        PayKind.flat,
        Decimal(250),
        None,
        usd("250"),
    )


def test_stated_terms_refuse_an_unknown_kind() -> None:
    with pytest.raises(InvalidTerms, match="pay_kind must be 'hourly' or 'flat'"):
        PayTerms.stated(kind="daily", currency=USD, flat_fee=Decimal(1), time_box_hours=Decimal(4))


def test_overrides_of_the_same_kind_keep_the_amounts_not_overridden() -> None:
    base = PayTerms.stated(
        kind="hourly", hourly_rate=Decimal(60), currency=USD, time_box_hours=Decimal(4)
    )
    more = base.with_overrides(time_box_hours=Decimal(6), hourly_rate=Decimal(80))
    assert (more.hourly_rate, more.cap_hours, more.currency) == (Decimal(80), Decimal(4), USD)
    # Near miss: no override at all changes nothing.
    assert base.with_overrides(time_box_hours=Decimal(4)) == base


def test_an_override_of_another_kind_takes_none_of_the_amounts() -> None:
    flat = PayTerms.stated(kind="flat", flat_fee=Decimal(300), currency=USD, time_box_hours=Decimal(4))
    with pytest.raises(InvalidTerms, match="hourly_rate is required"):
        flat.with_overrides(time_box_hours=Decimal(4), kind="hourly")
    hourly = flat.with_overrides(
        time_box_hours=Decimal(5), kind="hourly", hourly_rate=Decimal(50), currency="EUR"
    )
    assert (hourly.kind, hourly.hourly_rate, hourly.cap_hours, hourly.flat_fee) == (
        PayKind.hourly,
        Decimal(50),
        Decimal(5),  # unset cap: the time box
        None,
    )
    assert hourly.currency == "EUR"
    with pytest.raises(InvalidTerms, match="pay_kind must be"):
        flat.with_overrides(time_box_hours=Decimal(4), kind="weekly")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "hourly", "currency": USD, "cap_hours": Decimal(5)}, "hourly_rate is required"),
        (
            {"kind": "hourly", "currency": USD, "hourly_rate": Decimal(0), "cap_hours": Decimal(5)},
            "hourly_rate must be more than 0",
        ),
        ({"kind": "hourly", "currency": USD, "hourly_rate": Decimal(50)}, "cap_hours is required"),
        (
            {"kind": "flat", "currency": USD, "flat_fee": Decimal(-1)},
            "flat_fee must be more than 0",
        ),
        ({"kind": "flat", "currency": USD, "flat_fee": 300.0}, "floats"),
        ({"kind": "flat", "currency": "dollars", "flat_fee": Decimal(1)}, "ISO 4217"),
    ],
)
def test_incomplete_pay_terms_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidTerms, match=message):
        PayTerms(**kwargs)


def test_hourly_pay_is_rate_times_hours_up_to_the_cap() -> None:
    terms = hourly_terms(rate="75", cap="5")
    assert amount_owed(terms, Decimal("4.5")) == usd("337.50")
    assert amount_owed(terms, Decimal("5")) == usd("375.00")
    assert amount_owed(terms, Decimal("12")) == usd("375.00")
    assert amount_owed(terms, Decimal(0)) == usd("0")


def test_hourly_pay_is_rounded_once_half_up() -> None:
    assert amount_owed(hourly_terms(rate="33.33"), Decimal("1.01")) == usd("33.66")  # 33.6633
    assert amount_owed(hourly_terms(rate="10.05"), Decimal("0.50")) == usd("5.03")  # 5.025
    assert amount_owed(hourly_terms(rate="1999", currency="JPY"), Decimal("2.25")) == Money(
        Decimal(4498), "JPY"
    )  # 4497.75


def test_flat_fee_does_not_depend_on_hours() -> None:
    terms = flat_terms("300")
    assert amount_owed(terms, Decimal("0.25")) == usd("300.00")
    assert amount_owed(terms, Decimal("5")) == usd("300.00")


def test_negative_or_float_hours_are_refused() -> None:
    with pytest.raises(InvalidHours):
        amount_owed(hourly_terms(), Decimal(-1))
    with pytest.raises(InvalidHours):
        amount_owed(hourly_terms(), 4.5)  # type: ignore[arg-type]


# --- nothing submitted -------------------------------------------------------------------------


def test_nothing_submitted_pays_nothing_by_default() -> None:
    assert NoSubmissionPolicy().pay == NoSubmissionPay.nothing
    assert amount_without_submission(flat_terms(), NoSubmissionPolicy(), started=True) is None


def test_nothing_submitted_can_pay_a_fixed_or_full_amount_to_those_who_started() -> None:
    fixed = NoSubmissionPolicy(NoSubmissionPay.fixed, Decimal(50))
    assert amount_without_submission(hourly_terms(), fixed, started=True) == usd("50")
    assert amount_without_submission(hourly_terms(), fixed, started=False) is None
    full = NoSubmissionPolicy(NoSubmissionPay.full)
    assert amount_without_submission(hourly_terms("75", "5"), full, started=True) == usd("375")
    assert amount_without_submission(flat_terms("300"), full, started=True) == usd("300")
    with pytest.raises(InvalidTerms, match="fixed_amount is required"):
        NoSubmissionPolicy(NoSubmissionPay.fixed)


def test_no_submission_payment_is_recorded_once_and_replaced_by_a_late_submission() -> None:
    policy = NoSubmissionPolicy(NoSubmissionPay.fixed, Decimal(50))
    terms = hourly_terms("75", "5")
    recorded = payment_without_submission([], terms=terms, policy=policy, started=True, now=NOW)
    assert recorded is not None
    assert (recorded.amount, recorded.basis, recorded.hours, recorded.id) == (
        usd("50"),
        PaymentBasis.no_submission,
        None,
        None,
    )
    stored = replace(recorded, id=7)
    assert (
        payment_without_submission(
            [stored], terms=terms, policy=policy, started=True, now=NOW + timedelta(days=1)
        )
        is None
    )
    late = payment_for_submission(
        [stored], terms=terms, hours=Decimal("5.00"), submission_id=3, now=NOW + timedelta(days=2)
    )
    assert late is not None
    assert (late.id, late.amount, late.basis, late.owed_at) == (
        7,
        usd("375"),
        PaymentBasis.submission,
        NOW,
    )
    assert (
        payment_without_submission(
            [], terms=terms, policy=NoSubmissionPolicy(), started=True, now=NOW
        )
        is None
    )


# --- the single payment ------------------------------------------------------------------------


def test_first_submission_records_an_owed_payment() -> None:
    payment = payment_for_submission(
        [], terms=flat_terms("300"), hours=Decimal("4.2"), submission_id=11, now=NOW
    )
    assert payment == Payment(
        amount=usd("300"),
        status=PaymentStatus.owed,
        basis=PaymentBasis.submission,
        owed_at=NOW,
        hours=Decimal("4.2"),
        submission_id=11,
        id=None,
    )


def test_resubmissions_never_pay_twice() -> None:
    terms = hourly_terms("75", "5")
    ledger: list[Payment] = []

    def submit(submission_id: int, hours: str, now_offset: timedelta) -> Payment | None:
        change = payment_for_submission(
            ledger,
            terms=terms,
            hours=Decimal(hours),
            submission_id=submission_id,
            now=NOW + now_offset,
        )
        if change is not None:  # what phase 2's repository does: insert, or update by id
            if change.id is None:
                ledger.append(replace(change, id=len(ledger) + 1))
            else:
                ledger[[p.id for p in ledger].index(change.id)] = change
        return change

    assert submit(1, "2.00", timedelta(0)) is not None
    assert submit(2, "3.50", timedelta(hours=1)) is not None
    assert len(ledger) == 1
    assert (ledger[0].amount, ledger[0].submission_id, ledger[0].owed_at) == (usd("262.50"), 2, NOW)
    # Same amount again (a resubmission of the same hours): nothing to record.
    assert (
        payment_for_submission(ledger, terms=terms, hours=Decimal("3.50"), submission_id=2, now=NOW)
        is None
    )
    ledger[0] = approve(ledger[0], at=NOW + timedelta(days=1), by="lead@example.org")
    assert submit(3, "5.00", timedelta(hours=2)) is None  # approved: frozen
    ledger[0] = mark_paid(ledger[0], paid_on=date(2026, 3, 31), reference="PAYROLL-2026-03")
    assert submit(4, "5.00", timedelta(days=3)) is None  # paid: frozen
    assert len(ledger) == 1 and ledger[0].amount == usd("262.50")


def test_zero_amount_is_not_recorded_as_a_new_payment() -> None:
    assert (
        payment_for_submission([], terms=hourly_terms(), hours=Decimal(0), submission_id=1, now=NOW)
        is None
    )


def test_two_payments_for_one_invitation_is_a_broken_ledger() -> None:
    with pytest.raises(LedgerInvariantBroken, match="one per invitation"):
        payment_for_submission(
            [make_payment(id=1), make_payment(id=2)],
            terms=flat_terms(),
            hours=Decimal(1),
            submission_id=1,
            now=NOW,
        )
    with pytest.raises(LedgerInvariantBroken):
        payment_without_submission(
            [make_payment(id=1), make_payment(id=2)],
            terms=flat_terms(),
            policy=NoSubmissionPolicy(),
            started=True,
            now=NOW,
        )


def test_pay_terms_cannot_change_currency_under_an_owed_payment() -> None:
    with pytest.raises(CurrencyMismatch):
        payment_for_submission(
            [make_payment(currency="EUR")],
            terms=flat_terms(currency="USD"),
            hours=Decimal(1),
            submission_id=1,
            now=NOW,
        )


# --- statuses ----------------------------------------------------------------------------------


def test_owed_then_approved_then_paid() -> None:
    owed = make_payment()
    approved = approve(owed, at=at(2026, 3, 4, 9), by="  lead@example.org ")
    assert (approved.status, approved.approved_by, approved.approved_at) == (
        PaymentStatus.approved,
        "lead@example.org",
        at(2026, 3, 4, 9),
    )
    paid = mark_paid(approved, paid_on=date(2026, 3, 31), reference=" PAYROLL-2026-03 ")
    assert (paid.status, paid.paid_on, paid.reference) == (
        PaymentStatus.paid,
        date(2026, 3, 31),
        "PAYROLL-2026-03",
    )
    assert paid.amount == owed.amount


def test_transitions_out_of_order_are_refused() -> None:
    owed = make_payment()
    with pytest.raises(InvalidPaymentTransition, match="approve it first"):
        mark_paid(owed, paid_on=date(2026, 3, 31), reference="R")
    approved = approve(owed, at=NOW, by="lead@example.org")
    with pytest.raises(InvalidPaymentTransition, match="already approved"):
        approve(approved, at=NOW, by="lead@example.org")
    paid = mark_paid(approved, paid_on=date(2026, 3, 31), reference="R")
    with pytest.raises(InvalidPaymentTransition, match="already paid"):
        mark_paid(paid, paid_on=date(2026, 3, 31), reference="R")
    with pytest.raises(InvalidPaymentTransition, match="already paid"):
        approve(paid, at=NOW, by="lead@example.org")


@pytest.mark.parametrize(
    ("paid_on", "reference", "message"),
    [
        (date(2026, 3, 31), "", "needs a reference"),
        (date(2026, 3, 31), "  ", "needs a reference"),
        (date(2026, 3, 31), "x" * 201, "keep it under"),
        (at(2026, 3, 31), "R", "calendar date"),
        (date(2026, 3, 1), "R", "before the approval"),
    ],
)
def test_paid_needs_a_date_and_a_reference(paid_on: Any, reference: str, message: str) -> None:
    approved = approve(make_payment(), at=at(2026, 3, 3, 12), by="lead@example.org")
    with pytest.raises(InvalidPaymentTransition, match=message):
        mark_paid(approved, paid_on=paid_on, reference=reference)


def test_approval_needs_an_approver() -> None:
    with pytest.raises(InvalidPaymentTransition, match="who approves"):
        approve(make_payment(), at=NOW, by=" ")


def test_stored_payments_must_be_consistent() -> None:
    with pytest.raises(LedgerInvariantBroken, match="paid_on and a reference"):
        replace(make_payment(status=PaymentStatus.paid), reference=None)
    with pytest.raises(LedgerInvariantBroken, match="approved_at"):
        replace(make_payment(), status=PaymentStatus.approved)
    with pytest.raises(LedgerInvariantBroken, match="negative"):
        make_payment(amount="-1")


def test_pay_terms_read_as_a_phrase() -> None:
    assert describe_pay(hourly_terms("75", "4.50")) == (
        "USD 75.00 per hour, at most 4.5 hours (USD 337.50)"
    )
    assert (
        describe_pay(hourly_terms("9000", "1", "JPY"))
        == "JPY 9000 per hour, at most 1 hour (JPY 9000)"
    )
    assert describe_pay(flat_terms("300", "EUR")) == "a flat fee of EUR 300.00"
