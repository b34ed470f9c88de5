"""Grading a calibration corpus through the real pipeline.

:func:`grade_corpus` is the only place calibration calls the grading pipeline, so the pipeline's
entry point can move without touching anything else here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from harness.assignments.loader import Assignment
from harness.grading.pipeline import grade_path
from harness.grading.progress import ProgressEvent
from harness.reports.schema import Report
from harness.settings import Settings

__all__ = ["DEFAULT_CORPUS", "DEFAULT_JUDGMENTS", "GradedCallback", "StageCallback", "grade_corpus"]

DEFAULT_CORPUS = Path("tests/calibration/corpus")
"""Where the shipped corpus lives, relative to the repository root."""
DEFAULT_JUDGMENTS = Path("tests/calibration/judgments.toml")

StageCallback = Callable[[str, ProgressEvent], None]
"""Called with the submission's name and each pipeline progress event."""
GradedCallback = Callable[[str, Report], None]
"""Called with the submission's name and its report as soon as it is graded."""


def _grade(source: Path, assignment: Assignment, settings: Settings, on_stage: StageCallback | None) -> Report:
    progress = None if on_stage is None else (lambda event: on_stage(source.name, event))
    return grade_path(source, assignment, settings=settings, progress=progress)


def grade_corpus(
    corpus: Path,
    slugs: Sequence[str],
    assignment: Assignment,
    *,
    settings: Settings,
    jobs: int = 1,
    on_stage: StageCallback | None = None,
    on_graded: GradedCallback | None = None,
) -> dict[str, Report]:
    """Grade ``corpus/<slug>`` for every slug, ``jobs`` at a time; reports by slug, in slug order.

    A harness failure (:class:`harness.errors.InfrastructureError`) propagates: a corpus graded
    partly is not a measurement.
    """
    if jobs < 1:
        raise ValueError("jobs must be at least 1")

    def one(slug: str) -> tuple[str, Report]:
        report = _grade(corpus / slug, assignment, settings, on_stage)
        if on_graded is not None:
            on_graded(slug, report)
        return slug, report

    if jobs == 1:
        graded = [one(slug) for slug in slugs]
    else:
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="calibrate") as pool:
            graded = list(pool.map(one, slugs))
    return dict(sorted(graded))
