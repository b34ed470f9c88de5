"""API shapes of human review: scorecards, the review of a submission, the queue, conflicts,
agreement figures and finding feedback."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from harness.submissions.schemas import DecisionCreate, DecisionOut

__all__ = [
    "AgreementOut",
    "AutomatedOut",
    "CombinedOut",
    "ConflictCreate",
    "ConflictOut",
    "CriterionAgreementOut",
    "CriterionOut",
    "DecisionWithBasis",
    "DiscussionCreate",
    "FeedbackCreate",
    "FeedbackOut",
    "MachineGapOut",
    "QueueItem",
    "ReconciliationOut",
    "ReviewEvent",
    "ReviewOut",
    "ReviewQueue",
    "ReviewedDecisionCreate",
    "ReviewerCalibrationOut",
    "RulePrecisionOut",
    "ScorecardCreate",
    "ScorecardOut",
    "SeatConflictCreate",
]

Recommendation = Literal["advance", "hold", "reject"]


class CriterionOut(BaseModel):
    key: str
    name: str
    judges: str
    weight: float
    levels: list[str]
    """Anchored levels, lowest first (level 1 is the first)."""
    compare_with: str | None = None


class ScorecardOut(BaseModel):
    id: int
    submission_id: int
    reviewer: str
    kind: str
    """``independent`` or ``reconciler``."""
    status: str
    """``assigned``, ``submitted`` or ``withdrawn``."""
    criteria_version: str
    assigned_at: datetime
    submitted_at: datetime | None
    ratings: dict[str, int]
    """Level per criterion key; empty until submitted."""
    recommendation: str | None
    comments: str
    human_score: float | None
    """0-100, from the levels and the criteria's weights."""


class ScorecardCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ratings: dict[str, int] = Field(max_length=12)
    """Level per criterion key (every criterion of the review's version)."""
    recommendation: Recommendation
    comments: str = Field(default="", max_length=10_000)


class ReconciliationOut(BaseModel):
    status: str
    """``open`` or ``resolved``."""
    reasons: list[str]
    method: str | None
    """``third_reviewer`` or ``discussion`` once resolved."""
    note: str
    agreed_recommendation: str | None
    opened_at: datetime
    resolved_at: datetime | None


class DiscussionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=10_000)
    """What the reviewers discussed and agreed."""
    recommendation: Recommendation | None = None


class CombinedOut(BaseModel):
    automated: float | None
    human: float | None
    score: float | None
    recommendation: str | None
    formula: str


class AutomatedOut(BaseModel):
    overall: float | None
    graders: dict[str, float | None]
    status: str | None
    """The current report's status (``graded``, ``rejected``, ``error``), null before one."""


class DecisionWithBasis(DecisionOut):
    """A decision with what it rested on (null fields for decisions made before issue 12)."""

    scorecard_ids: list[int] = Field(default_factory=list)
    """The submitted scorecards the decision rested on."""
    combined_score: float | None = None
    recommendation: str | None = None
    """The combined recommendation shown when it was taken."""
    override: bool = False
    """Taken by an admin before the review was complete."""


class ReviewOut(BaseModel):
    """One submission's review as the asking reviewer may see it."""

    submission_id: int
    status: str | None
    """``open``, ``reconciling``, ``complete``, ``closed``; null when no review was opened."""
    required: int
    submitted: int
    criteria_version: str | None
    criteria: list[CriterionOut]
    blind: bool
    """True while the asking reviewer may not see other scorecards (or the decision)."""
    blind_reason: str
    my_scorecard: ScorecardOut | None
    scorecards: list[ScorecardOut]
    """Every submitted scorecard, once the asking reviewer may see them; else only their own."""
    reconciliation: ReconciliationOut | None
    automated: AutomatedOut
    combined: CombinedOut | None
    """Null while blind."""
    decision_blocked: str | None
    """Why a decision cannot be recorded yet; null when it can."""
    decisions: list[DecisionWithBasis]
    """Empty while the asking reviewer's own scorecard is still open."""


class QueueItem(BaseModel):
    submission_id: int
    assignment: str
    candidate: str
    """``Candidate #<id>`` while review is anonymous."""
    kind: str
    """The seat: ``independent`` or ``reconciler``."""
    seats_open: int
    opened_at: datetime


class ReviewQueue(BaseModel):
    mine: list[ScorecardOut]
    """Seats the asking reviewer holds and has not submitted."""
    open: list[QueueItem]
    """Seats nobody holds yet that the asking reviewer may take."""


class ConflictCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=320)
    """An address (``ada@example.com``) or a whole domain (``@example.com``)."""
    reason: str = Field(default="", max_length=500)


class SeatConflictCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=500)


class ConflictOut(BaseModel):
    id: int
    email_pattern: str | None
    """Null for a conflict declared on a submission (the candidate stays anonymous)."""
    reason: str
    created_at: datetime


class ReviewedDecisionCreate(DecisionCreate):
    override_review: bool = False
    """Admins only: record the decision before the review is complete (audited); open seats
    are withdrawn."""


class FeedbackCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grader: str = Field(min_length=1, max_length=64)
    index: int = Field(ge=0, le=100_000)
    """The finding's position in its grader's list on the current report."""
    verdict: Literal["confirmed", "wrong", "unhelpful"]
    reason: str = Field(default="", max_length=2_000)
    """Required for ``wrong`` and ``unhelpful``."""


class FeedbackOut(BaseModel):
    id: int
    submission_id: int
    report_id: int
    grader: str
    rule: str
    verdict: str
    reason: str
    reviewer: str
    created_at: datetime


class CriterionAgreementOut(BaseModel):
    key: str
    name: str
    alpha: float | None
    """Krippendorff's alpha (ordinal); null when undefined."""
    units: int
    compare_with: str | None
    rho_machine: float | None
    machine_pairs: int


class ReviewerCalibrationOut(BaseModel):
    reviewer: str
    scorecards: int
    offset_consensus: float | None
    abs_offset_consensus: float | None
    offset_automated: float | None
    criteria: dict[str, float]


class MachineGapOut(BaseModel):
    submission_id: int
    human: float
    automated: float
    gap: float


class RulePrecisionOut(BaseModel):
    rule: str
    confirmed: int
    wrong: int
    unhelpful: int
    precision: float | None


class AgreementOut(BaseModel):
    assignment: str
    criteria_version: str | None
    versions: list[str]
    """Every criteria version of the assignment, oldest first."""
    scorecards: int
    submissions: int
    alpha_recommendation: float | None
    alpha_human_score: float | None
    """Krippendorff's alpha (interval) of the scorecards' human scores, in 5-point steps."""
    criteria: list[CriterionAgreementOut]
    reviewers: list[ReviewerCalibrationOut]
    rho_machine: float | None
    """Spearman's rho: consensus human score against the automated overall score."""
    machine_pairs: int
    largest_gaps: list[MachineGapOut]
    rules: list[RulePrecisionOut]


class ReviewEvent(BaseModel):
    """A webhook event produced by review (sent after the transaction commits)."""

    event: str
    data: dict[str, Any]
