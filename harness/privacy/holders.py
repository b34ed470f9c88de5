"""What holds candidate data: the interface each domain implements for export and erasure.

Every package that keeps rows or files about a candidate contributes one
:class:`CandidateData` holder (``harness/<domain>/privacy.py``); ``harness.retention.registry``
lists them in the order they are erased (rows that point at others first). A holder says which
tables it covers, so a test can check that every table of the schema is either covered or
declared free of candidate data: a new table cannot be forgotten by an erasure.

The erasure of a :class:`Subject` runs in one transaction: every holder first adds its anonymous
figures to the drafts (``summarise``), then removes its rows (``erase``) and names the files to
delete in a :class:`FileSink`; the files go once the transaction has committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Executable, inspect
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from harness.db.base import Base
from harness.privacy.models import AnonymousCandidate, AnonymousSubmission
from harness.settings import Settings

__all__ = [
    "CandidateData",
    "Drafts",
    "ExportPart",
    "FileSink",
    "Holder",
    "Subject",
    "affected",
    "row_dict",
]


@dataclass(frozen=True)
class Subject:
    """Whose data: resolved once, from an email (on request) or from invitations (retention)."""

    invitation_ids: frozenset[int]
    submission_ids: frozenset[int]
    candidate_ids: frozenset[int]
    """Candidates to remove outright: those with no invitation left outside this subject."""

    @property
    def empty(self) -> bool:
        return not self.invitation_ids and not self.candidate_ids


@dataclass
class Drafts:
    """The anonymous rows an erasure leaves, filled in by the holders before rows go."""

    candidates: dict[int, AnonymousCandidate] = field(default_factory=dict)
    """By invitation id."""
    submissions: dict[int, AnonymousSubmission] = field(default_factory=dict)
    """By submission id."""
    other: list[Base] = field(default_factory=list)
    """Anonymous rows a domain keeps in its own tables (the review's scorecards' levels)."""

    def candidate(self, invitation_id: int) -> AnonymousCandidate:
        """The draft of one invitation, made on first use (holders run in any order)."""
        draft = self.candidates.get(invitation_id)
        if draft is None:
            draft = AnonymousCandidate(milestones={}, survey={}, figures={})
            self.candidates[invitation_id] = draft
        return draft

    def rows(self) -> list[Base]:
        return [*self.candidates.values(), *self.submissions.values(), *self.other]


@dataclass
class FileSink:
    """Files an erasure deletes once its transaction has committed."""

    paths: set[Path] = field(default_factory=set)
    """Files or folders that belong to the subject alone."""
    blob_keys: set[str] = field(default_factory=set)
    """Content-addressed blobs (under ``settings.blobs_dir``): deleted only when no remaining
    row refers to the same content."""

    def add(self, paths: Iterable[Path]) -> None:
        self.paths.update(paths)


@dataclass
class ExportPart:
    """One holder's share of a candidate's export."""

    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """JSON-able rows by section name (``invitations``, ``submissions``, ...)."""
    files: list[tuple[str, Path]] = field(default_factory=list)
    """``(name in the zip, file on disk)``: the candidate's own archives, their reports' files."""


class CandidateData(Protocol):
    """A domain's candidate data, for export and erasure."""

    @property
    def name(self) -> str:
        """Short name, used in erasure receipts (``submissions``, ``ats``, ...)."""
        ...

    @property
    def tables(self) -> frozenset[str]:
        """Tables whose rows this holder exports and erases."""
        ...

    def blockers(self, session: Session, subject: Subject) -> list[str]:
        """Why the subject cannot be erased yet (a submission being graded, a payment still
        owed); empty when nothing stands in the way."""
        ...

    def export(self, session: Session, subject: Subject, settings: Settings) -> ExportPart:
        """Everything held about the subject, as the candidate will receive it."""
        ...

    def summarise(self, session: Session, subject: Subject, drafts: Drafts) -> None:
        """Add anonymous figures to ``drafts`` before anything is removed."""
        ...

    def erase(self, session: Session, subject: Subject, settings: Settings, files: FileSink) -> int:
        """Remove (or redact) the subject's rows; name files in ``files``. Returns rows touched."""
        ...


class Holder:
    """A holder that holds nothing yet: domains override what applies to them."""

    name = "holder"
    tables: frozenset[str] = frozenset()

    def blockers(self, session: Session, subject: Subject) -> list[str]:
        return []

    def export(self, session: Session, subject: Subject, settings: Settings) -> ExportPart:
        return ExportPart()

    def summarise(self, session: Session, subject: Subject, drafts: Drafts) -> None:
        return None

    def erase(self, session: Session, subject: Subject, settings: Settings, files: FileSink) -> int:
        return 0


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return value


def row_dict(row: object, *, leave_out: Iterable[str] = ()) -> dict[str, Any]:
    """A model row's columns as JSON-able values (times in ISO 8601, decimals as text), for an
    export; ``leave_out`` names columns that are secrets or internal (token hashes, claims)."""
    skip = set(leave_out)
    mapper = inspect(type(row))
    return {
        column.key: _json_value(getattr(row, column.key))
        for column in mapper.column_attrs
        if column.key not in skip
    }


def affected(session: Session, statement: Executable) -> int:
    """Run a bulk ``DELETE``/``UPDATE`` and say how many rows it touched."""
    result = session.execute(statement)
    return int(result.rowcount) if isinstance(result, CursorResult) else 0
