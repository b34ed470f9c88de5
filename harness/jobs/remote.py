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

import hashlib
import hmac
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from graders.registry import GraderRegistry, default_registry
from graders.types import StageName, StageOutcome
from harness.assignments.loader import Assignment
from harness.db.base import utcnow
from harness.errors import AssignmentError, HarnessError, InputRejected
from harness.grading import stages as stage_builders
from harness.grading.pipeline import finish_report, harness_version, prepare_workspace, run_folder
from harness.grading.progress import ProgressCallback
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
    StageResult,
)
from harness.jobs.tasks import Outcome, after_failure, grade_under_claim, retry_later
from harness.reports.schema import Report, ReportStatus, SubmissionInfo
from harness.submissions.contract import ProjectContract, SubmissionContract
from harness.submissions.models import Submission, SubmissionStatus
from harness.submissions.repository import Claim, SubmissionRepository
from harness.submissions.service import blob_path

__all__ = [
    "MAX_OUTPUT_BYTES",
    "ClaimLost",
    "InputFiles",
    "RemoteJobs",
    "StoredFile",
    "WorkerResultInvalid",
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


@dataclass(frozen=True)
class StoredFile:
    path: Path
    sha256: str
    size: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class InputFiles:
    """The assignment-level inputs workers download, hashed once and cached.

    The held-out features file is the one :func:`~harness.grading.stages.build_test_features`
    writes for an embedded run (both held-out sets mixed, shuffled with the assignment's seed);
    it is built once per version of the assignment's data, and its ids in order are kept beside
    it for scoring. Labels are never copied here.
    """

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self._lock = threading.Lock()
        self._hashes: dict[tuple[str, int, int], StoredFile] = {}
        self._features: dict[str, tuple[StoredFile, list[str]]] = {}

    def _stored(self, path: Path) -> StoredFile:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._hashes.get(key)
        if cached is None:
            cached = StoredFile(path, _sha256(path), stat.st_size)
            with self._lock:
                self._hashes[key] = cached
        return cached

    def train(self, assignment: Assignment) -> StoredFile:
        return self._stored(assignment.train_csv)

    def features(self, assignment: Assignment) -> tuple[StoredFile, list[str]]:
        """The held-out features file and its ids in order."""
        data = assignment.spec.data
        sources = [assignment.path(data.heldout_features)]
        if data.shifted_features:
            sources.append(assignment.path(data.shifted_features))
        identity = [assignment.name, assignment.spec.version, str(assignment.spec.seed)]
        for source in sources:
            stat = source.stat()
            identity += [str(source), str(stat.st_mtime_ns), str(stat.st_size)]
        key = hashlib.sha256("\n".join(identity).encode()).hexdigest()[:32]
        with self._lock:
            cached = self._features.get(key)
            if cached is not None:
                return cached
            folder = self.cache_dir / _safe_name(assignment.name) / key
            csv_path, ids_path = folder / "features.csv", folder / "ids.json"
            if not (csv_path.is_file() and ids_path.is_file()):
                folder.mkdir(parents=True, exist_ok=True)
                tmp = folder / f"features.{os.getpid()}.{threading.get_ident()}.tmp"
                ids = stage_builders.build_test_features(assignment, tmp, assignment.spec.seed)
                ids_tmp = tmp.with_suffix(".ids")
                ids_tmp.write_text(json.dumps(ids), encoding="utf-8")
                os.replace(ids_tmp, ids_path)
                os.replace(tmp, csv_path)
            ids = json.loads(ids_path.read_text(encoding="utf-8"))
            cached = (StoredFile(csv_path, _sha256(csv_path), csv_path.stat().st_size), ids)
            self._features[key] = cached
            return cached


def _safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:64] or "assignment"


@dataclass
class _Job:
    """What the API knows of a claimed job."""

    claim: Claim
    assignment_name: str
    filename: str
    blob: Path
    started_at: datetime
    stages: dict[str, dict[str, Any]]


