"""The values graders take and return.

Graders are pure functions of a :class:`GradingContext` (the extracted workspace, what each stage
produced, a view of the assignment) returning a :class:`GraderResult`. They never print, write
files or touch the database; the harness stores what they return.

Every point a grader awards is an entry of :attr:`GraderResult.breakdown`, which names the metric or
finding it is based on, so a reviewer can trace each number on a report back to evidence.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from graders.serving.measures import ServingEvidence

__all__ = [
    "AssignmentView",
    "ClassScore",
    "ConfusionMatrix",
    "Finding",
    "GraderResult",
    "GraderStatus",
    "GradingContext",
    "Interval",
    "MetricValue",
    "PredictionCheck",
    "PredictionScores",
    "ScoreComponent",
    "Severity",
    "SplitScores",
    "StageName",
    "StageOutcome",
    "Verdict",
    "score_from_breakdown",
]

MetricValue = float | int | str | bool | None


class Severity(StrEnum):
    """How much a finding matters to a reviewer."""

    info = "info"
    warning = "warning"
    error = "error"


class GraderStatus(StrEnum):
    """How a grader's run ended."""

    ok = "ok"
    """The grader measured what it measures; ``score`` is set."""
    failed = "failed"
    """The submission did not produce what the grader needs (e.g. no valid predictions) or its run
    did not finish; the findings say why. The score is 0, or what the part that was produced
    earns (predictions written before a notebook crashed are still measured)."""
    skipped = "skipped"
    """Not applicable to this submission or assignment; ``score`` is null."""
    error = "error"
    """The grader itself failed (a harness problem, not the candidate's); ``score`` is null."""


class Verdict(StrEnum):
    """The one outcome of a stage."""

    ok = "ok"
    failed = "failed"
    timed_out = "timed_out"
    out_of_memory = "out_of_memory"
    output_too_large = "output_too_large"
    infra_error = "infra_error"
    skipped = "skipped"
    no_tests = "no_tests"
    """The tests stage ran, but pytest collected no tests (its exit code 5): neither a pass nor
    a failure of the candidate's code."""


class StageName(StrEnum):
    """Stages of the pipeline, in the order they run."""

    static = "static"
    tests = "tests"
    mutation = "mutation"
    """Mutants of the candidate's own code judged by the tests that run them (after ``tests``)."""
    train = "train"
    predict = "predict"
    predict_nomodel = "predict_nomodel"
    """The predict command again, with an empty model folder (the model-dependence check)."""
    notebook = "notebook"
    """Train and predict together, for a notebook-only submission."""
    serve = "serve"
    """The candidate's model server (``[serve]``), measured by the harness's load client."""
    score = "score"


class Finding(BaseModel):
    """One observation a reviewer can act on."""

    model_config = ConfigDict(frozen=True)

    rule: str
    """Stable identifier, ``<grader>:<code>``, e.g. ``quality:F401`` or ``tests:no-tests``."""
    message: str
    """What was found and, where it helps, what good looks like."""
    severity: Severity = Severity.warning
    """How much it matters."""
    file: str | None = None
    """Path relative to the submission root, when the finding has a place."""
    line: int | None = None
    """1-based line in ``file``."""
    points: float | None = None
    """Points this finding cost (negative) or earned, when it moved the score."""


class ScoreComponent(BaseModel):
    """A slice of a grader's score and the evidence it rests on."""

    model_config = ConfigDict(frozen=True)

    criterion: str
    """What is judged, in a reviewer's words (e.g. "Macro-F1 on held-out tickets")."""
    points: float
    """Points earned, between 0 and ``max_points``."""
    max_points: float
    """Points available for this criterion."""
    basis: str
    """The metric name or finding rule this is computed from (e.g. ``metrics.macro_f1``)."""


def score_from_breakdown(breakdown: list[ScoreComponent]) -> float | None:
    """0-100 from a breakdown: earned over available points. None when nothing is available."""
    available = sum(c.max_points for c in breakdown)
    if available <= 0:
        return None
    earned = sum(min(max(c.points, 0.0), c.max_points) for c in breakdown)
    return round(100.0 * earned / available, 2)


