"""A grading job's life under a claim: claim, grade while heartbeating, store or retry.

A job is a queued submission row. Whoever grades it first claims it (a compare-and-set in the
database), and stores its report only while still holding the claim, so a submission graded twice
(a stale worker coming back) keeps exactly one current report plus history. Work takes ids, not
objects, and reloads state from the database.

Both modes go through :func:`grade_under_claim` with the one grading function
(:func:`harness.grading.pipeline.grade`): the embedded pool with this host's sandbox
(:func:`run_claimed`), the API in distributed mode with the stages a worker ran
(:class:`harness.jobs.remote.WorkerStages`). A graded report is stored together with the
submission's code-similarity check (:mod:`harness.integrity.service`), which needs the earlier
submissions in the database. Infrastructure trouble becomes a retry after a
back-off (:func:`retry_later`); an unexpected failure is retried a few times, then recorded
(:func:`after_failure`).
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from harness.db.base import utcnow
from harness.errors import InfrastructureError
from harness.grading.job import GradingJob, StageRunner
from harness.grading.local import LocalStages
from harness.integrity.fingerprint import Fingerprinted
from harness.integrity.service import check_similarity, fingerprint_archive
from harness.jobs.fairness import fair_claimable
from harness.jobs.progress import ClaimProgress
from harness.jobs.runtime import GradingRuntime
from harness.reports.schema import Report, ReportStatus
from harness.reports.store import store_report
from harness.submissions.models import Submission, SubmissionStatus
from harness.submissions.repository import Claim, SubmissionRepository
from harness.submissions.service import blob_path

__all__ = [
    "Outcome",
    "after_failure",
    "claim",
    "claim_next",
    "grade_under_claim",
    "load_job",
    "recover_stale",
    "retry_later",
    "run_claimed",
]

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    graded = "graded"
    rejected = "rejected"
    error = "error"
    retry = "retry"
    """Back in the queue (infrastructure trouble), to be tried after a back-off."""
    not_claimed = "not_claimed"
    """Someone else has it, or it is not queued: nothing done."""
    lost_claim = "lost_claim"
    """Graded, but the claim was taken over meanwhile; the result was dropped."""


def claim(runtime: GradingRuntime, submission_id: int, worker: str) -> Claim | None:
    """Claim one submission for ``worker``; None when it is not queued or someone has it."""
    with runtime.db.session(write=True) as session:
        return SubmissionRepository(session).claim(submission_id, worker, utcnow())


def claim_next(runtime: GradingRuntime, worker: str) -> Claim | None:
    """Claim the next claimable submission in fair order, or None when the queue is empty."""
    with runtime.db.session() as session:
        candidates = fair_claimable(session, utcnow(), limit=5)
    for submission_id in candidates:
        held = claim(runtime, submission_id, worker)
        if held is not None:
            return held
    return None


def recover_stale(runtime: GradingRuntime) -> list[int]:
    """Re-queue running submissions whose worker stopped sending heartbeats."""
    with runtime.db.session(write=True) as session:
        ids = SubmissionRepository(session).requeue_stale(
            utcnow() - timedelta(seconds=runtime.stale_after_s)
        )
    if ids:
        log.warning("re-queued submissions whose worker went silent: %s", ids)
    return ids


def load_job(runtime: GradingRuntime, claim: Claim) -> GradingJob:
    """The claimed submission as a grading job: its stored archive, name and assignment."""
    with runtime.db.session() as session:
        submission = session.get(Submission, claim.submission_id)
        assert submission is not None, "a claimed submission exists"
        archive, filename = blob_path(runtime.settings, submission), submission.filename
        assignment_name, started = submission.assignment_name, submission.started_at or utcnow()
    assignment = runtime.load_assignment(assignment_name, runtime.settings)
    return GradingJob(archive=archive, filename=filename, assignment=assignment,
                      started_at=started)


def run_claimed(runtime: GradingRuntime, claim: Claim) -> Outcome:
    """Grade a submission this process has claimed, in this host's sandbox."""
    try:
        job = load_job(runtime, claim)
    except Exception as exc:
        log.exception("loading submission %s failed", claim.submission_id)
        return after_failure(runtime, claim, f"{type(exc).__name__}: {exc}")
    runner = LocalStages.for_assignment(runtime.settings, job.assignment, runtime.features)
    return grade_under_claim(runtime, claim, job, runner)


