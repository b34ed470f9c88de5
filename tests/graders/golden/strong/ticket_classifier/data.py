"""Loading and validating support-ticket CSV files."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

REQUIRED_COLUMNS: tuple[str, ...] = ("id", "subject", "body")
LABEL_COLUMN = "label"

# Earlier replies quoted under a ticket repeat other topics; they are cut before featurising.
_QUOTE_MARKERS = re.compile(
    r"^(-{2,}\s*original message\s*-{2,}|on .{0,80} wrote:|from: .*support.*)$",
    re.IGNORECASE | re.MULTILINE,
)


class DataError(ValueError):
    """The input file does not have the columns or ids the task promises."""


def load_tickets(path: Path, *, require_label: bool = False) -> pd.DataFrame:
    """Read a ticket CSV as strings, check its columns and ids, and fill missing text."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    needed = [*REQUIRED_COLUMNS, LABEL_COLUMN] if require_label else list(REQUIRED_COLUMNS)
    missing = [column for column in needed if column not in frame.columns]
    if missing:
        raise DataError(f"{path} is missing columns: {', '.join(missing)}")
    if frame["id"].duplicated().any():
        raise DataError(f"{path} has duplicate ids")
    return frame


def strip_quoted(body: str) -> str:
    """The body without the earlier replies quoted below it."""
    match = _QUOTE_MARKERS.search(body)
    kept = body[: match.start()] if match else body
    return "\n".join(line for line in kept.splitlines() if not line.lstrip().startswith(">"))


def ticket_text(frame: pd.DataFrame) -> list[str]:
    """Subject and body of each ticket as one lower-cased string, quoted replies removed."""
    return [
        f"{subject} \n {strip_quoted(body)}".lower()
        for subject, body in zip(frame["subject"], frame["body"], strict=True)
    ]
