"""What the grading task needs from its process, built once per process."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from harness.db.engine import Database
from harness.reports.schema import Report
from harness.settings import Settings

if TYPE_CHECKING:
    from harness.assignments.loader import Assignment

__all__ = ["GradeFn", "GradingRuntime", "worker_name"]


class GradeFn(Protocol):
    """The grading pipeline's entry point (``harness.grading.pipeline.grade_path``)."""

    def __call__(
        self,
        source: Path,
        assignment: Assignment,
        *,
        settings: Settings,
        progress: Callable[[Any], None] | None = None,
    ) -> Report: ...


def _default_grade_fn() -> GradeFn:
    from harness.grading.pipeline import grade_path

    return grade_path


def _default_loader() -> Callable[[str, Settings], Assignment]:
    from harness.assignments.loader import load_assignment

    return load_assignment


def worker_name() -> str:
    """``host:pid:thread``: unique per grading slot, readable in the status columns."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"


@dataclass
class GradingRuntime:
    settings: Settings
    db: Database
    grade_fn: GradeFn = field(default_factory=_default_grade_fn)
    load_assignment: Callable[[str, Settings], Assignment] = field(default_factory=_default_loader)
    heartbeat_s: float = 10.0
    """How often a running job proves it is alive."""
    stale_after_s: float = 120.0
    """A running job silent this long is re-queued (its worker is presumed dead)."""
    max_attempts: int = 3
    """Claims before an unexpected (non-infrastructure) failure is recorded as an error."""
    backoff_s: tuple[float, ...] = (15.0, 60.0, 300.0, 600.0)
    """Waits before retrying after an infrastructure error (the last one repeats)."""
    on_finished: list[Callable[[int, str], None]] = field(default_factory=list)
    """Called with (submission id, status) after a report is stored (webhook, notifications)."""

    def backoff(self, attempt: int) -> float:
        return self.backoff_s[min(max(attempt, 1), len(self.backoff_s)) - 1]
