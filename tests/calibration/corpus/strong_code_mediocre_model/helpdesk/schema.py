"""The ticket table contract."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

ID: Final = "id"
LABEL: Final = "label"
TEXT_FIELDS: Final = ("subject", "body")
QUEUES: Final = (
    "account_access",
    "billing",
    "bug_report",
    "feature_request",
    "how_to",
    "refund",
    "security_privacy",
    "shipping",
)


class SchemaError(ValueError):
    """The table does not follow the ticket contract."""


@dataclass(frozen=True)
class TicketTable:
    """A validated ticket table."""

    frame: pd.DataFrame
    labelled: bool

    @property
    def ids(self) -> list[str]:
        """Ticket ids in file order."""
        return self.frame[ID].tolist()

    @property
    def labels(self) -> list[str]:
        """Queue per ticket; raises for an unlabelled table."""
        if not self.labelled:
            raise SchemaError("this table has no labels")
        return self.frame[LABEL].tolist()


def read_table(path: str | Path, *, labelled: bool) -> TicketTable:
    """Read and validate a ticket CSV."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    required = [ID, *TEXT_FIELDS] + ([LABEL] if labelled else [])
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise SchemaError(f"{path}: missing {missing}")
    if labelled:
        unknown = sorted(set(frame[LABEL]) - set(QUEUES))
        if unknown:
            raise SchemaError(f"{path}: unknown queue(s) {unknown}")
    return TicketTable(frame=frame, labelled=labelled)
