"""Turning a raw ticket row into the text the model reads."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

# Lines that start an earlier message in a thread; everything below them is history.
THREAD_MARKERS = (
    re.compile(r"^On\b.*\bwrote:\s*$"),
    re.compile(r"^-+\s*Original Message\s*-+$", re.IGNORECASE),
    re.compile(r"^From:\s.*@"),
)
NOISE_LINES = re.compile(r"^(>|Sent from |Get Outlook|App version|--\s*$)", re.IGNORECASE)
EMAIL = re.compile(r"\S+@\S+")
MONEY = re.compile(r"[$€£]\s?\d[\d,.]*")
NUMBER = re.compile(r"\b\d[\d,.:/-]*\b")


def own_words(body: str) -> str:
    """The lines the customer wrote in this message (thread history and footers removed)."""
    kept: list[str] = []
    for line in body.splitlines():
        stripped = line.strip()
        if any(marker.match(stripped) for marker in THREAD_MARKERS):
            break
        if NOISE_LINES.match(stripped):
            continue
        kept.append(stripped)
    return " ".join(part for part in kept if part)


def normalise(text: str) -> str:
    """Lower-case; e-mails, amounts and numbers become placeholder tokens."""
    text = EMAIL.sub(" _email_ ", text)
    text = MONEY.sub(" _money_ ", text)
    text = NUMBER.sub(" _num_ ", text)
    return " ".join(text.lower().split())


def build_text(subjects: Iterable[str], bodies: Iterable[str]) -> list[str]:
    """Subject (with a reply-prefix stripped) and the customer's own words, normalised."""
    out = []
    for subject, body in zip(subjects, bodies, strict=True):
        subject = re.sub(r"^((re|fwd?)\s*:\s*)+", "", subject or "", flags=re.IGNORECASE)
        out.append(normalise(f"{subject} | {own_words(body or '')}"))
    return out


def frame_text(frame: pd.DataFrame) -> list[str]:
    """:func:`build_text` over a ticket table."""
    return build_text(frame["subject"].fillna(""), frame["body"].fillna(""))
