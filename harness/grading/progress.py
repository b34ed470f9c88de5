"""Progress events a grading run emits, for the CLI's progress display and the web's live status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

__all__ = ["STAGE_LABELS", "ProgressCallback", "ProgressEvent", "null_progress"]

STAGE_LABELS = {
    "image": "preparing the sandbox image",
    "extract": "checking the archive",
    "static": "static analysis",
    "tests": "running the candidate's tests",
    "train": "training",
    "predict": "prediction",
    "notebook": "running the notebook (training and prediction)",
    "score": "scoring",
    "graders": "grading",
}


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a grading run starting or finishing."""

    stage: str
    """A key of :data:`STAGE_LABELS`."""
    state: Literal["started", "finished", "info"]
    verdict: str | None = None
    """The stage's verdict when ``finished`` (``ok``, ``failed``, ``timed_out``, ...)."""
    message: str = ""
    elapsed_s: float | None = None

    @property
    def label(self) -> str:
        return STAGE_LABELS.get(self.stage, self.stage)


ProgressCallback = Callable[[ProgressEvent], None]


def null_progress(event: ProgressEvent) -> None:
    """A progress sink that ignores everything."""
