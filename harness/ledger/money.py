"""Money: an exact decimal amount with its currency. Never a float, never two currencies mixed.

Every ``Money`` is quantized to its currency's minor unit (cents for USD, none for JPY) with
ROUND_HALF_UP at construction, so sums of recorded amounts equal what payroll pays. Compute
intermediate values (rate x hours) in ``Decimal`` and round once, when they become ``Money``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from harness.ledger.errors import CurrencyMismatch, InvalidTerms

__all__ = ["Money", "minor_units", "parse_amount", "sum_money"]

_CURRENCY = re.compile(r"^[A-Z]{3}$")

# ISO 4217 currencies whose minor unit is not 2 digits. Everything else has cents.
_MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(
        [
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    "CLF": 4,
    "UYW": 4,
}


def minor_units(currency: str) -> int:
    """Digits after the decimal point for ``currency`` (2 unless ISO 4217 says otherwise)."""
    return _MINOR_UNITS.get(currency, 2)


def _check_currency(currency: object) -> str:
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise InvalidTerms(
            f"currency must be a 3-letter ISO 4217 code such as 'USD' (got {currency!r})"
        )
    return currency


def parse_amount(value: Decimal | int | str, what: str = "amount") -> Decimal:
    """An exact ``Decimal`` from a Decimal, an int or a numeric string; floats are refused."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidTerms(
            f"{what} must be a Decimal, an int or a numeric string, not {type(value).__name__} "
            "(floats cannot hold money exactly)"
        )
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation as exc:
        raise InvalidTerms(f"{what} {value!r} is not a number") from exc
    if not amount.is_finite():
        raise InvalidTerms(f"{what} must be a finite number (got {value!r})")
    return amount


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of one currency, rounded to that currency's minor unit."""

    amount: Decimal
    """Exact decimal amount, quantized to the minor unit (ROUND_HALF_UP)."""
    currency: str
    """ISO 4217 code, e.g. ``USD``."""

    def __post_init__(self) -> None:
        currency = _check_currency(self.currency)
        amount = parse_amount(self.amount)
        quantum = Decimal(1).scaleb(-minor_units(currency))
        try:
            rounded = amount.quantize(quantum, rounding=ROUND_HALF_UP)
        except InvalidOperation as exc:
            raise InvalidTerms(f"amount {amount} has more digits than the ledger keeps") from exc
        # -0.00 would print as such; money has one zero.
        object.__setattr__(self, "amount", rounded.copy_abs() if rounded.is_zero() else rounded)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    def _same(self, other: Money, op: str) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatch(
                f"cannot {op} {self} and {other}: the currencies differ; "
                "keep totals per currency (there is no exchange rate in the ledger)"
            )

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "add")
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "subtract")
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, Decimal | int):
            return NotImplemented
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "compare")
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "compare")
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "compare")
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "compare")
        return self.amount >= other.amount

    def __str__(self) -> str:
        return f"{self.currency} {self.amount:f}"

    def format(self) -> str:
        """``USD 300.00``, ``JPY 4500``: the currency code, then the amount at its minor unit."""
        return str(self)

    @property
    def is_zero(self) -> bool:
        return self.amount == 0


def sum_money(amounts: Iterable[Money], currency: str) -> Money:
    """The sum of ``amounts``, all of which must be in ``currency`` (an empty sum is zero)."""
    total = Money.zero(currency)
    for amount in amounts:
        total = total + amount
    return total
