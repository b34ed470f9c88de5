"""Browser-facing protections: security headers, CSRF tokens, the client's address behind
trusted proxies. (Login throttling is ``harness.accounts.throttle``.)"""

from __future__ import annotations

import hmac
import ipaddress
import secrets

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "CSP",
    "SecurityHeadersMiddleware",
    "client_address",
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


def _networks(trusted: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(t, strict=False) for t in trusted]


def _in(address: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in n for n in networks)


def client_address(request: Request, trusted_proxies: list[str]) -> str:
    """The address of the client behind the request.

    The peer's address, unless the peer is one of ``HARNESS_TRUSTED_PROXIES``: then the
    rightmost address of ``X-Forwarded-For`` that is not a trusted proxy (everything left of
    it was written by the client and proves nothing).
    """
    peer = request.client.host if request.client else "unknown"
    networks = _networks(trusted_proxies)
    if not networks or not _in(peer, networks):
        return peer
    chain = [a.strip() for a in request.headers.get("x-forwarded-for", "").split(",") if a.strip()]
    for address in reversed(chain):
        if _in(address, networks):
            continue
        try:
            return str(ipaddress.ip_address(address))
        except ValueError:
            return peer  # the proxy wrote something that is not an address
    return chain[0] if chain else peer
