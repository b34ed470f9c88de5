"""Dispatching to Celery workers on other hosts (``HARNESS_MODE=distributed``), API side.

The database stays the queue of record. A feeder hands jobs to the broker only as fast as
workers can take them: each pass it counts the free slots of the live, healthy workers (their
Redis heartbeats) minus the jobs they hold and the jobs already handed out, and publishes that
many queued submissions in fair order (:mod:`harness.jobs.fairness`). The broker therefore
never holds a backlog in arrival order: a burst of 50 uploads from one candidate waits in the
database, where every pass re-ranks it against everyone else's uploads.

What survives what:

- a worker killed mid-grade: its job's heartbeats stop; the watchdog here re-queues the job
  after ``stale_after_s`` and the feeder hands it to another worker (Celery's late ack and
  ``reject_on_worker_lost`` also give its message back; that copy finds the job claimed or
  finished and does nothing);
- Redis restarted, even empty: running jobs carry on (they talk to the API over HTTP); a
  handed-out job that nobody claimed within ``redispatch_after_s`` is published again;
- several API processes: one feeder at a time holds a short Redis lease; the watchdog is a
  compare-and-set in the database and may run anywhere.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from typing import Any

import redis
from celery import Celery
from sqlalchemy import select

from harness.db.base import utcnow
from harness.jobs.celery_app import QUEUE, TASK_NAME, make_celery
from harness.jobs.fairness import fair_claimable
from harness.jobs.lifecycle import recover_stale
from harness.jobs.runtime import GradingRuntime
from harness.jobs.schemas import WorkerInfo
from harness.jobs.worker_health import WorkerRegistry, redis_client
from harness.submissions.models import Submission, SubmissionStatus

__all__ = ["HANDED_OUT_KEY", "LEASE_KEY", "CeleryDispatcher", "node_of"]

log = logging.getLogger(__name__)

HANDED_OUT_KEY = "harness:dispatch:handed-out"
"""Hash: submission id -> ``"<published at> <attempts then>"`` (in the broker, not claimed yet)."""
LEASE_KEY = "harness:dispatch:feeder"


def node_of(claimed_by: str | None) -> str:
    """The worker name in a claim's ``claimed_by`` (``<worker name>:<pid>``)."""
    return (claimed_by or "").rpartition(":")[0]


