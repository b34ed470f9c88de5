"""What the grading jobs of one process need, built once per process."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from graders.registry import GraderRegistry, default_registry
from harness.assignments.loader import Assignment, load_assignment
from harness.db.engine import Database
from harness.grading.features import HeldoutFeatures
from harness.grading.job import GradingJob, StageRunner
from harness.grading.pipeline import grade
from harness.grading.progress import ProgressCallback
from harness.reports.schema import Report
from harness.settings import Settings

__all__ = ["GradeFn", "GradingRuntime", "worker_name"]


class GradeFn(Protocol):
    """Grades one job with a stage runner (:func:`harness.grading.pipeline.grade`, bound to the
    runtime's graders, work folder and held-out features)."""

    def __call__(self, job: GradingJob, runner: StageRunner, progress: ProgressCallback) -> Report: ...


def worker_name() -> str:
    """``host:pid:thread``: unique per grading slot, readable in the status columns."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"


@dataclass
class GradingRuntime:
    settings: Settings
    db: Database
    grade_fn: GradeFn | None = None
    """Replaces the real pipeline (tests of the job queue use a recording one)."""
    load_assignment: Callable[[str, Settings], Assignment] = load_assignment
    registry_factory: Callable[[], GraderRegistry] = default_registry
    """Builds the grader registry for a report (the default registry, with plugins)."""
    heartbeat_s: float = 10.0
    """How often a running job proves it is alive."""
    stale_after_s: float = 120.0
    """A running job silent this long is re-queued (its worker is presumed dead)."""
    max_attempts: int = 3
    """Claims before an unexpected (non-infrastructure) failure is recorded as an error."""
    backoff_s: tuple[float, ...] = (15.0, 60.0, 300.0, 600.0)
    """Waits before retrying after an infrastructure error (the last one repeats)."""
    similarity: bool = True
    """Check each graded submission's code against the others' (``harness.integrity``)."""
    on_finished: list[Callable[[int, str], None]] = field(default_factory=list)
    """Called with (submission id, status) after a report is stored (webhook, notifications)."""
    features: HeldoutFeatures = field(init=False)
    """The held-out features files of this process, shared by local runs and worker downloads."""

    def __post_init__(self) -> None:
        self.features = HeldoutFeatures(self.settings.features_dir)

    def backoff(self, attempt: int) -> float:
        return self.backoff_s[min(max(attempt, 1), len(self.backoff_s)) - 1]

    def grade(self, job: GradingJob, runner: StageRunner, progress: ProgressCallback) -> Report:
        """Grade ``job`` with ``runner``: the pipeline, unless a test replaced it."""
        if self.grade_fn is not None:
            return self.grade_fn(job, runner, progress)
        return grade(job, runner, registry=self.registry_factory(), work_dir=self.settings.work_dir,
                     features=self.features, progress=progress)
