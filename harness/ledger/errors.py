"""Errors of the paid time box and its ledger.

Each one is a ``HarnessError`` with the HTTP status the web app should answer, and a message
that says what happened and what the person can do about it.
"""

from __future__ import annotations

from harness.errors import HarnessError

__all__ = [
    "CurrencyMismatch",
    "InvalidExtension",
    "InvalidHours",
    "InvalidPaymentTransition",
    "InvalidTerms",
    "LedgerError",
    "LedgerInvariantBroken",
    "NaiveDatetime",
    "SeparationOfDuties",
    "UnknownTimeZone",
    "WindowClosed",
]


class LedgerError(HarnessError):
    """Base of the time-box and payment errors."""

    status_code = 422


class NaiveDatetime(LedgerError, ValueError):
    """A time without a zone reached the ledger; guessing its zone is how deadlines drift."""

    status_code = 500


class UnknownTimeZone(LedgerError, ValueError):
    """A viewer's time zone name is not in the IANA database."""


class WindowClosed(LedgerError):
    """The candidate tried to start the clock after the window to start had ended."""

    status_code = 409


class CurrencyMismatch(LedgerError, ValueError):
    """Two amounts in different currencies were combined; there is no exchange rate here."""

    status_code = 500


class InvalidExtension(LedgerError, ValueError):
    """An extension without a reason, or of a length the ledger does not accept."""


class InvalidHours(LedgerError, ValueError):
    """Hours reported by a candidate (or given to the pay rules) are out of range."""


class InvalidPaymentTransition(LedgerError):
    """A payment was moved out of order (owed -> approved -> paid only)."""

    status_code = 409


class SeparationOfDuties(LedgerError):
    """The person who approved a payment tried to mark it paid: that takes a second person."""

    status_code = 403


class InvalidTerms(LedgerError, ValueError):
    """Time-box or pay terms that cannot be honoured (no time box, negative fee, ...)."""


class LedgerInvariantBroken(LedgerError):
    """The recorded payments break a rule of the ledger (e.g. two payments for one invitation)."""

    status_code = 500
