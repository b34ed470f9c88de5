"""Removing thread history and boilerplate from ticket bodies."""

from __future__ import annotations

import re

_CUT = re.compile(
    r"^(On\s.{1,200}?wrote:|-----\s?Original Message\s?-----|_{5,}|From:\s.+<.+>)\s*$",
    re.MULTILINE | re.IGNORECASE,
)
_DROP_LINE = re.compile(r"^\s*(>.*|Sent from my \w+.*|Get Outlook for .*|App version .*)$",
                        re.MULTILINE | re.IGNORECASE)
_SUBJECT_PREFIX = re.compile(r"^\s*((re|aw|fw|fwd)\s*:\s*)+", re.IGNORECASE)


def clean_body(body: str) -> str:
    """The new message only."""
    cut = _CUT.search(body)
    if cut:
        body = body[: cut.start()]
    return " ".join(_DROP_LINE.sub("", body).split())


def clean_subject(subject: str) -> str:
    """Subject with reply/forward prefixes removed."""
    return _SUBJECT_PREFIX.sub("", subject).strip()


def combine(subject: str, body: str) -> str:
    """Text fed to the vectoriser: the subject twice (it summarises), then the body."""
    s = clean_subject(subject)
    return f"{s} {s} {clean_body(body)}".lower()
