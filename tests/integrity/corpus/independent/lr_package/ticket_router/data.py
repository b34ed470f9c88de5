"""Loading tickets."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Ticket:
    ticket_id: str
    subject: str
    body: str
    channel: str
    label: str | None = None

    @property
    def text(self) -> str:
        return f"{self.subject}. {self.body}"


def load_tickets(path: Path) -> list[Ticket]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [
            Ticket(
                ticket_id=row["id"],
                subject=row.get("subject") or "",
                body=row.get("body") or "",
                channel=row.get("channel") or "",
                label=row.get("label") or None,
            )
            for row in csv.DictReader(handle)
        ]
