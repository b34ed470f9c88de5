"""The API's side of a job graded by a distributed worker.

    worker                                   API (this module)
    claim(id) ──────────────────────────────► compare-and-set claim, signed input links
    GET bundle, train, features ────────────► only while the claim is current; never labels
    heartbeat(progress) ────────────────────► refresh the claim, live stage progress
    PUT outputs (predictions, junit, coverage)► bounded, names from an allow-list
    result(stage outcomes) ─────────────────► extract the archive again, score against the
                                              held-out labels, run the graders, store the report
                                              under the claim (the same code as embedded mode)
    fail(kind, message) ────────────────────► back-off retry, or an error after max attempts

Every call after the claim carries the claim token; once the claim ends (the job finished, or
the watchdog gave it to another worker) the token opens nothing, so a worker presumed dead can
never overwrite a newer report.
"""

from __future__ import annotations

import hmac
import logging
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from graders.types import StageName, StageOutcome
from harness.assignments.loader import Assignment
from harness.assignments.spec import StagesLimits
from harness.db.base import utcnow
from harness.errors import HarnessError
from harness.grading.features import StoredFile
from harness.grading.job import GradingJob, Prepared, SandboxRun
from harness.grading.progress import ProgressCallback
from harness.grading.stages import skipped_stages, stage_plan
from harness.grading.workdir import RunDirs
from harness.jobs.lifecycle import Outcome, after_failure, grade_under_claim, retry_later
from harness.jobs.lifecycle import claim as claim_job
from harness.jobs.links import LINK_TTL_S, FileKind, LinkRefused, signed_path
from harness.jobs.runtime import GradingRuntime
from harness.jobs.schemas import (
    OUTPUT_FILES,
    FailIn,
    FileLink,
    Heartbeat,
    Hello,
    JobTicket,
    ResultIn,
)
from harness.submissions.models import Submission, SubmissionStatus
from harness.submissions.repository import Claim, SubmissionRepository
from harness.submissions.service import blob_path
from harness.version import harness_version

__all__ = [
    "MAX_OUTPUT_BYTES",
    "ClaimLost",
    "RemoteJobs",
    "WorkerResultInvalid",
    "WorkerStages",
]

log = logging.getLogger(__name__)

MAX_OUTPUT_BYTES = 64 * 1024 * 1024
"""Largest output file a worker may upload (predictions of a few thousand rows are ~100 KB)."""


class ClaimLost(HarnessError):
    """The claim ended: the job finished or was given to another worker."""

    status_code = 409


class WorkerResultInvalid(HarnessError):
    """What the worker sent does not fit the job (wrong stages, unknown or missing files)."""

    status_code = 422


@dataclass
class _Job:
    """What the API knows of a claimed job."""

    claim: Claim
    assignment_name: str
    filename: str
    blob: Path
    sha256: str
    size_bytes: int
    started_at: datetime
    stages: dict[str, dict[str, Any]]


