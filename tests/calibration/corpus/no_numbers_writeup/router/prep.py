"""Preparing ticket text."""
from __future__ import annotations

import re

import pandas as pd

_THREAD = re.compile(r"(?m)^(On .*wrote:|-----Original Message-----|From: .*@.*)$")
_JUNK = re.compile(r"(?m)^(>.*|Sent from my .*|--\s*)$")


def body_text(body: str) -> str:
    """The newest message only."""
    m = _THREAD.search(body)
    return _JUNK.sub(" ", body[: m.start()] if m else body)


def documents(frame: pd.DataFrame) -> list[str]:
    """One lower-cased document per ticket: subject, body and the plan as a token."""
    return [
        f"{s} {body_text(b)} plan_{p or 'unknown'}".lower()
        for s, b, p in zip(frame["subject"], frame["body"], frame["customer_plan"])
    ]
