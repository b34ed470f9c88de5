"""A recording grade function for worker tests: the pool is under test, not the pipeline.

The real pipeline (real Docker) is exercised end to end by ``test_real_grading.py``.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

from graders.types import Verdict
from harness.assignments.spec import AssignmentSpec
from harness.db.engine import Database
from harness.grading.job import GradingJob, StageRunner
from harness.grading.progress import ProgressCallback, ProgressEvent
from harness.jobs.lifecycle import Outcome, claim, run_claimed
from harness.jobs.runtime import GradingRuntime
from harness.reports.schema import Report
from harness.settings import Settings
from tests.db.factories import make_report, make_spec


class FakeAssignment:
    def __init__(self, spec: AssignmentSpec) -> None:
        self.spec = spec
        self.name = spec.name


class RecordingGrader:
    """Emits real progress events, sleeps, returns a report; counts calls and overlap."""

    def __init__(
        self, *, delay: float = 0.0, raises: BaseException | None = None, score: float = 70.0
    ) -> None:
        self.delay = delay
        self.raises = raises
        self.score = score
        self.calls: Counter[str] = Counter()
        self.active: set[str] = set()
        self.overlaps = 0
        self.max_parallel = 0
        self._lock = threading.Lock()
        self.started = threading.Event()

    def __call__(self, job: GradingJob, runner: StageRunner, progress: ProgressCallback) -> Report:
        key = job.archive.name
        with self._lock:
            self.calls[key] += 1
            if key in self.active:
                self.overlaps += 1
            self.active.add(key)
            self.max_parallel = max(self.max_parallel, len(self.active))
        self.started.set()
        try:
            if progress:
                progress(ProgressEvent(stage="static", state="started"))
                progress(ProgressEvent(stage="static", state="finished", verdict=Verdict.ok.value))
                progress(ProgressEvent(stage="train", state="started"))
            time.sleep(self.delay)
            if self.raises is not None:
                raise self.raises
            if progress:
                progress(ProgressEvent(stage="train", state="finished", verdict=Verdict.ok.value))
            return make_report(score=self.score)
        finally:
            with self._lock:
                self.active.discard(key)


def runtime(settings: Settings, db: Database, grader: RecordingGrader, **kw: Any) -> GradingRuntime:
    spec = make_spec()
    return GradingRuntime(
        settings=settings,
        db=db,
        grade_fn=grader,
        load_assignment=lambda name, s: FakeAssignment(spec),  # type: ignore[arg-type,return-value]
        **kw,
    )


def grade_now(rt: GradingRuntime, submission_id: int, *, worker: str = "test-worker") -> Outcome:
    """Claim ``submission_id`` and grade it here, as an embedded slot does."""
    held = claim(rt, submission_id, worker)
    return Outcome.not_claimed if held is None else run_claimed(rt, held)
