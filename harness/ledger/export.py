"""The payroll export: one row per payment, totals by month and by assignment, as safe CSV.

Totals are always per currency: there is no exchange rate in the ledger, so amounts of different
currencies are never added. Months are calendar months in UTC, like every stored time.

The CSV is opened by people in spreadsheets, and the candidate's name, the assignment and the
reference are typed by people: a cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or
carriage return) is prefixed with an apostrophe so a spreadsheet shows it as text instead of
running it as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from harness.ledger.money import Money
from harness.ledger.pay import Payment, PaymentStatus

__all__ = [
    "PAYROLL_COLUMNS",
    "MonthBasis",
    "PayrollRow",
    "Total",
    "payroll_csv",
    "payroll_row",
    "safe_cell",
    "totals_by_assignment",
    "totals_by_currency",
    "totals_by_month",
    "totals_csv",
]

PAYROLL_COLUMNS = (
    "candidate",
    "email",
    "assignment",
    "currency",
    "amount",
    "status",
    "owed_on",
    "approved_on",
    "paid_on",
    "reference",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class PayrollRow:
    """One payment as payroll sees it."""

    candidate: str
    """The candidate's name (payroll always sees it, anonymous review or not)."""
    email: str
    assignment: str
    """The assignment's name (or title)."""
    amount: Money
    status: PaymentStatus
    owed_on: date
    """UTC date the amount became owed."""
    approved_on: date | None
    """UTC date of the approval."""
    paid_on: date | None
    """The payroll date."""
    reference: str | None
    """Payroll run or transfer reference."""

    def cells(self) -> list[str]:
        """The row's cells in ``PAYROLL_COLUMNS`` order, not yet escaped."""
        return [
            self.candidate,
            self.email,
            self.assignment,
            self.amount.currency,
            f"{self.amount.amount:f}",
            str(self.status),
            self.owed_on.isoformat(),
            self.approved_on.isoformat() if self.approved_on else "",
            self.paid_on.isoformat() if self.paid_on else "",
            self.reference or "",
        ]


def payroll_row(payment: Payment, *, candidate: str, email: str, assignment: str) -> PayrollRow:
    """The export row of ``payment`` (times are UTC, so dates are UTC dates)."""
    return PayrollRow(
        candidate=candidate,
        email=email,
        assignment=assignment,
        amount=payment.amount,
        status=payment.status,
        owed_on=payment.owed_at.date(),
        approved_on=payment.approved_at.date() if payment.approved_at else None,
        paid_on=payment.paid_on,
        reference=payment.reference,
    )


class MonthBasis(StrEnum):
    owed = "owed"
    """Group by the month the amount became owed (every row has one)."""
    paid = "paid"
    """Group by the payroll month; rows not yet paid are left out."""


@dataclass(frozen=True, slots=True)
class Total:
    """The sum of some rows in one currency."""

    key: str
    """What was grouped on: ``2026-10`` for a month, the assignment name, or the currency."""
    amount: Money
    count: int
    """How many payments were summed."""


def _totals(pairs: Iterable[tuple[str, Money]]) -> list[Total]:
    sums: dict[tuple[str, str], tuple[Money, int]] = {}
    for key, amount in pairs:
        group = (key, amount.currency)
        total, count = sums.get(group, (Money.zero(amount.currency), 0))
        sums[group] = (total + amount, count + 1)
    return [
        Total(key=key, amount=total, count=count)
        for (key, _currency), (total, count) in sorted(sums.items())
    ]


def totals_by_month(
    rows: Iterable[PayrollRow], *, basis: MonthBasis = MonthBasis.owed
) -> list[Total]:
    """Totals per UTC calendar month and currency, sorted by month then currency."""
    if basis == MonthBasis.owed:
        return _totals((f"{row.owed_on:%Y-%m}", row.amount) for row in rows)
    return _totals((f"{row.paid_on:%Y-%m}", row.amount) for row in rows if row.paid_on is not None)


def totals_by_assignment(rows: Iterable[PayrollRow]) -> list[Total]:
    """Totals per assignment and currency, sorted by assignment then currency."""
    return _totals((row.assignment, row.amount) for row in rows)


def totals_by_currency(rows: Iterable[PayrollRow]) -> list[Total]:
    """Grand totals, one per currency."""
    return _totals((row.amount.currency, row.amount) for row in rows)


def safe_cell(value: str) -> str:
    """``value`` made inert for spreadsheets: a leading apostrophe before a formula start."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _write(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    # RFC 4180: CRLF line ends; fields with commas, quotes or line breaks are quoted.
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def payroll_csv(rows: Iterable[PayrollRow]) -> str:
    """The payroll CSV: a header of ``PAYROLL_COLUMNS``, then one escaped line per payment."""
    return _write(PAYROLL_COLUMNS, (row.cells() for row in rows))


def totals_csv(totals: Iterable[Total], *, key_header: str) -> str:
    """A totals table as CSV: ``key_header, currency, amount, count``."""
    return _write(
        (key_header, "currency", "amount", "count"),
        ([t.key, t.amount.currency, f"{t.amount.amount:f}", str(t.count)] for t in totals),
    )
