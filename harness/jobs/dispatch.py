"""How a queued submission reaches a worker.

The database is the queue of record: a submission row with status ``queued`` is a job. A
dispatcher only tells workers there is something to do; losing that signal loses nothing,
because workers also poll and a restarted service picks up whatever is still queued.

Two implementations: :class:`harness.jobs.embedded.EmbeddedWorkerPool` (threads in the web
process) and :class:`harness.jobs.distributed.CeleryDispatcher` (Celery workers elsewhere).
"""

from __future__ import annotations

from typing import Protocol

from harness.jobs.schemas import WorkerInfo

__all__ = ["Dispatcher", "NullDispatcher", "workers_of"]


class Dispatcher(Protocol):
    def start(self) -> None:
        """Begin taking work (idempotent)."""

    def enqueue(self, submission_id: int) -> None:
        """Signal that ``submission_id`` was queued (after the row is committed)."""

    def stop(self, timeout: float | None = None) -> None:
        """Stop taking work; running jobs finish or are re-queued by the next start."""


class NullDispatcher:
    """For processes that only serve the web app (``workers = 0``): jobs wait in the database."""

    def start(self) -> None:
        pass

    def enqueue(self, submission_id: int) -> None:
        pass

    def stop(self, timeout: float | None = None) -> None:
        pass


def workers_of(dispatcher: object) -> list[WorkerInfo]:
    """The grading workers a dispatcher knows of (none for dispatchers that cannot tell)."""
    info = getattr(dispatcher, "worker_info", None)
    return list(info()) if callable(info) else []
