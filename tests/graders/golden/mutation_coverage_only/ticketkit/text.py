"""Text helpers: strip quoted history and signatures, split into tokens."""

from __future__ import annotations

import re

SIGNATURES = ("thanks", "regards", "cheers")


def clean(text: str) -> str:
    """Lower-case text without quoted lines or anything after a sign-off."""
    kept = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(">"):
            continue
        if stripped.lower().rstrip(",!.") in SIGNATURES:
            break
        kept.append(stripped)
    return re.sub(r"\s+", " ", " ".join(kept)).strip().lower()


def tokens(text: str, min_len: int = 3) -> list[str]:
    """Words of the cleaned text with at least ``min_len`` characters."""
    return [t for t in re.findall(r"[a-z0-9]+", clean(text)) if len(t) >= min_len]
