"""API shapes of submissions, reports, notes and decisions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from harness.timeboxes.schemas import TimeBoxOut

__all__ = [
    "CandidateHome",
    "CandidateSubmission",
    "DashboardOut",
    "DecisionCreate",
    "DecisionOut",
    "NoteCreate",
    "NoteOut",
    "ReportOut",
    "StageProgress",
    "SubmissionAccepted",
    "SubmissionDetail",
    "SubmissionPage",
    "SubmissionSummary",
    "UploadAccepted",
]


class StageProgress(BaseModel):
    state: str
    """``started`` or ``finished``."""
    verdict: str | None = None
    message: str = ""


class SubmissionSummary(BaseModel):
    id: int
    invitation_id: int
    version: int
    assignment: str
    candidate: str
    """Name, or ``Candidate #<invitation id>`` while review is anonymous."""
    filename: str
    status: str
    """``queued``, ``running``, ``graded``, ``rejected`` or ``error``."""
    stage: str | None
    overall_score: float | None
    accuracy: float | None
    macro_f1: float | None
    late: bool
    created_at: datetime
    graded_at: datetime | None
    decision: str | None
    """Latest decision on the candidate: ``advance``, ``reject``, ``hold``; null before one."""


class SubmissionPage(BaseModel):
    items: list[SubmissionSummary]
    total: int
    limit: int
    offset: int


class ReportOut(BaseModel):
    id: int
    current: bool
    status: str
    overall_score: float | None
    grader_versions: dict[str, str]
    created_at: datetime


class NoteOut(BaseModel):
    id: int
    author: str
    body: str
    created_at: datetime


class DecisionOut(BaseModel):
    id: int
    outcome: str
    reason: str
    reviewer: str
    submission_id: int | None
    created_at: datetime


class SubmissionDetail(SubmissionSummary):
    email: str | None
    """Null while review is anonymous."""
    sha256: str
    size_bytes: int
    message: str
    stages: dict[str, StageProgress]
    attempts: int
    reported_hours: Decimal | None
    counts: bool
    """Whether this is the version that counts for the candidate (latest, or picked)."""
    report: dict[str, Any] | None
    """The current report (``harness.reports.schema.Report`` as JSON), null until graded."""
    reports: list[ReportOut]
    """Every report, newest first (regrades keep history)."""
    notes: list[NoteOut]
    decisions: list[DecisionOut]


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=10_000)


class DecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["advance", "reject", "hold"]
    reason: str = Field(min_length=1, max_length=5_000)


class SubmissionAccepted(BaseModel):
    id: int
    version: int
    status: str
    status_url: str
    """Where to poll this submission's status (JSON)."""


class SubmissionStatusOut(BaseModel):
    """Where a submission's grading stands (what the report page polls after a regrade)."""

    id: int
    status: str
    stage: str | None
    graded_at: datetime | None
    report_id: int | None
    """The current report; changes when a regrade finishes."""


class StageProblem(BaseModel):
    """A stage that did not succeed, as its candidate may read it (see
    ``harness.submissions.stage_reasons``: no output of a stage that reads held-out data)."""

    stage: str
    verdict: str
    reason: str


class CandidateSubmission(BaseModel):
    """What a candidate sees of their submission: progress, not scores (unless allowed)."""

    id: int
    version: int
    filename: str
    status: str
    status_label: str = ""
    """``status`` in words: "graded" only when every stage succeeded, else "graded: a stage
    failed"; "rejected: not graded" for an unusable archive."""
    complete: bool | None = None
    """For a graded upload: whether every stage succeeded (``None`` before it is graded)."""
    stage: str | None
    stages: dict[str, StageProgress]
    message: str
    problems: list[StageProblem] = Field(default_factory=list)
    """The stages that failed, each with a short reason the candidate can act on."""
    counts: bool = True
    """Whether this upload can be the version that counts (a rejected one never is)."""
    late: bool
    created_at: datetime
    graded_at: datetime | None
    overall_score: float | None = None
    """Only when the assignment lets candidates see their scores."""


class CandidateHome(BaseModel):
    assignment: str
    title: str
    max_upload_mb: int = 50
    """The upload limit in MiB (``HARNESS_MAX_UPLOAD_MB``): larger files are refused before
    anything is stored."""
    submissions: list[CandidateSubmission]
    timebox: TimeBoxOut | None = None
    """The clock: start the time box with ``POST /api/c/{token}/start`` before uploading."""


class UploadAccepted(SubmissionAccepted):
    late: bool
    """Arrived after the deadline; kept (the assignment accepts late work) and marked late."""
    late_by_seconds: int | None
    deadline_at: datetime | None
    message: str
    """What to tell the candidate about this upload."""


class DashboardOut(BaseModel):
    queued: int
    running: int
    awaiting_review: int
    decided: int
    failed: int
    median_to_graded_s: float | None
    median_to_decision_s: float | None
    total: int
    erased: int = 0
    """Uploads of erased candidates, whose anonymous figures the numbers above still count."""
