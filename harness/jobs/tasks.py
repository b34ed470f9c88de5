"""The one grading task: ``grade_submission(runtime, submission_id)``.

It takes an id, reloads everything from the database, and is idempotent: it only grades a
submission it can claim (status ``queued``), and only stores the outcome while it still holds the
claim, so a submission graded twice (a stale worker coming back) keeps exactly one current report
plus history.

Two ways to run it share this module. The embedded pool claims and grades in-process
(:func:`run_claimed`). In distributed mode a Celery worker on another host claims through the
API and runs the sandboxed stages; the API then finishes the same way, through
:func:`grade_under_claim` (scoring with the held-out labels, graders, claim-checked storage),
and turns a worker's failures into the same retries (:func:`retry_later`, :func:`after_failure`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum
from typing import Any

from harness.db.base import utcnow
from harness.errors import InfrastructureError
from harness.grading.progress import ProgressCallback
from harness.jobs.fairness import fair_claimable
from harness.jobs.runtime import GradingRuntime, worker_name
from harness.reports.schema import Report, ReportStatus
from harness.reports.store import store_report
from harness.submissions.models import Submission, SubmissionStatus
from harness.submissions.repository import Claim, SubmissionRepository
from harness.submissions.service import blob_path

__all__ = [
    "Outcome",
    "ProgressState",
    "after_failure",
    "claim_next",
    "grade_submission",
    "grade_under_claim",
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


def grade_submission(
    runtime: GradingRuntime, submission_id: int, *, worker: str | None = None
) -> Outcome:
    """Claim and grade one submission. Safe to call for any id, any number of times."""
    worker = worker or worker_name()
    with runtime.db.session(write=True) as session:
        claim = SubmissionRepository(session).claim(submission_id, worker, utcnow())
    if claim is None:
        return Outcome.not_claimed
    return run_claimed(runtime, claim)


def claim_next(runtime: GradingRuntime, worker: str) -> Claim | None:
    """Claim the next claimable submission in fair order, or None when the queue is empty."""
    with runtime.db.session() as session:
        candidates = fair_claimable(session, utcnow(), limit=5)
    for submission_id in candidates:
        with runtime.db.session(write=True) as session:
            claim = SubmissionRepository(session).claim(submission_id, worker, utcnow())
        if claim is not None:
            return claim
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


class ProgressState:
    """Live stage progress of one run: progress events in, the status columns' values out.

    Kept apart from where the values go, so the embedded worker (database) and a remote worker
    (the API) record progress the same way.
    """

    def __init__(self, stages: dict[str, dict[str, Any]] | None = None) -> None:
        self.stages: dict[str, dict[str, Any]] = dict(stages or {})

    def apply(self, event: Any) -> dict[str, Any]:
        """Fold ``event`` (a :class:`~harness.grading.progress.ProgressEvent`) in; return the
        column values to write (``stages``, and ``stage`` when one starts or ends)."""
        stage = str(getattr(event, "stage", ""))
        state = str(getattr(event, "state", ""))
        verdict = getattr(event, "verdict", None)
        entry = {
            "state": state,
            "verdict": None if verdict is None else str(getattr(verdict, "value", verdict)),
            "message": str(getattr(event, "message", "") or "")[:500],
        }
        if state == "info":  # a note along the way: keep the stage's state, update the message
            previous = self.stages.get(stage, {"state": "started", "verdict": None})
            entry = {**previous, "message": entry["message"]}
        self.stages[stage] = entry
        values: dict[str, Any] = {"stages": dict(self.stages)}
        if state == "started":
            values["stage"] = stage
        elif state == "finished":
            values["stage"] = None
        return values


class _Progress:
    """Writes stage progress and heartbeats under the claim, from the pipeline's thread."""

    def __init__(
        self,
        runtime: GradingRuntime,
        claim: Claim,
        stages: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.runtime = runtime
        self.claim = claim
        self.state = ProgressState(stages)
        self.lost = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, event: Any) -> None:
        with self._lock:
            self._write(**self.state.apply(event))

    def beat(self) -> None:
        with self._lock:
            self._write()

    def _write(self, **values: Any) -> None:
        try:
            with self.runtime.db.session(write=True) as session:
                if not SubmissionRepository(session).heartbeat(self.claim, utcnow(), **values):
                    self.lost.set()
        except Exception:  # a progress write must never break grading
            log.exception("could not record progress of submission %s", self.claim.submission_id)


def run_claimed(runtime: GradingRuntime, claim: Claim) -> Outcome:
    """Grade a submission this worker has claimed, and store the outcome under the claim."""

    def grade(progress: ProgressCallback) -> Report:
        with runtime.db.session() as session:
            submission = session.get(Submission, claim.submission_id)
            assert submission is not None, "a claimed submission exists"
            source = blob_path(runtime.settings, submission)
            assignment_name = submission.assignment_name
        assignment = runtime.load_assignment(assignment_name, runtime.settings)
        return runtime.grade_fn(source, assignment, settings=runtime.settings, progress=progress)

    return grade_under_claim(runtime, claim, grade)


def grade_under_claim(
    runtime: GradingRuntime,
    claim: Claim,
    make_report: Callable[[ProgressCallback], Report],
    *,
    stages: dict[str, dict[str, Any]] | None = None,
) -> Outcome:
    """Run ``make_report`` while heartbeating the claim, then store its report under the claim.

    An :class:`InfrastructureError` puts the job back with a back-off; another exception is
    retried until ``runtime.max_attempts`` and then recorded as an error. ``stages`` seeds the
    live progress (a remote worker's stages, when the API finishes its run).
    """
    progress = _Progress(runtime, claim, stages)
    stop = threading.Event()

    def heartbeat() -> None:
        while not stop.wait(runtime.heartbeat_s):
            progress.beat()

    beater = threading.Thread(
        target=heartbeat, name=f"heartbeat-{claim.submission_id}", daemon=True
    )
    beater.start()
    try:
        report = make_report(progress)
        with runtime.db.session() as session:
            submission = session.get(Submission, claim.submission_id)
            assert submission is not None, "a claimed submission exists"
            # The archive was stored under its hash; the report names it as the candidate did.
            report.submission.filename = submission.filename
            report.submission.sha256 = submission.sha256
    except InfrastructureError as exc:
        return retry_later(runtime, claim, f"waiting for the grading infrastructure: {exc.message}")
    except Exception as exc:
        log.exception("grading submission %s failed", claim.submission_id)
        return after_failure(runtime, claim, f"{type(exc).__name__}: {exc}")
    finally:
        stop.set()
        beater.join(timeout=5)
    return _store(runtime, claim, report)


def after_failure(runtime: GradingRuntime, claim: Claim, what: str) -> Outcome:
    """The harness failed unexpectedly on this claim: retry, or record an error when out of tries."""
    if claim.attempt < runtime.max_attempts:
        return retry_later(runtime, claim, f"the harness failed ({what.split(':')[0]}); retrying")
    return _finish_without_report(runtime, claim, f"the harness failed: {what}")


def _store(runtime: GradingRuntime, claim: Claim, report: Report) -> Outcome:
    status = {
        ReportStatus.graded: SubmissionStatus.graded,
        ReportStatus.rejected: SubmissionStatus.rejected,
        ReportStatus.error: SubmissionStatus.error,
    }[report.status]
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
