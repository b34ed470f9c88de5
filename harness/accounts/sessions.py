"""Server-side sessions of signed-in reviewers.

The browser's cookie carries a random session id; the table keeps its SHA-256, the account,
the role it was issued under, and when it was last seen. A session is valid while it is not
revoked, younger than its absolute lifetime, seen within the idle limit, and its account is
active. Signing out revokes it; "sign out everywhere" and a password change revoke every
session of the account; a role change makes the next request rotate it (a new id under the new
role, the old one revoked), so a cookie copied before the change opens nothing after it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer, ReviewerSession
from harness.accounts.security import hash_token
from harness.audit import service as audit
from harness.settings import Settings

__all__ = [
    "TOUCH_EVERY",
    "ActiveSession",
    "SessionPolicy",
    "active_count",
    "open_session",
    "policy_from_settings",
    "resolve",
    "revoke",
    "revoke_all",
    "rotate",
    "touch",
]

TOUCH_EVERY = timedelta(seconds=60)
"""``last_seen_at`` is written at most this often (a read request then needs one short write)."""


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    """Ends after this long without a request."""
    lifetime: timedelta
    """Ends this long after sign-in."""


def policy_from_settings(settings: Settings) -> SessionPolicy:
    """``HARNESS_SESSION_IDLE_MINUTES`` and ``HARNESS_SESSION_MAX_HOURS``."""
    return SessionPolicy(
        idle=timedelta(minutes=settings.session_idle_minutes),
        lifetime=timedelta(hours=settings.session_max_hours),
    )


@dataclass(frozen=True)
class ActiveSession:
    """A valid session and what the request should do about it."""

    row: ReviewerSession
    reviewer: Reviewer
    needs_rotation: bool
    """The account's role changed since the session was issued."""
    needs_touch: bool
    """``last_seen_at`` is older than ``TOUCH_EVERY``."""


def _find(session: Session, sid: str) -> ReviewerSession | None:
    if not sid or len(sid) > 128:
        return None
    return session.scalar(
        select(ReviewerSession).where(ReviewerSession.token_hash == hash_token(sid))
    )


def open_session(
    session: Session,
    reviewer: Reviewer,
    now: datetime,
    policy: SessionPolicy,
    *,
    ip: str = "",
    user_agent: str = "",
    expires_at: datetime | None = None,
) -> str:
    """A new session for ``reviewer``; returns its id (for the cookie, never stored)."""
    sid = secrets.token_urlsafe(32)
    session.add(
        ReviewerSession(
            reviewer_id=reviewer.id,
            token_hash=hash_token(sid),
            role=reviewer.role,
            created_at=now,
            last_seen_at=now,
            expires_at=expires_at or now + policy.lifetime,
            ip=ip[:64],
            user_agent=user_agent[:200],
        )
    )
    session.flush()
    return sid


def resolve(
    session: Session, sid: str, now: datetime, policy: SessionPolicy
) -> ActiveSession | None:
    """The valid session behind ``sid``, or ``None`` (unknown, revoked, expired, idle, or its
    account deactivated)."""
    if not sid or len(sid) > 128:
        return None
    found = session.execute(  # the session and its account in one query: every page asks
        select(ReviewerSession, Reviewer)
        .join(Reviewer, Reviewer.id == ReviewerSession.reviewer_id)
        .where(ReviewerSession.token_hash == hash_token(sid))
    ).first()
    if found is None:
        return None
    row, reviewer = found
    if row.revoked_at is not None or now >= row.expires_at:
        return None
    if now - row.last_seen_at >= policy.idle:
        return None
    if not reviewer.active:
        return None
    return ActiveSession(
        row=row,
        reviewer=reviewer,
        needs_rotation=row.role != reviewer.role,
        needs_touch=now - row.last_seen_at >= TOUCH_EVERY,
    )


def touch(session: Session, sid: str, now: datetime) -> None:
    """Record activity (its own short write transaction on read requests)."""
    row = _find(session, sid)
    if row is not None and row.revoked_at is None:
        row.last_seen_at = now


def rotate(session: Session, sid: str, now: datetime, policy: SessionPolicy) -> str | None:
    """Replace the session by a new one under the account's current role, keeping its absolute
    end; the old id is revoked. ``None`` when the session is no longer valid."""
    found = resolve(session, sid, now, policy)
    if found is None:
        return None
    found.row.revoked_at = now
    found.row.revoked_reason = "rotated"
    new = open_session(
        session,
        found.reviewer,
        now,
        policy,
        ip=found.row.ip,
        user_agent=found.row.user_agent,
        expires_at=found.row.expires_at,
    )
    audit.record(
        session,
        "session.rotate",
        actor=found.reviewer,
        object_type="reviewer",
        object_id=found.reviewer.id,
        role=found.reviewer.role,
    )
    return new


def revoke(session: Session, sid: str, now: datetime, *, reason: str = "sign_out") -> None:
    """End one session (signing out). Unknown ids are ignored."""
    row = _find(session, sid)
    if row is not None and row.revoked_at is None:
        row.revoked_at = now
        row.revoked_reason = reason


def revoke_all(session: Session, reviewer_id: int, now: datetime, *, reason: str) -> int:
    """End every session of the account; returns how many were open."""
    result = session.execute(
        update(ReviewerSession)
        .where(ReviewerSession.reviewer_id == reviewer_id, ReviewerSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def active_count(session: Session, reviewer_id: int, now: datetime, policy: SessionPolicy) -> int:
    """How many sessions of the account are valid now (shown beside "sign out everywhere")."""
    rows = session.scalars(
        select(ReviewerSession).where(
            ReviewerSession.reviewer_id == reviewer_id,
            ReviewerSession.revoked_at.is_(None),
            ReviewerSession.expires_at > now,
        )
    ).all()
    return sum(1 for r in rows if now - r.last_seen_at < policy.idle)
