"""API shapes of process speed: a candidate's timeline, the team's medians, who is at risk."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

__all__ = [
    "AtRiskOut",
    "MilestoneOut",
    "ProcessOut",
    "StepMedianOut",
    "TimelineOut",
]


class MilestoneOut(BaseModel):
    milestone: str
    """``invited``, ``started``, ``submitted``, ``graded``, ``first_reviewed``, ``decided``."""
    at: datetime | None


class TimelineOut(BaseModel):
    milestones: list[MilestoneOut]
    steps: dict[str, float]
    """Seconds each completed step took (``start``, ``work``, ``grading``, ``review``,
    ``decision``, ``total``)."""
    waiting_for: str | None
    """The next milestone, or null once decided."""
    risk: str | None
    """``overdue``, ``projected_late`` or ``nearing_target`` when flagged."""
    risk_message: str | None


class StepMedianOut(BaseModel):
    step: str
    median_seconds: float
    count: int
    """How many candidates completed the step."""


class AtRiskOut(BaseModel):
    invitation_id: int
    candidate: str
    assignment: str
    level: str
    """``overdue``, ``projected_late`` or ``nearing_target``."""
    message: str
    elapsed_seconds: float
    projected_seconds: float | None
    waiting_for: str


class ProcessOut(BaseModel):
    target_days: int
    medians: list[StepMedianOut]
    at_risk: list[AtRiskOut]
    """Most urgent first (at most 50)."""
    flagged: int
    open_candidates: int