class CeleryDispatcher:
    """Implements :class:`harness.jobs.dispatch.Dispatcher` for distributed mode."""

    def __init__(
        self,
        runtime: GradingRuntime,
        *,
        celery: Celery | None = None,
        redis_conn: redis.Redis | None = None,
        poll_s: float = 1.0,
        redispatch_after_s: float = 60.0,
    ) -> None:
        settings = runtime.settings
        self.runtime = runtime
        self.celery = celery or make_celery(
            settings.broker_url, visibility_timeout_s=settings.visibility_timeout_s
        )
        self.redis = redis_conn or redis_client(settings.broker_url)
        self.registry = WorkerRegistry(self.redis)
        # Pages list workers through a client that gives up at once when Redis is away.
        self.listing = WorkerRegistry(
            redis_conn or redis_client(settings.broker_url, timeout_s=1.0, retries=0)
        )
        self.poll_s = poll_s
        self.redispatch_after_s = redispatch_after_s
        self.instance = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lease_ms = int(max(5.0, poll_s * 5) * 1000)

    # --- Dispatcher ---------------------------------------------------------------------------
    def start(self) -> None:
        if self._threads:
            return
        self._stop.clear()
        for target, name in ((self._feed_loop, "dispatch-feeder"), (self._watchdog, "dispatch-watchdog")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        log.info("distributed dispatcher started (broker %s)", _redacted(self.runtime.settings.broker_url))

    def enqueue(self, submission_id: int) -> None:
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=timeout)
        self._threads = []
        try:
            if self.redis.get(LEASE_KEY) == self.instance.encode():
                self.redis.delete(LEASE_KEY)
        except redis.RedisError:
            pass

    def worker_info(self) -> list[WorkerInfo]:
        """Live workers with the jobs they hold (for ``/api/workers`` and the workers page)."""
        beats = self.listing.live()
        running = self._running_by_node()
        return [
            WorkerInfo(
                name=b.name,
                host=b.host,
                mode="distributed",
                slots=b.slots,
                busy=len(running.get(b.name, [])),
                running=sorted(running.get(b.name, [])),
                healthy=b.healthy,
                problem=b.problem,
                version=b.version,
                image=b.image,
                started_at=b.started_at,
                last_seen=b.last_seen,
            )
            for b in sorted(beats, key=lambda b: b.name)
        ]

    # --- the feeder ---------------------------------------------------------------------------
    def feed_once(self) -> list[int]:
        """One pass: publish as many fairly chosen queued jobs as there are free slots."""
        if not self._lead():
            return []
        healthy = [b for b in self.registry.live() if b.healthy]
        # Handed-out first, running second: a job claimed between the two reads is then counted
        # twice (one slot left idle until the next pass) rather than not at all (a slot
        # over-filled, and the fair order lost to whatever was queued first).
        handed = self._handed_out()
        running = self._running_by_node()
        free = sum(b.slots for b in healthy)
        free -= sum(len(running.get(b.name, [])) for b in healthy)
        free -= len(handed)
        if free <= 0:
            return []
        with self.runtime.db.session() as session:
            chosen = fair_claimable(session, utcnow(), limit=free, handed_out=sorted(handed))
        attempts = self._attempts(chosen)
        published = []
        for submission_id in chosen:
            self.celery.send_task(
                TASK_NAME,
                args=[submission_id],
                queue=QUEUE,
                retry=True,
                retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5},
            )
            self.redis.hset(
                HANDED_OUT_KEY, str(submission_id), f"{time.time():.3f} {attempts.get(submission_id, 0)}"
            )
            published.append(submission_id)
        if published:
            log.info("handed to workers: %s (%d slot(s) were free)", published, free)
        return published

    def _handed_out(self) -> set[int]:
        """Jobs in the broker not claimed yet; forgets claimed ones and re-offers lost ones."""
        raw: dict[Any, Any] = self.redis.hgetall(HANDED_OUT_KEY)
        handed: dict[int, tuple[float, int]] = {}
        for key, value in raw.items():
            at, _, attempt = (value.decode() if isinstance(value, bytes) else str(value)).partition(" ")
            handed[int(key)] = (float(at), int(attempt or 0))
        if not handed:
            return set()
        with self.runtime.db.session() as session:
            rows = session.execute(
                select(Submission.id, Submission.attempts).where(
                    Submission.id.in_(list(handed)),
                    Submission.status == SubmissionStatus.queued.value,
                )
            )
            queued = {sid: attempt for sid, attempt in rows}
        now = time.time()
        # Claimed jobs (running, finished, or back in the queue with one more attempt) are
        # counted through the database from now on; a job nobody claimed for a while was lost
        # with the broker's memory (or its worker): offer it again.
        drop = [
            sid
            for sid, (at, attempt) in handed.items()
            if queued.get(sid) != attempt or now - at > self.redispatch_after_s
        ]
        if drop:
            self.redis.hdel(HANDED_OUT_KEY, *[str(sid) for sid in drop])
        return set(handed) - set(drop)

    def _attempts(self, ids: list[int]) -> dict[int, int]:
        if not ids:
            return {}
        with self.runtime.db.session() as session:
            rows = session.execute(
                select(Submission.id, Submission.attempts).where(Submission.id.in_(ids))
            )
            return {sid: attempt for sid, attempt in rows}

    def _running_by_node(self) -> dict[str, list[int]]:
        with self.runtime.db.session() as session:
            rows = session.execute(
                select(Submission.id, Submission.claimed_by).where(
                    Submission.status == SubmissionStatus.running.value
                )
            ).all()
        by_node: dict[str, list[int]] = {}
        for submission_id, claimed_by in rows:
            by_node.setdefault(node_of(claimed_by), []).append(submission_id)
        return by_node

    def _lead(self) -> bool:
        """Hold the feeder lease (one feeder across API processes)."""
        if self.redis.set(LEASE_KEY, self.instance, nx=True, px=self._lease_ms):
            return True
        if self.redis.get(LEASE_KEY) == self.instance.encode():
            # Not atomic with the read: at worst two feeders overlap for one pass, and a job
            # published twice is claimed once.
            self.redis.pexpire(LEASE_KEY, self._lease_ms)
            return True
        return False

    def _feed_loop(self) -> None:
        failing = False
        while not self._stop.is_set():
            self._wake.wait(self.poll_s)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.feed_once()
                if failing:
                    log.info("dispatch feeder recovered")
                failing = False
            except Exception as exc:  # Redis or the database away: keep trying, say it once
                if not failing:
                    log.warning("dispatch feeder pass failed (%s); retrying every %.0f s", exc, self.poll_s)
                failing = True

    def _watchdog(self) -> None:
        interval = max(1.0, min(30.0, self.runtime.stale_after_s / 4))
        while not self._stop.wait(interval):
            try:
                if recover_stale(self.runtime):
                    self._wake.set()
            except Exception:
                log.exception("watchdog pass failed")


def _redacted(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        rest = "***@" + rest.rpartition("@")[2]
    return f"{scheme}{sep}{rest}"
