"""Signing in and out: the login page, sign-out (this browser), sign-out everywhere, and the
account page that offers it. Sessions are server-side (``harness.accounts.sessions``); the
signed cookie only carries the session's id and the CSRF token."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import Account, ClockDep, CsrfChecked, SessionDep, SettingsDep, session_policy
from api.security import client_address
from api.templating import render
from harness.accounts import sessions
from harness.accounts.devices import DEVICE_COOKIE, DEVICE_LIFETIME
from harness.accounts.models import Role
from harness.accounts.signin import Attempt, attempt, sign_out, sign_out_everywhere

router = APIRouter(tags=["pages"], include_in_schema=False)

_LANDING = {Role.payroll.value: "/payments"}
"""Where an account lands after sign-in when it did not ask for a page (payroll has no
dashboard)."""


def _safe_next(target: str | None) -> str:
    """Only same-site paths: ``//evil.example`` and ``https://...`` go to the dashboard instead."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", dependencies=[CsrfChecked])
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    outcome = attempt(
        session,
        settings,
        request.app.state.login_limiter,
        Attempt(
            email=email,
            password=password,
            address=client_address(request, settings.trusted_proxies),
            device_cookie=request.cookies.get(DEVICE_COOKIE),
            user_agent=request.headers.get("user-agent", ""),
        ),
        clock.now(),
    )
    target = _safe_next(next)
    if outcome.retry_after:
        wait = outcome.retry_after
        when = f"{wait} seconds" if wait < 120 else f"{wait // 60 + 1} minutes"
        return render(
            request,
            "login.html",
            {"next": target, "error": f"Too many failed sign-ins. Try again in {when}."},
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
    if outcome.reviewer is None or outcome.session_id is None:
        return render(
            request,
            "login.html",
            {"next": target, "error": "That email and password do not match an account."},
            status_code=401,
        )
    # A fresh session on sign-in (no fixation); a new CSRF token too.
    request.session.clear()
    request.session.update({"sid": outcome.session_id, "csrf": secrets.token_urlsafe(32)})
    if target == "/":
        target = _LANDING.get(outcome.reviewer.role, "/")
    response = RedirectResponse(target, status_code=303)
    if outcome.device_cookie:
        response.set_cookie(
            DEVICE_COOKIE,
            outcome.device_cookie,
            max_age=int(DEVICE_LIFETIME.total_seconds()),
            httponly=True,
            secure=settings.session_cookie_secure,
            samesite="strict",
            path="/login",
        )
    return response


def _sid(request: Request) -> str | None:
    sid = request.session.get("sid")
    return sid if isinstance(sid, str) else None


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, session: SessionDep, clock: ClockDep) -> Response:
    """End this browser's session on the server (a copied cookie opens nothing afterwards)."""
    sign_out(session, _sid(request), clock.now())
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/logout/everywhere", dependencies=[CsrfChecked])
def logout_everywhere(
    request: Request, session: SessionDep, account: Account, clock: ClockDep
) -> Response:
    """End every session of the signed-in account, on every browser."""
    sign_out_everywhere(session, account, clock.now())
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/account")
def account_page(
    request: Request, session: SessionDep, account: Account, clock: ClockDep
) -> Response:
    """The signed-in account: role, open sessions, and "sign out everywhere"."""
    count = sessions.active_count(session, account.id, clock.now(), session_policy(request))
    return render(
        request, "account.html", {"account": account, "open_sessions": count}
    )
