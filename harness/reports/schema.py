"""The report: the versioned JSON document a grading run produces.

Stable keys for other tools: ``status``, ``overall.score``, ``graders[*].{name,status,score,summary,
metrics,findings}`` and ``stages[*]``. Add fields freely; rename or remove only with a new
``schema_version``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from graders.types import GraderResult, PredictionScores, StageOutcome
from harness.evaluation.canaries import CanaryCheck
from harness.evaluation.model_dependence import ModelDependence

__all__ = [
    "REPORT_SCHEMA_VERSION",
    "Integrity",
    "Overall",
    "Report",
    "ReportStatus",
    "SubmissionInfo",
]

REPORT_SCHEMA_VERSION = "1.0"


class ReportStatus(StrEnum):
    graded = "graded"
    """The pipeline ran, even if the submission failed its stages."""
    rejected = "rejected"
    """The input was unusable (bad archive, no submission.toml and no single notebook, ...)."""
    error = "error"
    """The harness failed (Docker down, image missing, ...): not the candidate's fault; retry."""


class Overall(BaseModel):
    """The weighted total of the graders."""

    score: float | None = None
    """0-100: the rubric-weighted mean of the graders' scores; null when nothing was scored."""
    weights: dict[str, float] = Field(default_factory=dict)
    """Normalised rubric weight of each grader."""
    contributions: dict[str, float] = Field(default_factory=dict)
    """Points each grader contributed to ``score`` (weight x grader score)."""
    complete: bool = True
    """False when a weighted grader errored, so ``score`` leaves part of the rubric out."""
    missing: list[str] = Field(default_factory=list)
    """Weighted graders that produced no score (errored)."""
    flags: list[str] = Field(default_factory=list)
    """Problems a reviewer must see next to the score, e.g. a run that did not finish."""
    capped_from: float | None = None
    """The weighted mean before a cap lowered ``score`` (see ``flags``); null when not capped."""


class SubmissionInfo(BaseModel):
    """What was graded."""

    filename: str
    sha256: str
    """Of the uploaded archive (or of a canonical tar of the folder)."""
    kind: str | None = None
    """``project`` or ``notebook``; null when rejected before it was known."""
    files: int = 0
    bytes: int = 0


class Integrity(BaseModel):
    """Signals about how the predictions were made and what the candidate was allowed to use:
    evidence for a reviewer, never part of a score (code similarity is kept in the database,
    because later submissions add to it; see ``harness.integrity``)."""

    ai_policy: str | None = None
    """The assignment's AI-assistance policy (``forbidden``, ``allowed_with_disclosure``,
    ``allowed``); the writeup grader reports whether the writeup discloses the use."""
    canaries: CanaryCheck | None = None
    """Predictions on the hidden canary rows against their sources; null when the predictions
    could not be scored or the assignment has no canaries."""
    model_dependence: ModelDependence | None = None
    """The second predict run, without the trained model."""


class Report(BaseModel):
    """A grading run's result."""

    schema_version: str = REPORT_SCHEMA_VERSION
    status: ReportStatus
    message: str = ""
    """Why the input was rejected or the harness failed; empty when graded."""
    assignment: str
    assignment_version: str
    submission: SubmissionInfo
    overall: Overall = Field(default_factory=Overall)
    graders: list[GraderResult] = Field(default_factory=list)
    stages: list[StageOutcome] = Field(default_factory=list)
    """How each stage ended, in the order they ran (the graders saw the same values)."""
    scores: PredictionScores | None = None
    """Full prediction metrics (per class, confusion, intervals, shifted set)."""
    integrity: Integrity | None = None
    """Canaries, model dependence and the AI policy; null on reports made before them."""
    harness_version: str = ""
    sandbox_image: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None

    def grader(self, name: str) -> GraderResult | None:
        return next((g for g in self.graders if g.name == name), None)
