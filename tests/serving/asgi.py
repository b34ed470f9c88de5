"""Calling an ASGI app in-process, for servers whose code is tested without a network or a client
library (the sandbox has no httpx, so candidates' and the kit's servers are tested this way too)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

__all__ = ["call_asgi"]


def call_asgi(app: Any, method: str, path: str, body: bytes = b"") -> tuple[int, Any]:
    """One request through ``app``: (status, the body decoded as JSON)."""
    sent: list[dict[str, Any]] = []
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    scope = {"type": "http", "method": method, "path": path, "headers": headers, "query_string": b"",
             "http_version": "1.1", "scheme": "http", "server": ("test", 80), "client": ("test", 1),
             "root_path": ""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(payload)
