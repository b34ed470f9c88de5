"""What an erased candidate leaves behind: anonymous figures, so the statistics survive.

Neither table holds a name, an address, an id of an erased row, a file name, a hash of an
archive, free text or an exact time: only the assignment, coarse months, scores, durations and
survey numbers. The dashboard, the score distribution, the team's process medians and the
survey summary add these rows to the live ones (``harness.privacy.anonymous``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from harness.db.base import Base, UTCDateTime, utcnow

__all__ = ["AnonymousCandidate", "AnonymousSubmission"]


class AnonymousSubmission(Base):
    """The figures of one erased upload."""

    __tablename__ = "anonymous_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_name: Mapped[str] = mapped_column(String(64), index=True)
    month: Mapped[str] = mapped_column(String(7))
    """``YYYY-MM`` of the upload: enough for trends, too coarse to single anyone out."""
    status: Mapped[str] = mapped_column(String(16))
    """``graded``, ``rejected`` or ``error`` (queued and running uploads are never erased)."""
    overall_score: Mapped[float | None] = mapped_column(Float)
    accuracy: Mapped[float | None] = mapped_column(Float)
    macro_f1: Mapped[float | None] = mapped_column(Float)
    grader_scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """``{grader name: score}`` of the report that counted."""
    stage_seconds: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """``{stage: seconds}`` of that report's sandboxed stages."""
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    seconds_to_graded: Mapped[float | None] = mapped_column(Float)
    """Upload to graded (the dashboard's median)."""
    seconds_to_decision: Mapped[float | None] = mapped_column(Float)
    """Upload to the invitation's first decision (the dashboard's median); null if undecided."""
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AnonymousCandidate(Base):
    """The figures of one erased invitation (a candidate's seat at one assignment)."""

    __tablename__ = "anonymous_candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_name: Mapped[str] = mapped_column(String(64), index=True)
    month: Mapped[str] = mapped_column(String(7))
    """``YYYY-MM`` of the invitation."""
    outcome: Mapped[str | None] = mapped_column(String(10))
    """The standing decision (``advance``, ``reject``, ``hold``), if any."""
    milestones: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Seconds from the invitation to each milestone reached (``started``, ``submitted``,
    ``graded``, ``first_reviewed``, ``decided``): the team's process medians are rebuilt from
    these exactly, without keeping a date."""
    survey: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """``hours``, ``clarity`` and ``fairness`` from the candidate survey (never its comment)."""
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Other anonymous figures domains contribute (hours worked, the amount paid and its
    currency and month, reviewer agreement once scorecards exist), by name."""
    reason: Mapped[str] = mapped_column(String(16))
    """``request`` (erased on the candidate's request) or ``retention`` (the policy expired)."""
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
