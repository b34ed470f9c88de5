"""The values of one grading run: what is graded, what it became, and where stages run.

    GradingJob ─► prepare (archive checks, contract, static) ─► Prepared
               ─► a StageRunner (this host's sandbox, or a distributed worker's result) ─► SandboxRun
               ─► score + graders ─► Report

Every caller (the CLI, the embedded pool, and both halves of distributed mode) goes through
:func:`harness.grading.pipeline.grade`; they differ only in the :class:`StageRunner` they pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from graders.types import StageName, StageOutcome
from harness.assignments.loader import Assignment
from harness.grading.progress import ProgressCallback
from harness.grading.workdir import RunDirs
from harness.reports.schema import SubmissionInfo
from harness.submissions.contract import SubmissionContract

__all__ = ["GradingJob", "Prepared", "SandboxRun", "StageRunner"]


@dataclass(frozen=True)
class GradingJob:
    """One submission to grade: the archive, how the candidate named it, and the assignment."""

    archive: Path
    """A folder, ``.zip`` or ``.tar.gz`` on this host (hostile input)."""
    filename: str
    """The name the candidate uploaded it under (stored blobs are named by their hash)."""
    assignment: Assignment
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    """When grading began (for a distributed job: when the worker claimed it)."""

    @classmethod
    def for_path(cls, source: Path, assignment: Assignment) -> GradingJob:
        return cls(archive=source, filename=source.name, assignment=assignment)


@dataclass(frozen=True)
class Prepared:
    """An extracted submission whose contract is known (the static stage ran)."""

    info: SubmissionInfo
    contract: SubmissionContract
    static: StageOutcome


@dataclass(frozen=True)
class SandboxRun:
    """What the sandboxed stages produced: their outcomes (with output files) and the image."""

    image: str
    outcomes: dict[StageName, StageOutcome]


class StageRunner(Protocol):
    """Runs (or brings back) the sandboxed stages of a prepared submission.

    Implementations: :class:`harness.grading.local.LocalStages` (this host's Docker engine) and
    :class:`harness.jobs.remote.WorkerStages` (the stages a distributed worker already ran).
    Raises :class:`harness.errors.InfrastructureError` for the harness's own trouble.
    """

    def __call__(self, prepared: Prepared, dirs: RunDirs, progress: ProgressCallback) -> SandboxRun: ...
