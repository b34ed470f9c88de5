"""``harness worker``: a Celery worker that grades on this host's Docker.

A worker needs Docker, the broker URL, the API URL and the worker token, nothing else: no
database, no shared filesystem, no held-out labels. Each of its ``concurrency`` pool processes
takes one job at a time (prefetch 1, late acknowledgement). Its main process refreshes a
heartbeat in Redis with its capacity and Docker's health, which the API shows on ``/api/workers``
and uses to decide how many jobs to hand out.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from celery import Celery, signals
from celery.exceptions import Reject

from harness.jobs.celery_app import QUEUE, TASK_NAME, make_celery
from harness.jobs.worker_health import WorkerBeat, WorkerRegistry, redis_client
from harness.settings import Settings
from harness.worker.client import ApiClient
from harness.worker.job import DockerUnavailable, WorkerContext, run_job

__all__ = ["HealthReporter", "WorkerConfig", "build_app", "run_worker"]

log = logging.getLogger(__name__)

HEALTH_EVERY_S = 5.0
DOCKER_RETRY_S = 10.0
"""Pause before handing back a job this host cannot run (Docker not answering)."""


@dataclass(frozen=True)
class WorkerConfig:
    api_url: str
    broker_url: str
    token: str
    name: str
    concurrency: int
    settings: Settings
    """This host's settings: ``data_dir`` and the sandbox image recipe."""
    image: str = ""
    harness_version: str = ""
    max_output_bytes: int = 64 * 1024 * 1024


_config: WorkerConfig | None = None
_context: tuple[int, WorkerContext] | None = None


def _worker_context() -> WorkerContext:
    """This pool process's context, built on first use after the fork (clients are per process)."""
    global _context
    assert _config is not None, "run_worker() sets the configuration before the pool starts"
    if _context is None or _context[0] != os.getpid():
        client = ApiClient(_config.api_url, _config.token)
        _context = (
            os.getpid(),
            WorkerContext(
                client=client,
                settings=_config.settings,
                name=_config.name,
                max_output_bytes=_config.max_output_bytes,
            ),
        )
    return _context[1]


def build_app(config: WorkerConfig) -> Celery:
    """The worker's Celery app, with the grading task registered."""
    global _config
    _config = config
    app = make_celery(config.broker_url, visibility_timeout_s=config.settings.visibility_timeout_s)

    @app.task(name=TASK_NAME, acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
    def grade_submission(submission_id: int) -> str:
        try:
            return run_job(_worker_context(), int(submission_id))
        except DockerUnavailable as exc:
            # Give the message back for a healthy worker; the pause keeps this one from taking
            # it straight back. The heartbeat shows this worker unhealthy meanwhile.
            log.warning("Docker is not answering (%s); leaving submission %s to others", exc, submission_id)
            time.sleep(DOCKER_RETRY_S)
            raise Reject(str(exc), requeue=True) from exc

    return app


class HealthReporter:
    """Refreshes this worker's heartbeat in Redis from the main process."""

    def __init__(self, config: WorkerConfig, *, every_s: float = HEALTH_EVERY_S) -> None:
        self.config = config
        self.every_s = every_s
        self.registry = WorkerRegistry(redis_client(config.broker_url), ttl_s=every_s * 4)
        self.started_at = datetime.now(UTC)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._docker: Any = None

    def _docker_problem(self) -> str:
        import docker

        try:
            if self._docker is None:
                self._docker = docker.DockerClient.from_env(timeout=5)
            self._docker.ping()
            return ""
        except Exception as exc:
            self._docker = None
            return f"Docker is not answering: {exc}"[:300]

    def beat_once(self) -> None:
        problem = self._docker_problem()
        self.registry.beat(
            WorkerBeat(
                name=self.config.name,
                host=socket.gethostname(),
                pid=os.getpid(),
                slots=self.config.concurrency,
                healthy=not problem,
                problem=problem,
                version=self.config.harness_version,
                image=self.config.image,
                started_at=self.started_at,
                last_seen=datetime.now(UTC),
            )
        )

    def _loop(self) -> None:
        failing = False
        while True:
            try:
                self.beat_once()
                if failing:
                    log.info("worker heartbeat recovered")
                failing = False
            except Exception as exc:
                if not failing:
                    log.warning("worker heartbeat to Redis failed (%s); retrying", exc)
                failing = True
            if self._stop.wait(self.every_s):
                return

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="worker-health", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with contextlib.suppress(Exception):
            self.registry.remove(self.config.name)


def run_worker(config: WorkerConfig, *, loglevel: str = "INFO") -> None:
    """Run the Celery worker in this process until it is stopped (SIGTERM: warm shutdown)."""
    app = build_app(config)
    reporter = HealthReporter(config)

    # Started once the pool has forked its processes, so none of them inherits the thread.
    def ready(**_: Any) -> None:
        reporter.start()

    def shutdown(**_: Any) -> None:
        reporter.stop()

    signals.worker_ready.connect(ready, weak=False)
    signals.worker_shutdown.connect(shutdown, weak=False)
    app.worker_main(
        [
            "worker",
            f"--hostname=harness@{config.name}",
            f"--concurrency={config.concurrency}",
            "--pool=prefork",
            f"--queues={QUEUE}",
            f"--loglevel={loglevel}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )
