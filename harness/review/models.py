"""Human review: scorecards, the criteria versions they were made with, reconciliations,
reviewers' declared conflicts, what each decision rested on, and feedback on findings.

Every table here is keyed by submission and/or reviewer and holds nothing the submissions or
invitations need, so erasing a candidate's review (or a reviewer's) touches these tables only.
"""

from __future__ import annotations

from datetime import datetime
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
from harness.db.base import Base, UTCDateTime, utcnow

__all__ = [
    "SETTLED",
    "AnonymousFindingMark",
    "AnonymousScorecard",
    "CriteriaSet",
    "DecisionBasis",
    "DecisionScorecard",
    "FindingFeedback",
    "FindingVerdict",
    "Reconciliation",
    "ReconciliationStatus",
    "Review",
    "ReviewConflict",
    "ReviewStatus",
    "Scorecard",
    "SeatKind",
    "SeatStatus",
]


class SeatStatus(StrEnum):
    assigned = "assigned"
    """A reviewer holds the seat and has not submitted yet."""
    submitted = "submitted"
    """The scorecard is in; it never changes afterwards."""
    withdrawn = "withdrawn"
    """Released (a declared conflict, a newer version, a decision taken without it)."""


class SeatKind(StrEnum):
    independent = "independent"
    """One of the assignment's N blind scorecards."""
    reconciler = "reconciler"
    """A third reviewer, scoring blind, after the first ones disagreed."""


class CriteriaSet(Base):
    """One version of an assignment's review criteria, stored the first time it is used."""

    __tablename__ = "review_criteria_sets"
    __table_args__ = (
        UniqueConstraint("assignment_name", "version", name="uq_review_criteria_sets"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_name: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(20))
    """``ReviewSpec.criteria_version``: a hash of the criteria."""
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    """The criteria as the spec stated them (key, name, judges, weight, levels, compare_with)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReviewStatus(StrEnum):
    open = "open"
    """Collecting its independent scorecards."""
    reconciling = "reconciling"
    """The scorecards disagreed; a third reviewer or a recorded discussion settles it."""
    complete = "complete"
    """Every required scorecard is in and agreed (or was reconciled): a decision may be taken."""
    closed = "closed"
    """Ended without completing (a newer version took over, or an admin decided without it)."""


SETTLED = frozenset({ReviewStatus.complete.value, ReviewStatus.closed.value})
"""States in which nobody is still scoring: scorecards may be read by everyone."""


class Review(Base):
    """The human review of one submission: how many scorecards it needs and where it stands."""

    __tablename__ = "reviews"
    __table_args__ = (
        Index("ix_reviews_status_assignment", "status", "assignment_name"),
        Index("ix_reviews_criteria_status", "criteria_set_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), unique=True
    )
    assignment_name: Mapped[str] = mapped_column(String(64))
    criteria_set_id: Mapped[int] = mapped_column(ForeignKey("review_criteria_sets.id"))
    """Every scorecard of this review uses this version of the criteria."""
    required: Mapped[int] = mapped_column(Integer)
    """Independent scorecards needed (the assignment's setting when the review opened)."""
    status: Mapped[str] = mapped_column(String(12), default=ReviewStatus.open.value)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When the last required scorecard landed with agreement, or the reconciliation ended."""

    criteria_set: Mapped[CriteriaSet] = relationship(lazy="joined")


class Scorecard(Base):
    """A reviewer's seat on a submission, and once submitted, their scorecard."""

    __tablename__ = "scorecards"
    __table_args__ = (
        UniqueConstraint("submission_id", "reviewer_id", name="uq_scorecards_submission_reviewer"),
        UniqueConstraint("submission_id", "seat", name="uq_scorecards_submission_seat"),
        Index("ix_scorecards_reviewer_status", "reviewer_id", "status"),
        Index("ix_scorecards_criteria_status", "criteria_set_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id", ondelete="CASCADE"))
    assignment_name: Mapped[str] = mapped_column(String(64))
    """Copied from the submission, so calibration reads need no join."""
    criteria_set_id: Mapped[int] = mapped_column(ForeignKey("review_criteria_sets.id"))
    seat: Mapped[int] = mapped_column(Integer)
    """1..N for the independent seats, N+1.. for reconcilers: unique per submission, so two
    assigners racing cannot fill more seats than asked."""
    kind: Mapped[str] = mapped_column(String(12), default=SeatKind.independent.value)
    status: Mapped[str] = mapped_column(String(10), default=SeatStatus.assigned.value)
    assigned_by: Mapped[str] = mapped_column(String(10))
    """``auto`` (balanced assignment) or ``queue`` (the reviewer picked it)."""
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_reason: Mapped[str | None] = mapped_column(String(200))
    ratings: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    """Level per criterion key (1 = the first anchored level)."""
    recommendation: Mapped[str | None] = mapped_column(String(10))
    """``advance``, ``hold`` or ``reject``."""
    comments: Mapped[str] = mapped_column(Text, default="")
    """Plain text (escaped when shown)."""
    human_score: Mapped[float | None] = mapped_column(Float)
    """This scorecard's weighted levels on 0-100 (``harness.review.rules.human_score``)."""
    automated_overall: Mapped[float | None] = mapped_column(Float)
    """The automated overall score on the report the reviewer had in front of them."""
    automated_graders: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    """That report's score per grader (for the machine-versus-people comparison)."""

    reviewer: Mapped[Reviewer] = relationship(lazy="joined")
    criteria_set: Mapped[CriteriaSet] = relationship(lazy="joined")


class ReconciliationStatus(StrEnum):
    open = "open"
    resolved = "resolved"


class Reconciliation(Base):
    """Scorecards that disagreed, and how the disagreement was settled."""

    __tablename__ = "review_reconciliations"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), default=ReconciliationStatus.open.value)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    """What disagreed, in words (``evaluation: levels 1 and 3``, ``recommendations differ``)."""
    method: Mapped[str | None] = mapped_column(String(16))
    """``third_reviewer`` or ``discussion``, once resolved."""
    note: Mapped[str] = mapped_column(Text, default="")
    """The recorded discussion."""
    agreed_recommendation: Mapped[str | None] = mapped_column(String(10))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("reviewers.id", ondelete="SET NULL")
    )


