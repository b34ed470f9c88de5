"""The embedded worker pool: ``settings.workers`` threads in the web process.

Each thread claims the oldest queued submission atomically (a compare-and-set in the database),
grades it with the shared task code, and loops. A watchdog re-queues jobs whose heartbeat went
stale, so a crash of this process (or of another process on the same database) loses nothing;
on start, jobs this host's dead processes held are re-queued at once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from sqlalchemy import select, update

from harness.db.base import utcnow
from harness.jobs.lifecycle import claim_next, recover_stale, run_claimed
from harness.jobs.runtime import GradingRuntime, worker_name
from harness.jobs.schemas import WorkerInfo
from harness.submissions.models import Submission, SubmissionStatus

__all__ = ["EmbeddedWorkerPool"]

log = logging.getLogger(__name__)


class EmbeddedWorkerPool:
    """Implements :class:`harness.jobs.dispatch.Dispatcher` with threads in this process."""

    def __init__(self, runtime: GradingRuntime, workers: int, *, poll_s: float = 2.0) -> None:
        self.runtime = runtime
        self.workers = workers
        self.poll_s = poll_s
        self._wake = threading.Condition()
        self._pending = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.busy = 0
        """Slots grading right now."""
        self.started_at = utcnow()

    # --- Dispatcher ---------------------------------------------------------------------------
    def start(self) -> None:
        if self._threads:
            return
        self._stop.clear()
        self.recover_dead_local_claims()
        recover_stale(self.runtime)
        for i in range(self.workers):
            t = threading.Thread(target=self._loop, name=f"grader-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        watchdog = threading.Thread(target=self._watchdog, name="grader-watchdog", daemon=True)
        watchdog.start()
        self._threads.append(watchdog)
        log.info("embedded worker pool started with %d slot(s)", self.workers)

    def enqueue(self, submission_id: int) -> None:
        with self._wake:
            self._pending += 1
            self._wake.notify()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        with self._wake:
            self._wake.notify_all()
        for t in self._threads:
            t.join(timeout=timeout)
        self._threads = []

    def worker_info(self) -> list[WorkerInfo]:
        """This process's pool, as one worker (for ``/api/workers``)."""
        prefix = f"{socket.gethostname()}:{os.getpid()}:"
        with self.runtime.db.session() as session:
            running = sorted(
                session.scalars(
                    select(Submission.id).where(
                        Submission.status == SubmissionStatus.running.value,
                        Submission.claimed_by.startswith(prefix, autoescape=True),
                    )
                )
            )
        return [
            WorkerInfo(
                name=prefix.rstrip(":"),
                host=socket.gethostname(),
                mode="embedded",
                slots=self.workers,
                busy=len(running),
                running=running,
                healthy=bool(self._threads),
                problem="" if self._threads else "not started",
                started_at=self.started_at,
                last_seen=utcnow(),
            )
        ]

    # --- internals ----------------------------------------------------------------------------
    def _loop(self) -> None:
        worker = worker_name()
        while not self._stop.is_set():
            try:
                claim = claim_next(self.runtime, worker)
            except Exception:
                log.exception("claiming a job failed; retrying shortly")
                claim = None
            if claim is None:
                with self._wake:
                    if self._pending == 0 and not self._stop.is_set():
                        self._wake.wait(self.poll_s)
                    self._pending = 0
                continue
            self.busy += 1
            try:
                outcome = run_claimed(self.runtime, claim)
                log.info("submission %s: %s", claim.submission_id, outcome.value)
            except Exception:
                log.exception("job for submission %s crashed", claim.submission_id)
            finally:
                self.busy -= 1

    def _watchdog(self) -> None:
        interval = max(1.0, min(30.0, self.runtime.stale_after_s / 4))
        while not self._stop.wait(interval):
            try:
                if recover_stale(self.runtime):
                    self.enqueue(0)
            except Exception:
                log.exception("watchdog pass failed")

    def recover_dead_local_claims(self) -> list[int]:
        """Re-queue running jobs claimed on this host by processes that no longer exist.

        Without this, a restarted ``harness serve`` would wait ``stale_after_s`` before picking
        up the job its previous incarnation was grading.
        """
        host = socket.gethostname()
        requeued: list[int] = []
        with self.runtime.db.session(write=True) as session:
            rows = session.execute(
                select(Submission.id, Submission.claimed_by).where(
                    Submission.status == SubmissionStatus.running.value
                )
            ).all()
            for submission_id, claimed_by in rows:
                parts = (claimed_by or "").split(":")
                if len(parts) < 2 or parts[0] != host or not parts[1].isdigit():
                    continue
                pid = int(parts[1])
                if pid == os.getpid() or _alive(pid):
                    continue
                session.execute(
                    update(Submission)
                    .where(
                        Submission.id == submission_id,
                        Submission.claimed_by == claimed_by,
                        Submission.status == SubmissionStatus.running.value,
                    )
                    .values(
                        status=SubmissionStatus.queued.value,
                        claim_token=None,
                        claimed_by=None,
                        stage=None,
                        message="re-queued after a restart",
                        heartbeat_at=utcnow() - timedelta(seconds=1),
                    )
                    .execution_options(synchronize_session=False)
                )
                requeued.append(submission_id)
        if requeued:
            log.warning("re-queued jobs left running by a previous process: %s", requeued)
        return requeued


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