@dataclass
class RemoteJobs:
    """Answers a distributed worker's calls (the worker-facing routers are a thin layer on it)."""

    runtime: GradingRuntime

    @classmethod
    def for_runtime(cls, runtime: GradingRuntime) -> RemoteJobs:
        return cls(runtime)

    @property
    def _spool(self) -> Path:
        return self.runtime.settings.worker_outputs_dir

    # --- claim and inputs ---------------------------------------------------------------------
    def hello(self) -> Hello:
        return Hello(
            harness_version=harness_version(),
            heartbeat_s=self.runtime.heartbeat_s,
            stale_after_s=self.runtime.stale_after_s,
            visibility_timeout_s=self.runtime.settings.visibility_timeout_s,
            max_output_bytes=MAX_OUTPUT_BYTES,
        )

    def claim(self, submission_id: int, worker: str) -> JobTicket | None:
        """Claim a queued submission for ``worker``; None when it is not claimable now (or its
        inputs could not be prepared: then the claim is released as a retry)."""
        runtime = self.runtime
        claim = claim_job(runtime, submission_id, worker)
        if claim is None:
            return None
        try:
            job = self._job(claim)
            assignment = runtime.load_assignment(job.assignment_name, runtime.settings)
            train = runtime.features.stored(assignment.train_csv)
            features, _ = runtime.features(assignment)
            bundle = StoredFile(job.blob, job.sha256, job.size_bytes)
        except OSError as exc:
            retry_later(runtime, claim, f"the API could not prepare the job's inputs: {exc}")
            return None
        except Exception as exc:
            log.exception("preparing submission %s for worker %s failed", submission_id, worker)
            after_failure(runtime, claim, f"{type(exc).__name__}: {exc}")
            return None
        self._check_visibility(assignment)
        shutil.rmtree(self._spool / str(submission_id), ignore_errors=True)
        expires = int(time.time()) + LINK_TTL_S
        secret = runtime.settings.secret_key

        def link(kind: FileKind, stored: StoredFile) -> FileLink:
            url = signed_path(secret, kind, submission_id, claim.attempt, expires)
            return FileLink(url=url, sha256=stored.sha256, size=stored.size)

        return JobTicket(
            submission_id=submission_id,
            claim_token=claim.token,
            attempt=claim.attempt,
            assignment=assignment.name,
            filename=job.filename,
            limits=assignment.spec.limits,
            bundle=link(FileKind.bundle, bundle),
            train=link(FileKind.train, train),
            features=link(FileKind.features, features),
            links_expire_at=datetime.fromtimestamp(expires, UTC),
            heartbeat_s=runtime.heartbeat_s,
            serving=assignment.spec.serving,
            id_column=assignment.spec.data.id_column,
            skip_stages=sorted(skipped_stages(assignment)),
        )

    def _check_visibility(self, assignment: Assignment) -> None:
        limits = assignment.spec.limits
        longest = limits.tests.wall_seconds + limits.mutation.wall_seconds + max(
            limits.train.wall_seconds + limits.predict.wall_seconds
            + (limits.serve.wall_seconds if assignment.spec.serving else 0)
            + (limits.predict_nomodel.wall_seconds if assignment.spec.integrity.model_dependence else 0),
            limits.notebook.wall_seconds,
        )
        if longest >= self.runtime.settings.visibility_timeout_s:
            log.error(
                "assignment %s may run %d s but HARNESS_VISIBILITY_TIMEOUT_S is %d s: the broker "
                "would hand its jobs to a second worker while the first still grades; raise it",
                assignment.name,
                longest,
                self.runtime.settings.visibility_timeout_s,
            )

    def input_file(self, kind: FileKind, submission_id: int, attempt: int) -> Path:
        """The file a verified link points to, while the claim it was made for is current."""
        with self.runtime.db.session() as session:
            sub = session.get(Submission, submission_id)
            if sub is None or sub.status != SubmissionStatus.running.value or sub.attempts != attempt:
                raise LinkRefused("the claim this link was made for has ended")
            blob, assignment_name = blob_path(self.runtime.settings, sub), sub.assignment_name
        if kind == FileKind.bundle:
            return blob
        assignment = self.runtime.load_assignment(assignment_name, self.runtime.settings)
        if kind == FileKind.train:
            return assignment.train_csv
        return self.runtime.features(assignment)[0].path

    # --- while it runs ------------------------------------------------------------------------
    def heartbeat(self, submission_id: int, beat: Heartbeat) -> None:
        values: dict[str, Any] = {}
        if beat.stages is not None:
            values["stages"] = {k: v.model_dump() for k, v in beat.stages.items()}
        if "stage" in beat.model_fields_set:
            values["stage"] = beat.stage
        claim = Claim(submission_id, beat.claim_token, "", 0)
        with self.runtime.db.session(write=True) as session:
            if not SubmissionRepository(session).heartbeat(claim, utcnow(), **values):
                raise ClaimLost("this claim has ended: stop working on the job")

    def output_target(
        self, submission_id: int, claim_token: str, stage: str, name: str
    ) -> tuple[Path, int]:
        """Where an uploaded output file goes, and its size cap."""
        try:
            stage_name = StageName(stage)
        except ValueError:
            raise WorkerResultInvalid(f"{stage!r} is not a sandboxed stage") from None
        if name not in OUTPUT_FILES.get(stage_name, frozenset()):
            allowed = ", ".join(sorted(OUTPUT_FILES.get(stage_name, frozenset()))) or "none"
            raise WorkerResultInvalid(
                f"{name!r} is not an output of the {stage} stage (allowed: {allowed})"
            )
        job = self._job_for_token(submission_id, claim_token)
        assignment = self.runtime.load_assignment(job.assignment_name, self.runtime.settings)
        limits = getattr(assignment.spec.limits, stage_name.value)
        cap = min(MAX_OUTPUT_BYTES, limits.output_mb * 1024 * 1024)
        return self._spool / str(submission_id) / str(job.claim.attempt) / stage / name, cap

    # --- the end ------------------------------------------------------------------------------
    def complete(self, submission_id: int, result: ResultIn) -> Outcome:
        """Score the worker's run against the held-out labels, grade, store under the claim."""
        try:
            job = self._job_for_token(submission_id, result.claim_token)
        except ClaimLost:
            return Outcome.lost_claim
        spool = self._spool / str(submission_id) / str(job.claim.attempt)
        try:
            grading = GradingJob(
                archive=job.blob, filename=job.filename, started_at=job.started_at,
                assignment=self.runtime.load_assignment(job.assignment_name, self.runtime.settings),
            )
        except Exception as exc:
            log.exception("loading the assignment of submission %s failed", submission_id)
            return after_failure(self.runtime, job.claim, f"{type(exc).__name__}: {exc}")
        try:
            runner = WorkerStages(result, spool, grading.assignment.spec.limits)
            return grade_under_claim(self.runtime, job.claim, grading, runner, stages=job.stages)
        finally:
            shutil.rmtree(spool, ignore_errors=True)

    def fail(self, submission_id: int, body: FailIn) -> Outcome:
        try:
            job = self._job_for_token(submission_id, body.claim_token)
        except ClaimLost:
            return Outcome.lost_claim
        shutil.rmtree(self._spool / str(submission_id), ignore_errors=True)
        where = f"on worker {job.claim.worker}"
        if body.kind == "infrastructure":
            return retry_later(
                self.runtime, job.claim, f"waiting for the grading infrastructure {where}: {body.message}"
            )
        return after_failure(self.runtime, job.claim, f"{body.message} ({where})")

    # --- internals ----------------------------------------------------------------------------
    def _job(self, claim: Claim) -> _Job:
        with self.runtime.db.session() as session:
            sub = session.get(Submission, claim.submission_id)
            assert sub is not None, "a claimed submission exists"
            return _Job(
                claim=claim,
                assignment_name=sub.assignment_name,
                filename=sub.filename,
                blob=blob_path(self.runtime.settings, sub),
                sha256=sub.sha256,
                size_bytes=sub.size_bytes,
                started_at=sub.started_at or utcnow(),
                stages=dict(sub.stages or {}),
            )

    def _job_for_token(self, submission_id: int, claim_token: str) -> _Job:
        with self.runtime.db.session() as session:
            row = session.execute(
                select(
                    Submission.status,
                    Submission.claim_token,
                    Submission.claimed_by,
                    Submission.attempts,
                ).where(Submission.id == submission_id)
            ).one_or_none()
        if (
            row is None
            or row[0] != SubmissionStatus.running.value
            or row[1] is None
            or not hmac.compare_digest(row[1].encode(), claim_token.encode())
        ):
            raise ClaimLost("this claim has ended: the job finished or went to another worker")
        return self._job(Claim(submission_id, claim_token, row[2] or "", row[3]))


