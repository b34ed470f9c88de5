"""Comments reviewers write for the candidate, and the candidates' survey answers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from harness.db.base import Base, DecimalText, UTCDateTime, utcnow

__all__ = ["CandidateComment", "SurveyResponse"]


class CandidateComment(Base):
    """A comment a reviewer wrote for the candidate to read on their feedback page.

    Notes (``harness.submissions.models.Note``) are for the hiring team and never shown to the
    candidate; only these are, and only while ``shared`` and once a final decision stands.
    """

    __tablename__ = "candidate_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), index=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    """The upload the reviewer was looking at."""
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    body: Mapped[str] = mapped_column(Text)
    """Plain text (escaped when shown)."""
    shared: Mapped[bool] = mapped_column(Boolean, default=True)
    """Withdrawn comments stay for the team's record but leave the candidate's page."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SurveyResponse(Base):
    """A candidate's answers to the one-minute survey (one per invitation; answering again
    replaces them)."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), unique=True)
    hours_spent: Mapped[Decimal] = mapped_column(DecimalText())
    """Hours the candidate really spent (0 to 100, quarter hours)."""
    clarity: Mapped[int] = mapped_column(Integer)
    """1 (confusing) to 5 (perfectly clear): how clear the task was."""
    fairness: Mapped[int] = mapped_column(Integer)
    """1 (unfair) to 5 (fair): how fair the task and its grading felt."""
    comment: Mapped[str] = mapped_column(Text, default="")
    """Optional free text (at most 2,000 characters); dropped when the candidate is erased."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
