"""The sandbox's errors.

A submission that crashes, runs out of memory or floods its output is not an error: it is a
:class:`~sandbox.spec.Verdict`. Exceptions are for the harness's own trouble, which is never the
candidate's fault and is worth retrying.
"""

from __future__ import annotations

__all__ = ["InfrastructureError", "PeerGone", "SandboxError"]


class SandboxError(Exception):
    """Base of every error the sandbox package raises."""


class InfrastructureError(SandboxError):
    """The sandbox could not do its job: daemon unreachable, image missing or not buildable,
    Docker API error. Retriable; never blamed on the submission."""


class PeerGone(SandboxError):
    """The container whose network namespace a run was to join (:attr:`RunSpec.network_of`) is
    no longer running: the server it was to measure exited. A verdict on that server, not the
    harness's trouble."""