class GraderResult(BaseModel):
    """What one grader concluded about one submission."""

    name: str
    """Registry name of the grader (``accuracy``, ``tests``, ``quality``, ``writeup``, ...)."""
    version: str
    """The grader's version; a changed version explains a changed score on regrade."""
    status: GraderStatus
    """How the grader's run ended."""
    score: float | None = None
    """0-100, or null when the grader was skipped or errored."""
    summary: str = ""
    """One or two sentences for the report header."""
    metrics: dict[str, MetricValue] = Field(default_factory=dict)
    """Flat, named measurements (fractions as 0-1, counts as integers)."""
    findings: list[Finding] = Field(default_factory=list)
    """Observations, most important first."""
    breakdown: list[ScoreComponent] = Field(default_factory=list)
    """Where every point of ``score`` came from."""
    details: dict[str, Any] = Field(default_factory=dict)
    """Structured, JSON-serialisable data for pages and plots (per-class scores, matrices, ...)."""
    artifacts: dict[str, str] = Field(default_factory=dict)
    """Named text artifacts for reviewers (e.g. sanitised notebook HTML), stored by the harness."""
    duration_s: float | None = None
    """Wall time the grader took, filled in by the harness."""


class Interval(BaseModel):
    """A bootstrap confidence interval."""

    low: float
    high: float
    level: float = 0.95
    """Coverage, e.g. 0.95."""


class ClassScore(BaseModel):
    """Per-class precision, recall and F1 on one evaluation split."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int
    """How many true examples of this class the split holds."""


class ConfusionMatrix(BaseModel):
    """Counts of true label (row) against predicted label (column)."""

    labels: list[str]
    matrix: list[list[int]]


class SplitScores(BaseModel):
    """Metrics of the predictions on one held-out split."""

    split: str
    """``heldout`` (same distribution as training) or ``shifted`` (robustness set)."""
    n: int
    """Number of scored tickets."""
    accuracy: float
    macro_f1: float
    weighted_f1: float
    accuracy_ci: Interval
    macro_f1_ci: Interval
    per_class: list[ClassScore]
    confusion: ConfusionMatrix


class PredictionCheck(BaseModel):
    """Whether a predictions file can be scored, and what is wrong with it if not."""

    ok: bool
    problems: list[str] = Field(default_factory=list)
    """Specific problems, e.g. "312 ids missing, first: T-10023"."""
    rows: int = 0
    """Data rows read."""


class PredictionScores(BaseModel):
    """Everything the score stage measured, on the host, against held-out labels."""

    check: PredictionCheck
    heldout: SplitScores | None = None
    shifted: SplitScores | None = None
    baseline: dict[str, float] = Field(default_factory=dict)
    """The baseline's recorded metrics from the assignment spec, e.g. ``heldout.macro_f1``."""
    baseline_per_class_f1: dict[str, float] = Field(default_factory=dict)
    """The baseline's per-class F1 on the held-out split."""
    reference: dict[str, float] = Field(default_factory=dict)
    """The reference solution's recorded metrics, when the assignment has one (scoring anchors)."""
    bootstrap_samples: int = 0
    """Resamples behind the intervals."""
    seed: int = 0
    """Seed of the bootstrap, so intervals can be reproduced."""


def _bounded_text(limit: int, *, keep_end: bool = False) -> Any:
    """Truncate (never refuse) text to ``limit`` characters; a log keeps its end, which says most."""

    def clip(value: str) -> str:
        if len(value) <= limit:
            return value
        return "[...]" + value[-(limit - 5):] if keep_end else value[: limit - 5] + "[...]"

    return AfterValidator(clip)


def _bounded_list(items: int, chars: int) -> Any:
    """Truncate (never refuse) a list of lines to ``items`` entries of ``chars`` characters."""

    def clip(values: list[str]) -> list[str]:
        kept = [v[:chars] for v in values[:items]]
        if len(values) > items:
            kept[-1] = f"... and {len(values) - items + 1} more"
        return kept

    return AfterValidator(clip)


