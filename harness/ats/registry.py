"""The ATS adapters the harness speaks, by provider name."""

from __future__ import annotations

from harness.ats.adapter import AtsAdapter
from harness.ats.greenhouse import GreenhouseAdapter
from harness.errors import HarnessError

__all__ = ["ADAPTERS", "adapter_for"]

ADAPTERS: dict[str, AtsAdapter] = {"greenhouse": GreenhouseAdapter()}


def adapter_for(provider: str) -> AtsAdapter:
    adapter = ADAPTERS.get(provider)
    if adapter is None:
        raise HarnessError(
            f"unknown ATS provider {provider!r}; known: {', '.join(sorted(ADAPTERS))}",
            status_code=422,
        )
    return adapter