@dataclass(frozen=True)
class WorkerStages:
    """A :class:`~harness.grading.job.StageRunner` that brings back what a worker ran.

    The API extracted the same archive and planned the same stages; the worker's outcomes must
    name exactly those stages, and its uploaded files (from the spool) move into the run's
    output folders, where the score stage and the graders read them as in a local run.
    """

    result: ResultIn
    spool: Path
    """Where the worker's uploads for this claim were put: ``<stage>/<file>``."""
    limits: StagesLimits
    """The assignment's stage limits: a worker's log is bounded again by ``log_kb``."""

    def __call__(self, prepared: Prepared, dirs: RunDirs, progress: ProgressCallback) -> SandboxRun:
        if self.result.input_rejected is not None:
            raise WorkerResultInvalid(
                "the worker refused an archive the API accepts "
                f"({self.result.input_rejected[:200]}); is it running another version?"
            )
        expected = [planned.name for planned in stage_plan(prepared.contract)]
        reported = [outcome.name for outcome in self.result.stages]
        if sorted(reported) != sorted(expected) or len(reported) != len(expected):
            raise WorkerResultInvalid(
                f"the worker reported the stages {[s.value for s in reported]}, expected "
                f"{[s.value for s in expected]} for a {prepared.contract.kind} submission"
            )
        by_name = {outcome.name: outcome for outcome in self.result.stages}
        outcomes = {name: self._with_files(by_name[name], dirs) for name in expected}
        return SandboxRun(image=self.result.image, outcomes=outcomes)

    def _with_files(self, outcome: StageOutcome, dirs: RunDirs) -> StageOutcome:
        files: dict[str, Path] = {}
        for file_name in outcome.outputs:
            if file_name not in OUTPUT_FILES[outcome.name]:
                raise WorkerResultInvalid(f"{file_name!r} is not an output of the {outcome.name} stage")
            source = self.spool / outcome.name.value / file_name
            if not source.is_file():
                raise WorkerResultInvalid(
                    f"the worker listed {file_name} for the {outcome.name} stage but did not upload it"
                )
            target = dirs.out(outcome.name)
            target.mkdir(parents=True, exist_ok=True)
            files[file_name] = Path(shutil.move(str(source), target / file_name))
        cap = getattr(self.limits, outcome.name.value).log_kb * 1024
        log = outcome.log_tail
        return outcome.model_copy(update={
            "files": files,
            "log_tail": log if len(log) <= cap else log[-cap:],
            "log_truncated": outcome.log_truncated or len(log) > cap,
        })