MAX_STAGE_MESSAGE = 4000
MAX_STAGE_LOG = 4 * 1024 * 1024


class StageOutcome(BaseModel):
    """How one stage ended: the one stage result type from the sandbox to the report.

    The same value is what graders read, what a distributed worker sends the API (as JSON) and
    what the report stores. Text fields are bounded on validation (truncated, never refused), so a
    hostile stage cannot make the harness store or send megabytes of message. ``files`` holds
    host paths and is never serialised: it only exists on the host that collected the files; the
    API refuses it in what a worker sends (``harness.jobs.schemas.ResultIn``).
    """

    name: StageName
    verdict: Verdict
    message: Annotated[str, _bounded_text(MAX_STAGE_MESSAGE)] = ""
    """Human-readable reason, e.g. "exit code 1" or "killed after 600 s wall-clock limit"."""
    exit_code: int | None = None
    duration_s: Annotated[float, Field(ge=0)] = 0.0
    peak_memory_bytes: Annotated[int | None, Field(ge=0)] = None
    log_tail: Annotated[str, _bounded_text(MAX_STAGE_LOG, keep_end=True)] = ""
    """The end of stdout and stderr, bounded (the stage's ``log_kb``, enforced by the runner)."""
    log_truncated: bool = False
    """True when output was dropped because it passed the byte cap."""
    outputs: Annotated[list[str], _bounded_list(16, 200)] = Field(default_factory=list)
    """Names of the output files collected from the stage (e.g. ``predictions.csv``)."""
    rejected: Annotated[list[str], _bounded_list(100, 4000)] = Field(default_factory=list)
    """Output entries refused when collecting (links, FIFOs, oversized files), with the reason."""
    files: dict[str, Path] = Field(default_factory=dict, exclude=True)
    """Where the collected output files are on this host, by name. Never serialised."""


class AssignmentView(BaseModel):
    """What graders may know of the assignment: never the held-out labels."""

    name: str
    title: str
    labels: list[str]
    summary: str = ""
    """The task in a few sentences (company, data, what to predict), from the spec's ``summary``.
    The writeup grader takes its distinctive words to tell a writeup about this task from one
    copied from another project."""
    writeup_sections: list[str] = Field(default_factory=list)
    """Sections the task asks the writeup to cover (e.g. approach, evaluation, trade-offs, next steps)."""
    grader_options: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Per-grader options from the spec, by grader name."""
    ai_policy: str | None = None
    """What the assignment allows of AI assistants: ``forbidden``, ``allowed_with_disclosure``
    or ``allowed`` (the writeup grader reports a missing disclosure); None when unknown."""
    environment: dict[str, str] = Field(default_factory=dict)
    """Packages installed in the sandbox where the candidate's code runs, name to version (the
    sandbox's environment lock). Graders compare a submission's pinned dependencies with it;
    empty when unknown, and then no such comparison is made."""
    serving: Literal["none", "optional", "required"] = "none"
    """Whether the assignment asks for a model server (``[serve]``): not at all, optionally, or
    of every submission."""


class GradingContext(BaseModel):
    """The input of every grader."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    workspace: Path
    """The extracted submission. Hostile input: read it, never execute it on the host."""
    assignment: AssignmentView
    stages: dict[StageName, StageOutcome] = Field(default_factory=dict)
    scores: PredictionScores | None = None
    """Present once the score stage ran; None when no predictions were produced."""
    submission_kind: str = "project"
    """``project`` (has submission.toml) or ``notebook`` (one notebook, run headless)."""
    serving: ServingEvidence | None = None
    """What the serving stage measured, when it ran and its client reported; None otherwise."""

    def stage(self, name: StageName) -> StageOutcome | None:
        return self.stages.get(name)

    def options(self, grader: str) -> Mapping[str, Any]:
        """This grader's options from the assignment spec (empty when none)."""
        return self.assignment.grader_options.get(grader, {})

    @functools.cached_property
    def memo(self) -> dict[str, Any]:
        """Per-context cache for derived views several graders share (e.g. converted notebooks)."""
        return {}
