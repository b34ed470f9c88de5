"""Looking for a candidate everywhere: every row of every table, every file of the data folder."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from harness.db.engine import Database
from harness.migrations.all_models import Base

__all__ = ["files_holding", "rows_holding", "rows_pointing_at", "table_rows"]

_ID_COLUMNS = {
    "invitation_id": "invitations",
    "submission_id": "submissions",
    "candidate_id": "candidates",
    "selected_submission_id": "submissions",
    "notified_submission_id": "submissions",
}


def table_rows(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of the schema."""
    out: dict[str, list[dict[str, Any]]] = {}
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            out[table.name] = [dict(r._mapping) for r in conn.execute(select(table))]
    return out


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def rows_holding(db: Database, needles: Iterable[str]) -> list[str]:
    """``table.column = value`` for every cell that contains one of ``needles``."""
    needles = [n for n in needles if n]
    hits = []
    for table, rows in table_rows(db).items():
        for row in rows:
            for column, value in row.items():
                text = _text(value)
                hits += [f"{table}.{column} holds {n!r}" for n in needles if n in text]
    return hits


def rows_pointing_at(db: Database, ids: dict[str, set[int]]) -> list[str]:
    """Rows whose id columns (or audit objects) point at the given rows (``{"invitations":
    {3}, "submissions": {5, 6}}``)."""
    hits = []
    for table, rows in table_rows(db).items():
        for row in rows:
            for column, target in _ID_COLUMNS.items():
                if row.get(column) in ids.get(target, set()):
                    hits.append(f"{table}.{column} = {row[column]}")
            if table == "audit_events" and row["object_id"] in ids.get(f"{row['object_type']}s", set()):
                hits.append(f"audit event {row['id']} ({row['action']}) on {row['object_type']} {row['object_id']}")
            if table in ids and row.get("id") in ids[table]:
                hits.append(f"{table} row {row['id']}")
    return hits


def files_holding(root: Path, needles: Iterable[str], contents: Iterable[bytes] = ()) -> list[str]:
    """Files under ``root`` whose bytes contain a needle, or whose bytes are one of
    ``contents`` (archives compress their text, so they are matched whole), or whose path
    names a needle."""
    needles = [n for n in needles if n]
    wanted = {hashlib.sha256(c).hexdigest() for c in contents}
    hits = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        rel = str(path.relative_to(root))
        hits += [f"{rel} contains {n!r}" for n in needles if n.encode() in data]
        hits += [f"{rel} names {n!r}" for n in needles if n in rel]
        if hashlib.sha256(data).hexdigest() in wanted:
            hits.append(f"{rel} is one of the archives")
    return hits