class ReviewConflict(Base):
    """A reviewer must not review this candidate (a candidate id) or anyone at this address or
    e-mail domain. Matching happens on the server: reviewers never learn who matched."""

    __tablename__ = "review_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(
        ForeignKey("reviewers.id", ondelete="CASCADE"), index=True
    )
    candidate_id: Mapped[int | None] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE")
    )
    email_pattern: Mapped[str | None] = mapped_column(String(320))
    """A lower-cased address (``a@b.com``) or a domain (``@b.com``)."""
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DecisionBasis(Base):
    """What a decision rested on: the combined score and its parts, when it was recorded."""

    __tablename__ = "decision_bases"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("decisions.id", ondelete="CASCADE"), unique=True
    )
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    automated_score: Mapped[float | None] = mapped_column(Float)
    human_score: Mapped[float | None] = mapped_column(Float)
    combined_score: Mapped[float | None] = mapped_column(Float)
    recommendation: Mapped[str | None] = mapped_column(String(10))
    """The combined recommendation shown when the decision was taken."""
    override: Mapped[bool] = mapped_column(Boolean, default=False)
    """Taken by an admin before the review was complete (audited with its reason)."""
    formula: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DecisionScorecard(Base):
    """One scorecard a decision rested on."""

    __tablename__ = "decision_scorecards"

    decision_basis_id: Mapped[int] = mapped_column(
        ForeignKey("decision_bases.id", ondelete="CASCADE"), primary_key=True
    )
    scorecard_id: Mapped[int] = mapped_column(
        ForeignKey("scorecards.id", ondelete="CASCADE"), primary_key=True
    )


class FindingVerdict(StrEnum):
    confirmed = "confirmed"
    """The finding is right and useful."""
    wrong = "wrong"
    """The finding is not true of this code."""
    unhelpful = "unhelpful"
    """True, perhaps, but not worth a reviewer's attention."""


class FindingFeedback(Base):
    """A reviewer's mark on one automated finding of a report."""

    __tablename__ = "finding_feedback"
    __table_args__ = (Index("ix_finding_feedback_rule", "rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(
        ForeignKey("reviewers.id", ondelete="CASCADE"), index=True
    )
    grader: Mapped[str] = mapped_column(String(64))
    grader_version: Mapped[str] = mapped_column(String(32), default="")
    rule: Mapped[str] = mapped_column(String(120))
    finding_index: Mapped[int] = mapped_column(Integer)
    """Position of the finding in its grader's list on that report."""
    file: Mapped[str | None] = mapped_column(String(1024))
    line: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text, default="")
    """The finding's message as the reviewer saw it (kept if the report is regraded)."""
    verdict: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AnonymousScorecard(Base):
    """A settled scorecard of an erased candidate, kept for the agreement figures only: the
    levels, recommendation and scores, never the comments, the submission or a date. Cards of
    one erased submission share a random ``unit`` (Krippendorff's units), nothing else."""

    __tablename__ = "anonymous_scorecards"
    __table_args__ = (Index("ix_anonymous_scorecards_criteria", "criteria_set_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(String(16))
    assignment_name: Mapped[str] = mapped_column(String(64))
    criteria_set_id: Mapped[int] = mapped_column(ForeignKey("review_criteria_sets.id"))
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("reviewers.id", ondelete="SET NULL")
    )
    """The hiring team's reviewer (their own calibration keeps counting the card)."""
    kind: Mapped[str] = mapped_column(String(12))
    ratings: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    recommendation: Mapped[str | None] = mapped_column(String(10))
    human_score: Mapped[float | None] = mapped_column(Float)
    automated_overall: Mapped[float | None] = mapped_column(Float)
    automated_graders: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)


class AnonymousFindingMark(Base):
    """A reviewer's verdict on a finding of an erased candidate's report: the rule and the
    verdict only (the rule precision figures), never the message, file or reason."""

    __tablename__ = "anonymous_finding_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    grader: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(120))
    verdict: Mapped[str] = mapped_column(String(10))
