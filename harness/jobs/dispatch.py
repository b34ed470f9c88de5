"""How a queued submission reaches a worker.

The database is the queue of record: a submission row with status ``queued`` is a job. A
dispatcher only tells workers there is something to do; losing that signal loses nothing,
because workers also poll and a restarted service picks up whatever is still queued.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["Dispatcher", "NullDispatcher"]


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
