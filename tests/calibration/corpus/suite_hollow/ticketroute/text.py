"""Ticket text: drop quoted history and sign-offs, then join subject, body and metadata."""

from __future__ import annotations

import re

_REPLY_HEADER = re.compile(r"^(on .+ wrote:|-+ ?original message ?-+|from: .+)$", re.IGNORECASE)
_SIGN_OFFS = {"thanks", "thank you", "regards", "best", "cheers", "kind regards"}
_SPACES = re.compile(r"\s+")


def strip_history(body: str) -> str:
    """The new part of an e-mail body: no ``>`` lines, nothing after a reply header or sign-off."""
    kept: list[str] = []
    for line in body.splitlines():
        stripped = line.strip()
        if _REPLY_HEADER.match(stripped):
            break
        if stripped.lower().rstrip(",.!") in _SIGN_OFFS:
            break
        if stripped.startswith(">"):
            continue
        kept.append(stripped)
    return _SPACES.sub(" ", " ".join(kept)).strip()


def ticket_text(subject: str, body: str, channel: str = "", product_area: str = "") -> str:
    """One lower-case document per ticket; the subject counts twice, metadata as marker words."""
    parts = [subject, subject, strip_history(body)]
    if channel:
        parts.append(f"channel_{channel}")
    if product_area:
        parts.append(f"area_{product_area.replace(' ', '_')}")
    return _SPACES.sub(" ", " ".join(p for p in parts if p)).strip().lower()
