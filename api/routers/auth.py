"""Reviewer sign-in and sign-out (session cookie)."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import CsrfChecked, SessionDep, session_marker
from api.templating import render
from harness.accounts.service import sign_in

router = APIRouter(tags=["pages"], include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: ``//evil.example`` and ``https://...`` go to the dashboard instead."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", dependencies=[CsrfChecked])
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    limiter = request.app.state.login_limiter
    ip = _client_ip(request)
    wait = limiter.retry_after(ip, email)
    if wait:
        return render(
            request,
            "login.html",
            {
                "next": _safe_next(next),
                "error": f"Too many failed sign-ins. Try again in {wait // 60 + 1} minutes.",
            },
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
    reviewer = sign_in(session, email, password, ip=ip)
    if reviewer is None:
        limiter.failed(ip, email)
        return render(
            request,
            "login.html",
            {"next": _safe_next(next), "error": "That email and password do not match an account."},
            status_code=401,
        )
    limiter.succeeded(ip, email)
    # A fresh session on sign-in (no fixation); new CSRF token too.
    request.session.clear()
    request.session.update(
        {"rid": reviewer.id, "pw": session_marker(reviewer), "csrf": secrets.token_urlsafe(32)}
    )
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
