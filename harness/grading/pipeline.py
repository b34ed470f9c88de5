"""The one grading path: one submission in, one report out.

    GradingJob ─► archive checks + contract + static (prepare)
               ─► sandboxed stages (a StageRunner: this host, or a distributed worker's result)
               ─► score (host, held-out labels) ─► graders ─► Report

:func:`grade` is what every caller runs: the CLI, the embedded pool and the API finishing a
distributed worker's run. They differ only in the runner they pass. A submission's failures are
verdicts on the report; unusable input becomes a ``rejected`` report. Only the harness's own
trouble (Docker unreachable, image missing, disk full) raises
:class:`harness.errors.InfrastructureError`, which the job queue retries and the CLI turns into
an ``error`` report (:func:`error_report`).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from graders.registry import GraderRegistry, default_registry, run_grader
from graders.types import GradingContext, StageName, StageOutcome, Verdict
from harness.assignments.loader import Assignment
from harness.errors import AssignmentError, InputRejected
from harness.evaluation.canaries import Canary
from harness.evaluation.heldout import Scored, score_run
from harness.grading.features import HeldoutFeatures
from harness.grading.integrity import integrity_signals
from harness.grading.job import GradingJob, Prepared, SandboxRun, StageRunner
from harness.grading.local import LocalStages
from harness.grading.overall import compute_overall
from harness.grading.prepare import prepare_workspace
from harness.grading.progress import ProgressCallback, null_progress, timed
from harness.grading.workdir import run_folder
from harness.reports.schema import Report, ReportStatus, SubmissionInfo
from harness.settings import Settings
from harness.version import harness_version

__all__ = [
    "check_rubric",
    "error_report",
    "grade",
    "grade_path",
    "predictions_of",
    "rejected_report",
]


def check_rubric(registry: GraderRegistry, assignment: Assignment) -> None:
    """Refuse to grade when the rubric weights a grader that is not registered."""
    unknown = sorted(set(assignment.spec.rubric) - set(registry.names()))
    if unknown:
        raise AssignmentError(
            f"The rubric of {assignment.name!r} weights graders that are not registered: "
            f"{', '.join(unknown)} (registered: {', '.join(registry.names())})."
        )


def _unjudged(job: GradingJob, status: ReportStatus, message: str) -> Report:
    return Report(
        status=status, message=message, assignment=job.assignment.name,
        assignment_version=job.assignment.spec.version,
        submission=SubmissionInfo(filename=job.filename, sha256=""),
        harness_version=harness_version(), started_at=job.started_at, finished_at=datetime.now(UTC),
    )


def rejected_report(job: GradingJob, message: str) -> Report:
    """The report of unusable input (bad archive, no contract): the message says what to fix."""
    return _unjudged(job, ReportStatus.rejected, message)


def error_report(job: GradingJob, message: str) -> Report:
    """The report of a run the harness could not finish (not the candidate's fault)."""
    return _unjudged(job, ReportStatus.error, message)


def predictions_of(outcomes: dict[StageName, StageOutcome]) -> tuple[Path | None, list[str]]:
    """The predictions file the run produced, and why it was refused if it was."""
    for name in (StageName.predict, StageName.notebook):
        outcome = outcomes.get(name)
        if outcome is not None:
            rejected = [r for r in outcome.rejected if r.startswith("predictions.csv")]
            return outcome.files.get("predictions.csv"), rejected
    return None, []


def _score(assignment: Assignment, run: SandboxRun, test_ids: list[str], canaries: list[Canary],
           progress: ProgressCallback) -> tuple[Scored, StageOutcome]:
    predictions, rejected = predictions_of(run.outcomes)
    with timed(progress, "score") as state:
        t0 = time.perf_counter()
        scored = score_run(assignment, predictions, test_ids, rejected,
                           canary_ids={c.id for c in canaries})
        scores = scored.scores
        verdict = Verdict.ok if scores.check.ok else Verdict.failed
        message = "predictions scored" if scores.check.ok else "; ".join(scores.check.problems)
        outcome = StageOutcome(name=StageName.score, verdict=verdict, message=message,
                               duration_s=round(time.perf_counter() - t0, 3))
        state["verdict"], state["message"] = verdict.value, message
    return scored, outcome


def _finish(job: GradingJob, prepared: Prepared, run: SandboxRun, workspace: Path,
            features: tuple[list[str], list[Canary]], registry: GraderRegistry,
            progress: ProgressCallback) -> Report:
    """Score the predictions against held-out labels (host side only), run the graders, and
    add the integrity signals (canaries, model dependence, AI policy)."""
    assignment = job.assignment
    test_ids, canaries = features
    scored, score_outcome = _score(assignment, run, test_ids, canaries, progress)
    scores = scored.scores
    integrity, flags = integrity_signals(assignment, run, scored, canaries, test_ids)
    outcomes = {StageName.static: prepared.static, **run.outcomes, StageName.score: score_outcome}
    # Graders: each isolated; an exception is that grader's error status.
    with timed(progress, "graders") as state:
        ctx = GradingContext(workspace=workspace, assignment=assignment.view(), stages=outcomes,
                             scores=scores, submission_kind=prepared.contract.kind)
        results = [run_grader(grader, ctx) for grader in registry]
        errored = [r.name for r in results if r.status.value == "error"]
        state["message"] = f"{len(results)} graders" + (f"; errors in {', '.join(errored)}" if errored else "")
    overall = compute_overall(results, assignment.spec.rubric_weights())
    overall.flags.extend(flags)
    return Report(
        status=ReportStatus.graded,
        assignment=assignment.name,
        assignment_version=assignment.spec.version,
        submission=prepared.info,
        overall=overall,
        graders=results,
        stages=list(outcomes.values()),
        scores=scores,
        integrity=integrity,
        harness_version=harness_version(),
        sandbox_image=run.image,
        started_at=job.started_at,
        finished_at=datetime.now(UTC),
    )


def grade(
    job: GradingJob,
    runner: StageRunner,
    *,
    registry: GraderRegistry,
    work_dir: Path,
    features: HeldoutFeatures,
    progress: ProgressCallback = null_progress,
    keep_workdir: bool = False,
) -> Report:
    """Grade one submission: prepare it, get its sandboxed stages from ``runner``, score, grade.

    ``features`` gives the held-out ids in the order the predict stage saw them and the canary
    rows among them (the same cache built the file the runner mounted). Raises :class:`InfrastructureError` for the harness's
    own trouble; everything the submission does wrong is on the report.
    """
    check_rubric(registry, job.assignment)
    with run_folder(work_dir, keep=keep_workdir) as dirs:
        try:
            prepared = prepare_workspace(job.archive, job.filename, dirs, progress)
        except InputRejected as exc:
            return rejected_report(job, exc.message)
        run = runner(prepared, dirs, progress)
        _, test_ids = features(job.assignment)
        canaries = features.canaries(job.assignment)
        return _finish(job, prepared, run, dirs.submission, (test_ids, canaries), registry,
                       progress)


def grade_path(
    source: Path,
    assignment: Assignment,
    *,
    settings: Settings,
    progress: ProgressCallback = null_progress,
    registry: GraderRegistry | None = None,
    keep_workdir: bool = False,
) -> Report:
    """:func:`grade` a folder, ``.zip`` or ``.tar.gz`` on this host's sandbox (CLI, scripts, tests)."""
    features = HeldoutFeatures(settings.features_dir)
    runner = LocalStages.for_assignment(settings, assignment, features)
    return grade(GradingJob.for_path(source, assignment), runner,
                 registry=registry or default_registry(), work_dir=settings.work_dir,
                 features=features, progress=progress, keep_workdir=keep_workdir)
