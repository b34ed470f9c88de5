"""Cleaning ticket text before it is vectorised.

Support tickets carry a lot of text that says nothing about the current problem: quoted earlier
replies (often about a different, older issue), signatures, mail-client footers, the web form's
header and the mobile app's device line. Dropping it is the single biggest gain over the raw text.
"""

from __future__ import annotations

import re

__all__ = ["clean_body", "clean_subject", "normalise", "ticket_text"]

# Everything from the first quote header on is an earlier message.
_QUOTE_START = re.compile(r"^(On .{0,120}wrote:|-----Original Message-----|From: .*<.*@.*>)", re.MULTILINE)
_QUOTED_LINE = re.compile(r"^>.*$", re.MULTILINE)
_FOOTERS = re.compile(
    r"^(Sent from .*|Get Outlook for .*|--\s*|App version .*|Business name: .*|Contact email: .*|Message:)$",
    re.MULTILINE | re.IGNORECASE,
)
_SUBJECT_PREFIX = re.compile(r"^\s*((re|fwd?|aw)\s*:\s*)+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
_MONEY = re.compile(r"(?:[A-Z]{0,2}[$€£])\s?\d[\d,]*(?:\.\d\d)?", re.IGNORECASE)
_NUMBER = re.compile(r"\b\d+(?:[.,:/-]\d+)*\b")
_SPACES = re.compile(r"\s+")


def clean_body(body: str) -> str:
    """The customer's own words: no quoted replies, footers or form headers."""
    match = _QUOTE_START.search(body)
    if match:
        body = body[: match.start()]
    body = _QUOTED_LINE.sub("", body)
    body = _FOOTERS.sub("", body)
    return body.strip()


def clean_subject(subject: str) -> str:
    """The subject without reply/forward prefixes."""
    return _SUBJECT_PREFIX.sub("", subject).strip()


def normalise(doc: str) -> str:
    """Lower-case and replace emails, amounts and numbers with placeholder tokens.

    Specific amounts and order numbers never repeat between tickets; the fact that a ticket
    mentions money or a number does carry signal.
    """
    doc = _EMAIL.sub(" emailaddr ", doc)
    doc = _MONEY.sub(" moneyamt ", doc)
    doc = _NUMBER.sub(" num ", doc)
    return _SPACES.sub(" ", doc).strip().lower()


def ticket_text(subject: str, body: str) -> str:
    """Cleaned, normalised subject and body in one string; the subject is marked so its words
    count separately from the same words in the body."""
    subject_clean = normalise(clean_subject(subject))
    subject_tokens = " ".join(f"subj_{w}" for w in re.findall(r"\w+", subject_clean))
    return f"{subject_clean} {subject_tokens} | {normalise(clean_body(body))}"
