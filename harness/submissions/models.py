"""Submissions, their reports (with history), and the notes reviewers leave on them.

Decisions are recorded on the invitation (``harness.invitations.models.Decision``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from harness.accounts.models import Reviewer
from harness.db.base import Base, DecimalText, UTCDateTime, utcnow
from harness.invitations.models import Invitation

__all__ = [
    "Note",
    "ReportRecord",
    "Submission",
    "SubmissionStatus",
]


class SubmissionStatus(StrEnum):
    queued = "queued"
    """Waiting for a worker (also after an infrastructure error, with ``not_before`` set)."""
    running = "running"
    """Claimed by a worker, which keeps ``heartbeat_at`` fresh."""
    graded = "graded"
    """A report exists; the pipeline ran (the submission may still have failed its stages)."""
    rejected = "rejected"
    """Unusable input; the message says what to fix."""
    error = "error"
    """The harness failed on it for a reason retrying will not fix; a reviewer can regrade."""


FINISHED = frozenset({SubmissionStatus.graded, SubmissionStatus.rejected, SubmissionStatus.error})


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("invitation_id", "version", name="uq_submissions_invitation_version"),
        Index("ix_submissions_status_not_before", "status", "not_before"),
        Index("ix_submissions_assignment_created", "assignment_name", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    """1 for the first upload of an invitation, then 2, 3, ..."""
    assignment_name: Mapped[str] = mapped_column(String(64))
    """Copied from the invitation so lists and score distributions need no join."""
    filename: Mapped[str] = mapped_column(String(255))
    """As the candidate named it (hostile text: always escaped when shown)."""
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    blob_key: Mapped[str] = mapped_column(String(200))
    """Path of the stored archive relative to ``settings.blobs_dir`` (content addressed)."""
    size_bytes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(
        String(16), default=SubmissionStatus.queued.value, index=True
    )
    message: Mapped[str] = mapped_column(Text, default="")
    """Why it was rejected or errored, or what the worker waits for."""
    stage: Mapped[str | None] = mapped_column(String(16))
    """The stage running now (``static``, ``tests``, ...), for the live status page."""
    stages: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Live progress by stage: ``{"tests": {"state": "finished", "verdict": "ok", "message": ""}}``."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    """How many times a worker claimed it."""
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """Back-off after an infrastructure error: not claimed before this time."""
    claim_token: Mapped[str | None] = mapped_column(String(36))
    """Changes on every claim, so a worker that lost its claim cannot store a report."""
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    reported_hours: Mapped[Decimal | None] = mapped_column(DecimalText())
    """Hours the candidate says they spent (issue 5 shows them beside the clock's hours)."""
    overall_score: Mapped[float | None] = mapped_column(Float, index=True)
    """Copy of the current report's ``overall.score``, for sorting and distributions."""
    accuracy: Mapped[float | None] = mapped_column(Float)
    macro_f1: Mapped[float | None] = mapped_column(Float)

    invitation: Mapped[Invitation] = relationship(foreign_keys=[invitation_id])
    reports: Mapped[list[ReportRecord]] = relationship(
        back_populates="submission", order_by="ReportRecord.id"
    )
    notes: Mapped[list[Note]] = relationship(back_populates="submission", order_by="Note.id")


class ReportRecord(Base):
    """One grading run's report. Regrading adds a row and moves ``current``; history stays."""

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_submission_current", "submission_id", "current"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16))
    overall_score: Mapped[float | None] = mapped_column(Float)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The report (``harness.reports.schema.Report``) as JSON, artifacts moved out to files."""
    grader_versions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    artifacts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    """``"<grader>/<name>"`` -> path under ``settings.artifacts_dir``."""
    harness_version: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    worker: Mapped[str | None] = mapped_column(String(200))

    submission: Mapped[Submission] = relationship(back_populates="reports")


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    body: Mapped[str] = mapped_column(Text)
    """Plain text (escaped when shown, never rendered as Markdown or HTML)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="notes")
    reviewer: Mapped[Reviewer] = relationship(lazy="joined")
