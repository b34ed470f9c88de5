"""Who runs inside the sandbox. Shared by the image recipe and the runner."""

from __future__ import annotations

__all__ = ["SANDBOX_GID", "SANDBOX_HOME", "SANDBOX_UID"]

SANDBOX_UID = 10001
"""The non-root user commands run as (``candidate`` in the image)."""
SANDBOX_GID = 10001
SANDBOX_HOME = "/home/candidate"
"""``HOME`` inside the container: a size-capped tmpfs, like ``/tmp`` and the workdir."""