@dataclass
class RemoteJobs:
    """Answers a distributed worker's calls (the worker-facing routers are a thin layer on it)."""

    runtime: GradingRuntime
    inputs: InputFiles
    registry_factory: Callable[[], GraderRegistry] = field(default=default_registry)
    """Builds the grader registry for a report (the default registry, with plugins)."""

    @classmethod
    def for_runtime(cls, runtime: GradingRuntime) -> RemoteJobs:
        return cls(runtime, InputFiles(runtime.settings.data_dir / "worker-inputs"))

    @property
    def _spool(self) -> Path:
        return self.runtime.settings.data_dir / "worker-outputs"

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
        with runtime.db.session(write=True) as session:
            claim = SubmissionRepository(session).claim(submission_id, worker, utcnow())
        if claim is None:
            return None
        try:
            job = self._job(claim)
            assignment = runtime.load_assignment(job.assignment_name, runtime.settings)
            train = self.inputs.train(assignment)
            features, _ = self.inputs.features(assignment)
            with runtime.db.session() as session:
                sub = session.get(Submission, submission_id)
                assert sub is not None
                bundle = StoredFile(job.blob, sub.sha256, sub.size_bytes)
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
        )

    def _check_visibility(self, assignment: Assignment) -> None:
        limits = assignment.spec.limits
        longest = limits.tests.wall_seconds + max(
            limits.train.wall_seconds + limits.predict.wall_seconds, limits.notebook.wall_seconds
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
            return self.inputs.train(assignment).path
        return self.inputs.features(assignment)[0].path

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
        runtime = self.runtime

        def make_report(progress: ProgressCallback) -> Report:
            assignment = runtime.load_assignment(job.assignment_name, runtime.settings)
            registry: GraderRegistry = self.registry_factory()
            unknown = sorted(set(assignment.spec.rubric) - set(registry.names()))
            if unknown:
                raise AssignmentError(
                    f"the rubric of {assignment.name!r} weights unregistered graders: {unknown}"
                )
            with run_folder(runtime.settings) as (dirs, _run_id):
                try:
                    prepared = prepare_workspace(
                        job.blob, dirs, filename=job.filename, progress=progress
                    )
                except InputRejected as exc:
                    return _rejected(assignment, job, exc.message)
                if result.input_rejected is not None:
                    raise WorkerResultInvalid(
                        "the worker refused an archive the API accepts "
                        f"({result.input_rejected[:200]}); is it running another version?"
                    )
                outcomes = _outcomes(result.stages, prepared.contract, assignment, dirs, spool)
                _, test_ids = self.inputs.features(assignment)
                return finish_report(
                    dirs.submission,
                    prepared,
                    outcomes,
                    assignment,
                    test_ids,
                    registry=registry,
                    image=result.image,
                    started_at=job.started_at,
                    progress=progress,
                )

        try:
            return grade_under_claim(runtime, job.claim, make_report, stages=job.stages)
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


def _rejected(assignment: Assignment, job: _Job, message: str) -> Report:
    return Report(
        status=ReportStatus.rejected,
        message=message,
        assignment=assignment.name,
        assignment_version=assignment.spec.version,
        submission=SubmissionInfo(filename=job.filename, sha256=""),
        harness_version=harness_version(),
        started_at=job.started_at,
        finished_at=datetime.now(UTC),
    )


def _outcomes(
    results: list[StageResult],
    contract: SubmissionContract,
    assignment: Assignment,
    dirs: stage_builders.RunDirs,
    spool: Path,
) -> dict[StageName, StageOutcome]:
    """Stage outcomes from a worker's report, with its uploaded files moved into the run folder."""
    if isinstance(contract, ProjectContract):
        expected = [StageName.tests, StageName.train, StageName.predict]
    else:
        expected = [StageName.tests, StageName.notebook]
    by_name = {r.name: r for r in results}
    if sorted(by_name) != sorted(expected) or len(results) != len(expected):
        raise WorkerResultInvalid(
            f"the worker reported the stages {[r.name.value for r in results]}, expected "
            f"{[s.value for s in expected]} for a {contract.kind} submission"
        )
    outcomes: dict[StageName, StageOutcome] = {}
    for name in expected:
        result = by_name[name]
        limits = getattr(assignment.spec.limits, name.value)
        files: dict[str, Path] = {}
        for file_name in result.files:
            if file_name not in OUTPUT_FILES[name]:
                raise WorkerResultInvalid(f"{file_name!r} is not an output of the {name} stage")
            source = spool / name.value / file_name
            if not source.is_file():
                raise WorkerResultInvalid(
                    f"the worker listed {file_name} for the {name} stage but did not upload it"
                )
            target = dirs.out(name)
            target.mkdir(parents=True, exist_ok=True)
            files[file_name] = Path(shutil.move(str(source), target / file_name))
        cap = limits.log_kb * 1024
        log_tail = result.log_tail if len(result.log_tail) <= cap else result.log_tail[-cap:]
        outcomes[name] = StageOutcome(
            name=name,
            verdict=result.verdict,
            message=result.message,
            exit_code=result.exit_code,
            duration_s=result.duration_s,
            peak_memory_bytes=result.peak_memory_bytes,
            log_tail=log_tail,
            log_truncated=result.log_truncated or len(result.log_tail) > cap,
            files=files,
            rejected=list(result.rejected),
        )
    return outcomes
