"""The grading task as a distributed worker runs it: the sandboxed half, with no labels.

    claim ─► download the archive, train CSV, held-out features (signed links, hash-checked)
          ─► archive checks + contract (the same code as the API) ─► sandbox image
          ─► tests, train, predict (or the notebook) in the sandbox ─► upload outputs
          ─► post the stage outcomes: the API scores, grades and stores the report

A heartbeat thread keeps the claim alive from the claim until the API has answered the result
(the API grades while the worker waits). Failures map onto the same retries as embedded mode:
Docker or disk trouble is an infrastructure failure (back-off), anything else a crash (counted
against the attempts). A claim the API says has ended stops the run; nothing is stored.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import sandbox
from graders.types import StageName, StageOutcome
from harness.errors import InfrastructureError, InputRejected
from harness.grading.local import LocalStages, connect_sandbox
from harness.grading.prepare import prepare_workspace
from harness.grading.progress import ProgressEvent
from harness.grading.stages import StageData
from harness.grading.workdir import run_folder
from harness.jobs.progress import ProgressState
from harness.jobs.schemas import (
    OUTPUT_FILES,
    FailIn,
    FileLink,
    Heartbeat,
    JobTicket,
    ResultIn,
    StageProgress,
)
from harness.settings import Settings
from harness.worker.client import ApiClient, ApiRejected, ApiUnavailable, ClaimEnded
from sandbox.client import ping

__all__ = ["DockerUnavailable", "WorkerContext", "run_job"]

log = logging.getLogger(__name__)

RESULT_PATIENCE_S = 300.0
"""How long a worker keeps offering a finished run to an API that does not answer."""


class DockerUnavailable(Exception):
    """This host cannot run sandboxes now: the job is left to another worker, unclaimed."""


@dataclass
class WorkerContext:
    """What a worker process needs to run jobs (one per process, built after the fork)."""

    client: ApiClient
    settings: Settings
    """Local settings: ``data_dir`` (this host's work and cache folders) and the sandbox image."""
    name: str
    """The worker's name; a slot is ``<name>:<pid>``."""
    max_output_bytes: int = 64 * 1024 * 1024
    _sandbox: sandbox.Sandbox | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def slot(self) -> str:
        return f"{self.name}:{os.getpid()}"

    @property
    def cache_dir(self) -> Path:
        return self.settings.data_dir / "inputs"

    def sandbox(self) -> sandbox.Sandbox:
        with self._lock:
            if self._sandbox is None:
                self._sandbox = connect_sandbox()
            return self._sandbox

    def check_docker(self) -> None:
        """Raise :class:`DockerUnavailable` unless this host's engine answers (a few ms)."""
        try:
            ping(self.sandbox().client)
        except (InfrastructureError, sandbox.InfrastructureError) as exc:
            with self._lock:
                self._sandbox = None  # connect afresh next time (the daemon may have restarted)
            raise DockerUnavailable(getattr(exc, "message", str(exc))) from exc

    def cached_input(self, link: FileLink) -> Path:
        """A job input shared by many jobs (train CSV, held-out features), kept by its hash."""
        path = self.cache_dir / f"{link.sha256}.csv"
        if path.is_file() and path.stat().st_size == link.size:
            return path
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        # A private name first, so two slots fetching the same file do not write into each other.
        tmp = self.cache_dir / f"{link.sha256}.{os.getpid()}.{threading.get_ident()}"
        self.client.download(link, tmp)
        tmp.chmod(0o644)  # mounted read-only into sandboxes, which run as another user
        tmp.replace(path)
        return path


class _RemoteProgress:
    """Progress events and heartbeats, posted to the API under the claim."""

    def __init__(self, ctx: WorkerContext, ticket: JobTicket) -> None:
        self.ctx = ctx
        self.ticket = ticket
        self.state = ProgressState()
        self.ended = threading.Event()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat_loop, name=f"heartbeat-{ticket.submission_id}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def __call__(self, event: ProgressEvent) -> None:
        if self.ended.is_set():
            # Stops the run at the next stage boundary: someone else owns the job now.
            raise ClaimEnded("the API gave this job to another worker")
        with self._lock:
            values = self.state.apply(event)
            stages = {k: StageProgress.model_validate(v) for k, v in values["stages"].items()}
            beat = Heartbeat(claim_token=self.ticket.claim_token, stages=stages)
            if "stage" in values:
                beat.stage = values["stage"]
            self._send(beat)

    def _beat_loop(self) -> None:
        while not self._stop.wait(self.ticket.heartbeat_s):
            with self._lock:
                self._send(Heartbeat(claim_token=self.ticket.claim_token))

    def _send(self, beat: Heartbeat) -> None:
        try:
            self.ctx.client.heartbeat(self.ticket.submission_id, beat)
        except ClaimEnded:
            if not self.ended.is_set():
                log.warning("submission %s: the API ended this claim", self.ticket.submission_id)
            self.ended.set()
        except Exception as exc:  # the API away for a moment: the next beat tries again
            log.warning("submission %s: heartbeat failed: %s", self.ticket.submission_id, exc)


def run_job(ctx: WorkerContext, submission_id: int) -> str:
    """Claim and run one job; returns what became of it (``graded``, ``not_claimed``, ...).

    Raises :class:`DockerUnavailable`, before claiming, when this host cannot run sandboxes.
    """
    ctx.check_docker()
    ticket = ctx.client.claim(submission_id, ctx.slot)
    if ticket is None:
        return "not_claimed"
    log.info("submission %s: claimed (attempt %d)", submission_id, ticket.attempt)
    progress = _RemoteProgress(ctx, ticket)
    progress.start()
    try:
        try:
            result = _run_stages(ctx, ticket, progress)
        except ClaimEnded:
            return "lost_claim"
        except InfrastructureError as exc:
            log.warning("submission %s: infrastructure failure: %s", submission_id, exc.message)
            return _fail(ctx, ticket, "infrastructure", exc.message)
        except Exception as exc:
            log.exception("submission %s: the run crashed", submission_id)
            kind = "crash" if not isinstance(exc, OSError) else "infrastructure"
            return _fail(ctx, ticket, kind, f"{type(exc).__name__}: {exc}")
        outcome = _post_result(ctx, ticket, result, progress)
        log.info("submission %s: %s", submission_id, outcome)
        return outcome
    finally:
        progress.stop()


def _post_result(
    ctx: WorkerContext, ticket: JobTicket, result: ResultIn, progress: _RemoteProgress
) -> str:
    """Hand the run to the API, waiting out an API restart: the run may have cost minutes."""
    deadline = time.monotonic() + RESULT_PATIENCE_S
    while True:
        try:
            return ctx.client.result(ticket.submission_id, result)
        except ApiRejected as exc:
            log.error("submission %s: the API refused the result: %s", ticket.submission_id, exc)
            return _fail(ctx, ticket, "crash", str(exc))
        except ApiUnavailable as exc:
            if progress.ended.is_set() or time.monotonic() > deadline:
                # The claim lapses and the API's watchdog queues the job again.
                log.error("submission %s: result not delivered: %s", ticket.submission_id, exc)
                return "unreported"
            log.warning("submission %s: the API is away (%s); trying again", ticket.submission_id, exc)
            time.sleep(5)


def _fail(ctx: WorkerContext, ticket: JobTicket, kind: str, message: str) -> str:
    body = FailIn(claim_token=ticket.claim_token, kind=kind, message=message[:2000])  # type: ignore[arg-type]
    try:
        return ctx.client.fail(ticket.submission_id, body)
    except Exception as exc:
        # The API is unreachable: the claim's heartbeats stop with this job, and the API's
        # watchdog re-queues it.
        log.error("submission %s: could not report the failure: %s", ticket.submission_id, exc)
        return "unreported"


def _run_stages(ctx: WorkerContext, ticket: JobTicket, progress: _RemoteProgress) -> ResultIn:
    """The sandboxed half of :func:`harness.grading.pipeline.grade`: the same archive checks and
    the same stage plan, on this host; the API does the rest with the outcomes."""
    with run_folder(ctx.settings.work_dir) as dirs:
        train = ctx.cached_input(ticket.train)
        features = ctx.cached_input(ticket.features)
        bundle = ctx.client.download(ticket.bundle, dirs.root / "bundle")
        try:
            prepared = prepare_workspace(bundle, ticket.filename, dirs, progress)
        except InputRejected as exc:
            return ResultIn(claim_token=ticket.claim_token, image="", input_rejected=exc.message)
        data = StageData(train_csv=train, test_csv=features, limits=ticket.limits,
                         skip=frozenset(ticket.skip_stages))
        run = LocalStages(ctx.settings, lambda: data, box=ctx.sandbox())(prepared, dirs, progress)
        if progress.ended.is_set():
            raise ClaimEnded("the API gave this job to another worker")
        stages = [_send_outputs(ctx, ticket, outcome) for outcome in run.outcomes.values()]
        return ResultIn(claim_token=ticket.claim_token, image=run.image, stages=stages)


def _send_outputs(ctx: WorkerContext, ticket: JobTicket, outcome: StageOutcome) -> StageOutcome:
    """Upload a stage's output files (the allowed ones, within the API's cap); the outcome to
    send names the files uploaded, and those refused, never a path of this host."""
    sent: list[str] = []
    rejected = list(outcome.rejected)
    allowed = OUTPUT_FILES.get(StageName(outcome.name), frozenset())
    for name, path in sorted(outcome.files.items()):
        if name not in allowed:
            continue  # nothing on the API reads it
        size = path.stat().st_size
        if size > ctx.max_output_bytes:
            rejected.append(f"{name}: {size} bytes, more than the {ctx.max_output_bytes} the API accepts")
            continue
        ctx.client.upload_output(ticket.submission_id, ticket.claim_token, outcome.name.value, name, path)
        sent.append(name)
    return outcome.model_copy(update={"outputs": sent, "rejected": rejected, "files": {}})
