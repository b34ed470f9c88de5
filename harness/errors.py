"""Domain errors. One base with an HTTP status; the web app renders them with one handler.

A submission's own failure (it crashed, timed out, wrote bad predictions) is a *verdict* on the
report, never an exception. Exceptions are for unusable input (``InputRejected``) and for the
harness's own trouble (``InfrastructureError``, retriable).
"""

from __future__ import annotations

__all__ = [
    "AssignmentError",
    "HarnessError",
    "InfrastructureError",
    "InputRejected",
    "NotFound",
]


class HarnessError(Exception):
    """Base of the harness's errors: a message for people and an HTTP status for the API."""

    status_code: int = 400

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code


class InputRejected(HarnessError):
    """The submission cannot be graded as given; the message tells the candidate what to fix."""

    status_code = 422


class AssignmentError(HarnessError):
    """An assignment folder or spec is invalid; the message says what to fix."""

    status_code = 500


class NotFound(HarnessError):
    status_code = 404


class InfrastructureError(HarnessError):
    """The harness could not do its job (Docker daemon gone, image missing, disk full).

    Never the candidate's fault: the job should be retried, not graded as failed.
    """

    status_code = 503
