"""Text normalisation."""

from __future__ import annotations

import re

_HISTORY = re.compile(r"(?im)^(on .{0,160}wrote:|-{2,} ?original message ?-{2,}|from: .*@.*)$")
_NOISE = re.compile(r"(?im)^(>.*|sent from my .*|get outlook for .*|app version .*)$")
_TOKENS = [
    (re.compile(r"\S+@\S+\.\w+"), " tok_email "),
    (re.compile(r"[$£€]\s*\d[\d,]*(\.\d+)?"), " tok_money "),
    (re.compile(r"\b[A-Z]{2,}-?\d{3,}\b"), " tok_ref "),
    (re.compile(r"\d+"), " tok_num "),
]


def new_message(body: str) -> str:
    """Body up to the first earlier-message header, without quoted or footer lines."""
    found = _HISTORY.search(body)
    body = body[: found.start()] if found else body
    return _NOISE.sub(" ", body)


def normalise(text: str) -> str:
    """Replace volatile tokens with placeholders, lower-case, squeeze whitespace."""
    for pattern, repl in _TOKENS:
        text = pattern.sub(repl, text)
    return " ".join(text.lower().split())


def document(subject: str, body: str) -> str:
    """What the vectoriser sees for one ticket."""
    return normalise(f"{subject} {subject} {new_message(body)}")
