"""Text clean-up: the part of a ticket that describes the customer's current problem."""

from __future__ import annotations

import re

_REPLY_HEADERS = re.compile(
    r"^(?:On .{0,150}wrote:\s*$|-{3,}\s*Original Message\s*-{3,}|From: .+@.+)",
    re.MULTILINE | re.IGNORECASE,
)
_QUOTED = re.compile(r"^\s*>.*$", re.MULTILINE)
_SIGNOFF = re.compile(r"^(?:Sent from my .*|Get Outlook for .*|App version .*)$", re.MULTILINE)
_PREFIX = re.compile(r"^(?:\s*(?:re|fw|fwd)\s*:)+", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")


def strip_history(body: str) -> str:
    """Drop quoted earlier messages and client footers from an e-mail body."""
    header = _REPLY_HEADERS.search(body)
    if header:
        body = body[: header.start()]
    body = _QUOTED.sub(" ", body)
    return _SIGNOFF.sub(" ", body).strip()


def clean_subject(subject: str) -> str:
    """Subject without ``Re:``/``Fwd:`` chains."""
    return _PREFIX.sub("", subject).strip()


def ticket_text(subject: str, body: str) -> str:
    """One lower-cased string per ticket, digits collapsed to ``0``."""
    text = f"{clean_subject(subject)} . {clean_subject(subject)} . {strip_history(body)}"
    return _DIGITS.sub("0", text.lower())
