"""The payroll export: rows, per-currency totals by UTC month and by assignment, safe CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from harness.ledger.export import (
    PAYROLL_COLUMNS,
    MonthBasis,
    PayrollRow,
    Total,
    payroll_csv,
    payroll_row,
    safe_cell,
    totals_by_assignment,
    totals_by_currency,
    totals_by_month,
    totals_csv,
)
from harness.ledger.money import Money
from harness.ledger.pay import PaymentStatus
from tests.ledger.factories import at, make_payment

NEW_YORK = timezone(timedelta(hours=-4))
MARCH_10 = at(2026, 3, 10, 12)


def _row(
    amount: str,
    currency: str = "USD",
    *,
    owed_at: datetime = MARCH_10,
    assignment: str = "support-tickets",
    candidate: str = "Ada Lovelace",
    status: PaymentStatus = PaymentStatus.owed,
    paid_on: date | None = None,
) -> PayrollRow:
    payment = make_payment(amount, currency, owed_at=owed_at, status=status, paid_on=paid_on)
    return payroll_row(payment, candidate=candidate, email="ada@example.org", assignment=assignment)


def _parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_payroll_row_carries_dates_and_reference() -> None:
    row = _row("300", status=PaymentStatus.paid, paid_on=date(2026, 3, 31))
    assert row.cells() == [
        "Ada Lovelace",
        "ada@example.org",
        "support-tickets",
        "USD",
        "300.00",
        "paid",
        "2026-03-10",
        "2026-03-11",
        "2026-03-31",
        "PR-1",
    ]
    owed = _row("12.5")
    assert owed.cells()[4:] == ["12.50", "owed", "2026-03-10", "", "", ""]


def test_csv_has_a_header_and_round_trips_awkward_text() -> None:
    rows = [
        _row("300", candidate='Zoë "Z" O\'Brien, PhD'),
        _row("4500", "JPY", candidate="Line\nbreak"),
    ]
    text = payroll_csv(rows)
    assert text.endswith("\r\n")
    parsed = _parse(text)
    assert parsed[0] == list(PAYROLL_COLUMNS)
    assert parsed[1][0] == 'Zoë "Z" O\'Brien, PhD'
    assert parsed[2][0] == "Line\nbreak"
    assert parsed[2][3:5] == ["JPY", "4500"]
    assert len(parsed) == 3


def test_formula_injection_is_neutralised() -> None:
    payloads = [
        '=HYPERLINK("http://evil.example","x")',
        "+1+1",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1",
        "\r=1",
    ]
    text = payroll_csv([_row("1", candidate=p, assignment=p) for p in payloads])
    parsed = _parse(text)[1:]
    for payload, cells in zip(payloads, parsed, strict=True):
        assert cells[0] == "'" + payload
        assert cells[2] == "'" + payload
        assert cells[4] == "1.00"  # our own numbers stay numbers
    assert safe_cell("Ada") == "Ada"
    assert safe_cell("a=b") == "a=b"
    assert safe_cell("") == ""


def test_monthly_totals_split_at_the_utc_month_boundary() -> None:
    rows = [
        _row("100", owed_at=at(2026, 3, 31, 23, 59, 59)),
        _row("200", owed_at=at(2026, 4, 1, 0, 0, 0)),
        # 22:30 on 31 March in New York is already 1 April in UTC.
        _row("40", owed_at=datetime(2026, 3, 31, 22, 30, tzinfo=NEW_YORK)),
        _row("7", owed_at=at(2026, 3, 2)),
    ]
    assert totals_by_month(rows) == [
        Total("2026-03", Money(Decimal(107), "USD"), 2),
        Total("2026-04", Money(Decimal(240), "USD"), 2),
    ]


def test_totals_never_sum_across_currencies() -> None:
    rows = [_row("100"), _row("50", "EUR"), _row("25.5", "EUR"), _row("3000", "JPY")]
    assert totals_by_month(rows) == [
        Total("2026-03", Money(Decimal("75.50"), "EUR"), 2),
        Total("2026-03", Money(Decimal(3000), "JPY"), 1),
        Total("2026-03", Money(Decimal(100), "USD"), 1),
    ]
    assert totals_by_currency(rows) == [
        Total("EUR", Money(Decimal("75.50"), "EUR"), 2),
        Total("JPY", Money(Decimal(3000), "JPY"), 1),
        Total("USD", Money(Decimal(100), "USD"), 1),
    ]


def test_totals_by_assignment_and_by_payroll_month() -> None:
    rows = [
        _row("100", assignment="support-tickets"),
        _row("50", assignment="churn"),
        _row("60", assignment="churn", status=PaymentStatus.paid, paid_on=date(2026, 4, 2)),
    ]
    assert totals_by_assignment(rows) == [
        Total("churn", Money(Decimal(110), "USD"), 2),
        Total("support-tickets", Money(Decimal(100), "USD"), 1),
    ]
    assert totals_by_month(rows, basis=MonthBasis.paid) == [
        Total("2026-04", Money(Decimal(60), "USD"), 1)
    ]


def test_totals_csv() -> None:
    totals = totals_by_assignment(
        [_row("100", assignment="=cmd"), _row("5", "EUR", assignment="b")]
    )
    assert _parse(totals_csv(totals, key_header="assignment")) == [
        ["assignment", "currency", "amount", "count"],
        ["'=cmd", "USD", "100.00", "1"],
        ["b", "EUR", "5.00", "1"],
    ]
