"""The ``Host`` header is checked against an allow-list before anything else runs.

Links are built from ``HARNESS_PUBLIC_URL``, never from the request, so a forged ``Host`` cannot
plant an attacker's host in an invitation; refusing unknown hosts also keeps caches and logs
from being poisoned with them. ``/healthz`` answers any host (load balancers probe by address).
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["TrustedHostMiddleware", "host_of"]

_EXEMPT = frozenset({"/healthz"})


def host_of(header: str) -> str:
    """The host name of a ``Host`` header, without its port, lower-cased."""
    header = header.strip().lower()
    if header.startswith("["):  # [::1]:8000
        return header[1 : header.find("]")] if "]" in header else ""
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class TrustedHostMiddleware:
    """Answers 400 to a request whose ``Host`` is not allowed (plain ASGI: nothing buffered)."""

    def __init__(self, app: ASGIApp, *, allowed: list[str]) -> None:
        self.app = app
        self.allowed = frozenset(h.lower().strip("[]") for h in allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in _EXEMPT:
            await self.app(scope, receive, send)
            return
        raw = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
        if host_of(raw) in self.allowed:
            await self.app(scope, receive, send)
            return
        body = json.dumps(
            {
                "detail": "this server does not answer to that host name; the operator can "
                "add it to HARNESS_ALLOWED_HOSTS"
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
