"""The fingerprint index and the similarity matches it finds.

Everything is keyed by submission; :func:`harness.integrity.service.erase_submission` removes a
submission's fingerprints and matches.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from harness.accounts.models import Reviewer
from harness.db.base import Base, UTCDateTime, utcnow

__all__ = ["CodeFingerprint", "CodeFingerprintSet", "SimilarityMatch"]


class CodeFingerprintSet(Base):
    """What was fingerprinted of one submission (at its latest grading)."""

    __tablename__ = "code_fingerprint_sets"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    assignment_name: Mapped[str] = mapped_column(String(64), index=True)
    invitation_id: Mapped[int] = mapped_column(Integer, index=True)
    scheme: Mapped[str] = mapped_column(String(40))
    """The normalisation and parameters (``harness.integrity.fingerprint.SCHEME``)."""
    prints: Mapped[bytes] = mapped_column(LargeBinary)
    """Its fingerprints with where each is (starter-kit code left out), 16 bytes each
    (``harness.integrity.repository.pack_prints``): a match's fragments are found from these,
    without reading the archive again."""
    paths: Mapped[list[str]] = mapped_column(JSON, default=list)
    """The fingerprinted files, by the index ``prints`` refer to them with."""
    fingerprints: Mapped[int] = mapped_column(Integer)
    """Distinct fingerprints in ``prints``."""
    indexed: Mapped[bool] = mapped_column(Boolean, default=True)
    """Whether ``code_fingerprints`` holds them: only the newest graded version of each
    invitation is indexed, so a fragment's count is a count of candidates."""
    starter: Mapped[int] = mapped_column(Integer, default=0)
    """Fingerprints left out because the starter kit has them."""
    files: Mapped[int] = mapped_column(Integer)
    tokens: Mapped[int] = mapped_column(Integer)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CodeFingerprint(Base):
    """The index: one row per (fingerprint, submission), nothing else. Fingerprints are keyed
    with the assignment's name, so one assignment's never meet another's; a submission's rows are
    found through its set's ``prints``."""

    __tablename__ = "code_fingerprints"
    __table_args__ = ({"sqlite_with_rowid": False},)

    fingerprint: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), primary_key=True)


class SimilarityMatch(Base):
    """A submission's code found in an earlier submission or in a known solution."""

    __tablename__ = "similarity_matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    """The later submission, whose check found the match."""
    other_submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), index=True)
    """The earlier submission it resembles; null for a known solution."""
    known_solution: Mapped[str | None] = mapped_column(String(200))
    """The known solution it resembles (a folder of the assignment); null for a submission."""
    assignment_name: Mapped[str] = mapped_column(String(64))
    similarity: Mapped[float] = mapped_column(Float)
    """The larger of the two shares."""
    share_of_submission: Mapped[float] = mapped_column(Float)
    """Share of this submission's distinctive fingerprints found in the other."""
    share_of_other: Mapped[float] = mapped_column(Float)
    shared: Mapped[int] = mapped_column(Integer)
    """Distinctive fingerprints found on both sides."""
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    threshold: Mapped[float] = mapped_column(Float)
    """The assignment's threshold when the match was found."""
    fragments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """``[{"file", "lines", "other_file", "other_lines", "prints"}]``: files and line ranges only,
    read from both archives when shown."""
    found_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolution: Mapped[str | None] = mapped_column(String(16))
    """A reviewer's resolution: ``explained``, ``copied`` or ``false_alarm``."""
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("reviewers.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    resolved_by: Mapped[Reviewer | None] = relationship(lazy="joined")
