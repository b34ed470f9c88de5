"""Money: exact decimals, rounded to the currency's minor unit, never mixing currencies."""

from __future__ import annotations

from decimal import Decimal

import pytest

from harness.ledger.errors import CurrencyMismatch, InvalidTerms
from harness.ledger.money import Money, minor_units, parse_amount, sum_money


def test_amounts_are_quantized_half_up_to_the_minor_unit() -> None:
    assert Money(Decimal("10.005"), "USD").amount == Decimal("10.01")
    assert Money(Decimal("10.004"), "USD").amount == Decimal("10.00")
    assert Money(Decimal("2.5"), "JPY").amount == Decimal("3")
    assert Money(Decimal("1.2345"), "KWD").amount == Decimal("1.235")
    assert Money(Decimal("-0.004"), "USD").amount == Decimal("0.00")
    assert str(Money(Decimal("-0.004"), "USD")) == "USD 0.00"  # one zero, no "-0.00"
    assert minor_units("EUR") == 2 and minor_units("JPY") == 0 and minor_units("BHD") == 3


def test_formatting() -> None:
    assert str(Money(Decimal(300), "USD")) == "USD 300.00"
    assert Money(Decimal("4500.4"), "JPY").format() == "JPY 4500"
    assert str(Money(Decimal("1234567.8"), "EUR")) == "EUR 1234567.80"
    assert str(Money(Decimal("1E+3"), "USD")) == "USD 1000.00"


def test_arithmetic_within_one_currency() -> None:
    a, b = Money(Decimal("100.10"), "EUR"), Money(Decimal("0.25"), "EUR")
    assert a + b == Money(Decimal("100.35"), "EUR")
    assert a - b == Money(Decimal("99.85"), "EUR")
    assert -b == Money(Decimal("-0.25"), "EUR")
    assert b * 3 == Money(Decimal("0.75"), "EUR")
    assert Decimal("0.5") * b == Money(Decimal("0.13"), "EUR")  # 0.125 rounds half up
    assert b < a and a >= b and b <= b and a > b
    assert sum_money([a, b, b], "EUR") == Money(Decimal("100.60"), "EUR")
    assert sum_money([], "JPY") == Money.zero("JPY")


def test_currencies_never_mix() -> None:
    usd, eur = Money(Decimal(1), "USD"), Money(Decimal(1), "EUR")
    with pytest.raises(CurrencyMismatch, match="currencies differ"):
        _ = usd + eur
    with pytest.raises(CurrencyMismatch):
        _ = usd - eur
    with pytest.raises(CurrencyMismatch):
        assert usd < eur
    with pytest.raises(CurrencyMismatch):
        sum_money([usd, eur], "USD")
    assert usd != eur
    with pytest.raises(TypeError):
        assert usd < Decimal(2)  # type: ignore[operator]


def test_floats_and_bad_values_are_refused() -> None:
    with pytest.raises(InvalidTerms, match="floats"):
        Money(0.1, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(Decimal(1), "USD") * 1.5  # type: ignore[operator]
    with pytest.raises(InvalidTerms, match="ISO 4217"):
        Money(Decimal(1), "usd")
    with pytest.raises(InvalidTerms, match="ISO 4217"):
        Money(Decimal(1), "DOLLARS")
    with pytest.raises(InvalidTerms, match="finite"):
        Money(Decimal("Infinity"), "USD")
    with pytest.raises(InvalidTerms, match="not a number"):
        parse_amount("12,50")
    assert parse_amount(" 12.50 ") == Decimal("12.50")
    assert Money(7, "USD").amount == Decimal("7.00")  # type: ignore[arg-type]