def grade_under_claim(
    runtime: GradingRuntime,
    claim: Claim,
    job: GradingJob,
    runner: StageRunner,
    *,
    stages: dict[str, dict[str, Any]] | None = None,
) -> Outcome:
    """Grade ``job`` with ``runner`` while heartbeating the claim; store the report under it.

    An :class:`InfrastructureError` puts the job back with a back-off; another exception is
    retried until ``runtime.max_attempts`` and then recorded as an error. ``stages`` seeds the
    live progress (a remote worker's stages, when the API finishes its run).
    """
    progress = ClaimProgress(runtime, claim, stages)
    stop = threading.Event()

    def heartbeat() -> None:
        while not stop.wait(runtime.heartbeat_s):
            progress.beat()

    beater = threading.Thread(
        target=heartbeat, name=f"heartbeat-{claim.submission_id}", daemon=True
    )
    beater.start()
    try:
        report = runtime.grade(job, runner, progress)
    except InfrastructureError as exc:
        return retry_later(runtime, claim, f"waiting for the grading infrastructure: {exc.message}")
    except Exception as exc:
        log.exception("grading submission %s failed", claim.submission_id)
        return after_failure(runtime, claim, f"{type(exc).__name__}: {exc}")
    finally:
        stop.set()
        beater.join(timeout=5)
    return _store(runtime, claim, report, job)


def after_failure(runtime: GradingRuntime, claim: Claim, what: str) -> Outcome:
    """The harness failed unexpectedly on this claim: retry, or record an error when out of tries."""
    if claim.attempt < runtime.max_attempts:
        return retry_later(runtime, claim, f"the harness failed ({what.split(':')[0]}); retrying")
    return _finish_without_report(runtime, claim, f"the harness failed: {what}")


def _fingerprints(runtime: GradingRuntime, job: GradingJob, report: Report) -> Fingerprinted | None:
    """The graded submission's code fingerprints, read before the write transaction opens; None
    (and a log line) when they cannot be read: similarity is evidence, never worth a retry."""
    if report.status is not ReportStatus.graded or not runtime.similarity:
        return None
    try:
        return fingerprint_archive(job.archive, job.assignment)
    except Exception:
        log.exception("fingerprinting %s failed; its similarity is not checked", job.filename)
        return None


def _check_similarity(runtime: GradingRuntime, session: Session, submission: Submission,
                      job: GradingJob, code: Fingerprinted) -> None:
    """Index and compare the submission in a savepoint: a failure here loses the check, never
    the report stored before it."""
    try:
        with session.begin_nested():
            check = check_similarity(session, submission, job.assignment, code, now=utcnow())
        log.info("submission %s: similarity checked against %d submissions in %.2f s, %d flagged",
                 submission.id, check.population, check.duration_s, check.flagged)
    except Exception:
        log.exception("the similarity check of submission %s failed", submission.id)


def _store(runtime: GradingRuntime, claim: Claim, report: Report, job: GradingJob) -> Outcome:
    status = {
        ReportStatus.graded: SubmissionStatus.graded,
        ReportStatus.rejected: SubmissionStatus.rejected,
        ReportStatus.error: SubmissionStatus.error,
    }[report.status]
    code = _fingerprints(runtime, job, report)
    with runtime.db.session(write=True) as session:
        repo = SubmissionRepository(session)
        # Ending the claim first, in the same transaction, is what makes storing idempotent.
        if not repo.release(
            claim,
            status=status.value,
            graded_at=utcnow(),
            stage=None,
            message=report.message[:2000],
            not_before=None,
        ):
            session.rollback()
            log.warning(
                "submission %s: claim lost while grading; result dropped", claim.submission_id
            )
            return Outcome.lost_claim
        submission = session.get(Submission, claim.submission_id)
        assert submission is not None
        session.refresh(submission)
        store_report(
            session,
            submission,
            report,
            artifacts_dir=runtime.settings.artifacts_dir,
            worker=claim.worker,
        )
        if code is not None:
            _check_similarity(runtime, session, submission, job, code)
    _notify(runtime, claim.submission_id, status.value)
    return Outcome(status.value)


def retry_later(runtime: GradingRuntime, claim: Claim, message: str) -> Outcome:
    """Put a claimed job back in the queue after the back-off of its attempt."""
    wait = runtime.backoff(claim.attempt)
    with runtime.db.session(write=True) as session:
        released = SubmissionRepository(session).release(
            claim,
            status=SubmissionStatus.queued.value,
            not_before=utcnow() + timedelta(seconds=wait),
            stage=None,
            message=message[:2000],
        )
    log.warning(
        "submission %s back in the queue for %.0f s: %s", claim.submission_id, wait, message
    )
    return Outcome.retry if released else Outcome.lost_claim


def _finish_without_report(runtime: GradingRuntime, claim: Claim, message: str) -> Outcome:
    with runtime.db.session(write=True) as session:
        released = SubmissionRepository(session).release(
            claim,
            status=SubmissionStatus.error.value,
            graded_at=utcnow(),
            stage=None,
            message=message[:2000],
        )
    if released:
        _notify(runtime, claim.submission_id, SubmissionStatus.error.value)
    return Outcome.error if released else Outcome.lost_claim


def _notify(runtime: GradingRuntime, submission_id: int, status: str) -> None:
    for callback in runtime.on_finished:
        try:
            callback(submission_id, status)
        except Exception:
            log.exception("a finished-callback failed for submission %s", submission_id)
