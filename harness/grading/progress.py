"""Progress events a grading run emits, for the CLI's progress display and the web's live status."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

__all__ = ["STAGE_LABELS", "ProgressCallback", "ProgressEvent", "null_progress", "timed"]

STAGE_LABELS = {
    "image": "preparing the sandbox image",
    "extract": "checking the archive",
    "static": "static analysis",
    "tests": "running the candidate's tests",
    "mutation": "mutation testing (do the tests catch seeded bugs?)",
    "train": "training",
    "predict": "prediction",
    "predict_nomodel": "prediction without the trained model (model-dependence check)",
    "notebook": "running the notebook (training and prediction)",
    "serve": "serving the model (its API measured)",
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


@contextmanager
def timed(progress: ProgressCallback, stage: str) -> Iterator[dict[str, str]]:
    """Emit ``started`` and ``finished`` around a block; the block sets ``verdict`` and ``message``
    in the dict it gets (``ok`` and empty unless it says otherwise)."""
    state = {"verdict": "ok", "message": ""}
    started = time.perf_counter()
    progress(ProgressEvent(stage=stage, state="started"))
    try:
        yield state
    finally:
        progress(ProgressEvent(stage=stage, state="finished", verdict=state["verdict"],
                               message=state["message"], elapsed_s=time.perf_counter() - started))
