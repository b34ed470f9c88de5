"""Browser-facing protections: security headers, CSRF tokens and the login rate limit."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "CSP",
    "LoginRateLimiter",
    "SecurityHeadersMiddleware",
    "csrf_token",
    "csrf_valid",
]

# No inline script anywhere: every script is a static file. Inline SVG plots use presentation
# attributes, not style attributes, so style-src needs no 'unsafe-inline' either.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

# Candidate-produced HTML (rendered notebooks): nothing may run, nothing may load, and the
# document is sandboxed even when opened outside its iframe.
UNTRUSTED_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "sandbox; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)

_BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # Candidate links carry their secret in the path: never leak it in a Referer.
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


class SecurityHeadersMiddleware:
    """Adds the headers to every response; a route may set a stricter CSP of its own.

    A plain ASGI middleware (not ``BaseHTTPMiddleware``): it only edits the response start
    message, so responses stream through untouched and no extra task runs per request.
    """

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in _BASE_HEADERS.items():
                    headers.setdefault(key, value)
                headers.setdefault("Content-Security-Policy", CSP)
                headers.setdefault("X-Frame-Options", "DENY")
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
                if path.startswith(("/c/", "/api/c/")) or "text/html" in headers.get(
                    "content-type", ""
                ):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (the session cookie carries it)."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or len(token) < 20:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def csrf_valid(request: Request, submitted: str | None) -> bool:
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not submitted:
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())


class LoginRateLimiter:
    """Failed logins per client address and per account in a sliding window (in this process).

    Counting both stops one address guessing many accounts and many addresses guessing one.
    """

    def __init__(
        self,
        *,
        attempts: int = 5,
        window_s: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.attempts = attempts
        self.window_s = window_s
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def retry_after(self, ip: str, email: str) -> int:
        """Seconds until another attempt is allowed; 0 when allowed now."""
        now = self.clock()
        with self._lock:
            waits = []
            for key in (f"ip:{ip}", f"user:{email.lower()}"):
                q = self._recent(key, now)
                if len(q) >= self.attempts:
                    waits.append(int(self.window_s - (now - q[0])) + 1)
            return max(waits, default=0)

    def failed(self, ip: str, email: str) -> None:
        now = self.clock()
        with self._lock:
            for key in (f"ip:{ip}", f"user:{email.lower()}"):
                self._recent(key, now).append(now)
            if len(self._failures) > 10_000:  # bound memory under a spray of addresses
                self._failures = {k: v for k, v in self._failures.items() if v}

    def succeeded(self, ip: str, email: str) -> None:
        with self._lock:
            self._failures.pop(f"user:{email.lower()}", None)
