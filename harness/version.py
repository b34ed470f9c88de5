"""The harness's own version, as installed (reports and worker handshakes carry it)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["harness_version"]


def harness_version() -> str:
    try:
        return version("takehome-harness")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"
