"""Signing in and out of the reviewer pages: the use cases behind ``/login`` and ``/logout``.

``attempt`` checks the throttle, the password, and opens a server-side session; the router
only turns the outcome into cookies and a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from harness.accounts import sessions
from harness.accounts.devices import issue_device, read_device
from harness.accounts.models import Reviewer
from harness.accounts.repository import ReviewerRepository
from harness.accounts.service import sign_in
from harness.accounts.throttle import LoginThrottle
from harness.audit import service as audit
from harness.settings import Settings

__all__ = ["Attempt", "SignInOutcome", "attempt", "sign_out", "sign_out_everywhere"]


@dataclass(frozen=True)
class Attempt:
    """One sign-in as the browser sent it."""

    email: str
    password: str
    address: str
    """The client's address (after trusted-proxy handling)."""
    device_cookie: str | None
    user_agent: str = ""


@dataclass(frozen=True)
class SignInOutcome:
    reviewer: Reviewer | None
    """The account, when the password matched."""
    retry_after: int = 0
    """Seconds to wait; when above 0 the password was not even looked at."""
    session_id: str | None = None
    """The new server-side session (for the session cookie)."""
    device_cookie: str | None = None
    """A device cookie to set (a fresh one on every successful sign-in)."""


def attempt(
    session: Session,
    settings: Settings,
    throttle: LoginThrottle,
    tried: Attempt,
    now: datetime,
) -> SignInOutcome:
    """Throttle, check the password, open a session. A failure is audited and counted."""
    account = tried.email.strip().lower()[:320]
    device = read_device(settings.secret_key, tried.device_cookie, now)
    device_key = None
    if device is not None:
        # A device cookie only speaks for the account it was issued to: with another account's
        # email it is an untrusted attempt like any other.
        owner = ReviewerRepository(session).by_email(account)
        if owner is not None and owner.id == device.reviewer_id:
            device_key = device.key
    wait = throttle.retry_after(account=account, address=tried.address, device=device_key)
    if wait:
        return SignInOutcome(None, retry_after=wait)
    reviewer = sign_in(session, tried.email, tried.password, ip=tried.address)
    if reviewer is None:
        throttle.failed(account=account, address=tried.address, device=device_key)
        return SignInOutcome(None)
    throttle.succeeded(account=account, device=device_key)
    sid = sessions.open_session(
        session,
        reviewer,
        now,
        sessions.policy_from_settings(settings),
        ip=tried.address,
        user_agent=tried.user_agent,
    )
    return SignInOutcome(
        reviewer, session_id=sid, device_cookie=issue_device(settings.secret_key, reviewer.id, now)
    )


def sign_out(session: Session, sid: str | None, now: datetime) -> None:
    """End this browser's session (nothing to do without one)."""
    if sid:
        sessions.revoke(session, sid, now, reason="sign_out")


def sign_out_everywhere(session: Session, reviewer: Reviewer, now: datetime) -> int:
    """End every session of the account, this one included; audited. Returns how many."""
    ended = sessions.revoke_all(session, reviewer.id, now, reason="everywhere")
    audit.record(
        session,
        "session.revoke_all",
        actor=reviewer,
        object_type="reviewer",
        object_id=reviewer.id,
        sessions=ended,
    )
    return ended
