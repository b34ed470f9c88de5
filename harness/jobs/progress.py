"""Live progress of a grading run: progress events in, the submission's status columns out.

The embedded pool writes them to the database under the claim (:class:`ClaimProgress`); a
distributed worker folds them the same way (:class:`ProgressState`) and sends them to the API.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from harness.db.base import utcnow
from harness.grading.progress import ProgressEvent
from harness.jobs.runtime import GradingRuntime
from harness.submissions.repository import Claim, SubmissionRepository

__all__ = ["ClaimProgress", "ProgressState"]

log = logging.getLogger(__name__)


class ProgressState:
    """Live stage progress of one run: progress events in, the status columns' values out.

    Kept apart from where the values go, so the embedded worker (database) and a remote worker
    (the API) record progress the same way.
    """

    def __init__(self, stages: dict[str, dict[str, Any]] | None = None) -> None:
        self.stages: dict[str, dict[str, Any]] = dict(stages or {})

    def apply(self, event: ProgressEvent) -> dict[str, Any]:
        """Fold ``event`` in; return the column values to write (``stages``, and ``stage`` when
        one starts or ends)."""
        stage, state = event.stage, event.state
        entry: dict[str, Any] = {
            "state": state,
            "verdict": event.verdict,
            "message": (event.message or "")[:500],
        }
        if state == "info":  # a note along the way: keep the stage's state, update the message
            previous = self.stages.get(stage, {"state": "started", "verdict": None})
            entry = {**previous, "message": entry["message"]}
        self.stages[stage] = entry
        values: dict[str, Any] = {"stages": dict(self.stages)}
        if state == "started":
            values["stage"] = stage
        elif state == "finished":
            values["stage"] = None
        return values


class ClaimProgress:
    """Writes stage progress and heartbeats under a claim, from the grading thread."""

    def __init__(
        self,
        runtime: GradingRuntime,
        claim: Claim,
        stages: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.runtime = runtime
        self.claim = claim
        self.state = ProgressState(stages)
        self.lost = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, event: ProgressEvent) -> None:
        with self._lock:
            self._write(**self.state.apply(event))

    def beat(self) -> None:
        with self._lock:
            self._write()

    def _write(self, **values: Any) -> None:
        try:
            with self.runtime.db.session(write=True) as session:
                if not SubmissionRepository(session).heartbeat(self.claim, utcnow(), **values):
                    self.lost.set()
        except Exception:  # a progress write must never break grading
            log.exception("could not record progress of submission %s", self.claim.submission_id)
