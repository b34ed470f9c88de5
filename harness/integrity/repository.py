"""Queries of the fingerprint index and the similarity matches."""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from harness.integrity.fingerprint import Fingerprint
from harness.integrity.models import CodeFingerprint, CodeFingerprintSet, SimilarityMatch

__all__ = ["CHUNK", "IndexRepository", "hashes_of", "pack_prints", "unpack_prints"]

CHUNK = 500
"""Fingerprints per ``IN (...)`` list: well under every backend's limit on bound parameters."""


_PRINT = struct.Struct(">qHIH")
"""One stored fingerprint: hash, file index, first line, lines spanned (16 bytes)."""


def pack_prints(prints: Iterable[Fingerprint]) -> bytes:
    return b"".join(_PRINT.pack(p.hash, min(p.file, 0xFFFF), min(p.first_line, 0xFFFFFFFF),
                                min(p.last_line - p.first_line, 0xFFFF)) for p in prints)


def unpack_prints(data: bytes) -> list[Fingerprint]:
    return [Fingerprint(h, f, first, first + span) for h, f, first, span in _PRINT.iter_unpack(data)]


def hashes_of(data: bytes) -> frozenset[int]:
    return frozenset(h for h, _, _, _ in _PRINT.iter_unpack(data))


def _chunks(values: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


class IndexRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- the index ------------------------------------------------------------------------
    def set_of(self, submission_id: int) -> CodeFingerprintSet | None:
        return self.session.get(CodeFingerprintSet, submission_id)

    def sets_of_invitation(self, invitation_id: int) -> Sequence[CodeFingerprintSet]:
        return self.session.scalars(
            select(CodeFingerprintSet).where(CodeFingerprintSet.invitation_id == invitation_id)
        ).all()

    def unindex(self, row: CodeFingerprintSet) -> int:
        """Remove a set's rows from the index (the set itself stays, marked not indexed); how
        many were removed."""
        removed = 0
        for chunk in _chunks(sorted(hashes_of(row.prints))):
            result = self.session.execute(delete(CodeFingerprint).where(
                CodeFingerprint.submission_id == row.submission_id,
                CodeFingerprint.fingerprint.in_(chunk)))
            removed += int(result.rowcount) if isinstance(result, CursorResult) else 0
        row.indexed = False
        return removed

    def index(self, submission_id: int, hashes: Sequence[int]) -> None:
        if hashes:
            self.session.execute(insert(CodeFingerprint),
                                 [{"fingerprint": h, "submission_id": submission_id} for h in hashes])

    def population(self, assignment: str, scheme: str, invitation_id: int) -> int:
        """Indexed submissions of the assignment, other invitations only."""
        return int(self.session.scalar(select(func.count()).select_from(CodeFingerprintSet).where(
            CodeFingerprintSet.assignment_name == assignment, CodeFingerprintSet.scheme == scheme,
            CodeFingerprintSet.indexed.is_(True),
            CodeFingerprintSet.invitation_id != invitation_id)) or 0)

    def frequencies(self, hashes: Sequence[int], exclude: Sequence[int]) -> Counter[int]:
        """For each fingerprint, the indexed submissions (``exclude`` left out) holding it."""
        counts: Counter[int] = Counter()
        for chunk in _chunks(hashes):
            query = (select(CodeFingerprint.fingerprint, func.count())
                     .where(CodeFingerprint.fingerprint.in_(chunk))
                     .group_by(CodeFingerprint.fingerprint))
            if exclude:
                query = query.where(CodeFingerprint.submission_id.not_in(exclude))
            counts.update({int(h): int(n) for h, n in self.session.execute(query)})
        return counts

    def holders(self, hashes: Sequence[int], exclude: Sequence[int]) -> Counter[int]:
        """For each indexed submission (``exclude`` left out), how many of ``hashes`` it holds."""
        counts: Counter[int] = Counter()
        for chunk in _chunks(hashes):
            query = (select(CodeFingerprint.submission_id, func.count())
                     .where(CodeFingerprint.fingerprint.in_(chunk))
                     .group_by(CodeFingerprint.submission_id))
            if exclude:
                query = query.where(CodeFingerprint.submission_id.not_in(exclude))
            counts.update({int(s): int(n) for s, n in self.session.execute(query)})
        return counts

    # --- matches --------------------------------------------------------------------------
    def match(self, match_id: int) -> SimilarityMatch | None:
        return self.session.get(SimilarityMatch, match_id)

    def pair(self, later: int, earlier: int) -> SimilarityMatch | None:
        return self.session.scalars(select(SimilarityMatch).where(
            SimilarityMatch.submission_id == later,
            SimilarityMatch.other_submission_id == earlier)).first()

    def known(self, submission_id: int, name: str) -> SimilarityMatch | None:
        return self.session.scalars(select(SimilarityMatch).where(
            SimilarityMatch.submission_id == submission_id,
            SimilarityMatch.known_solution == name)).first()

    def found_by(self, submission_id: int) -> Sequence[SimilarityMatch]:
        """Matches a check of ``submission_id`` is responsible for: with earlier submissions and
        with known solutions."""
        return self.session.scalars(select(SimilarityMatch).where(
            SimilarityMatch.submission_id == submission_id)).all()

    def involving(self, submission_id: int) -> Sequence[SimilarityMatch]:
        """Every match with ``submission_id`` on either side, strongest first."""
        return self.session.scalars(select(SimilarityMatch).where(or_(
            SimilarityMatch.submission_id == submission_id,
            SimilarityMatch.other_submission_id == submission_id,
        )).order_by(SimilarityMatch.similarity.desc(), SimilarityMatch.id)).all()

    def erase(self, submission_id: int) -> int:
        """Remove a submission's fingerprints, index rows and matches; the rows touched."""
        touched = 0
        row = self.set_of(submission_id)
        if row is not None:
            if row.indexed:
                touched += self.unindex(row)
            self.session.delete(row)
            touched += 1
        result = self.session.execute(delete(SimilarityMatch).where(or_(
            SimilarityMatch.submission_id == submission_id,
            SimilarityMatch.other_submission_id == submission_id)))
        return touched + (int(result.rowcount) if isinstance(result, CursorResult) else 0)
