"""Cleaning rules found while reading tickets (see the exploration notebook, section 2)."""
from __future__ import annotations

import re

QUOTE_HEADERS = [
    r"^On .{0,200}wrote:\s*$",            # Gmail / Apple Mail
    r"^-{2,}\s*Original Message\s*-{2,}",  # Outlook
    r"^From: .*<[^>]+@[^>]+>\s*$",         # forwarded headers
]
_HEADER = re.compile("|".join(QUOTE_HEADERS), re.MULTILINE | re.IGNORECASE)
_DROP = re.compile(r"^\s*(>.*|Sent from my .*|Get Outlook for .*|App version .*|Device: .*)$",
                   re.MULTILINE | re.IGNORECASE)
_FORM = re.compile(r"^(Business name|Contact email|Message):.*$", re.MULTILINE)


def latest_message(body: str) -> str:
    """Body text written for this ticket (no thread history, footers or form labels)."""
    header = _HEADER.search(body)
    if header:
        body = body[: header.start()]
    body = _FORM.sub(" ", _DROP.sub(" ", body))
    return " ".join(body.split())
